package dev.tributary.operator.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes and reads {@link SourceRecord}s field by field with Jackson's streaming API, in the same
 * JSON as the record's default binding (the golden files pin it). A request carries every record of
 * a batch for its slot, so this is the wire format's hot path: the default binding calls each
 * accessor by reflection, boxes the numbers and copies the metadata twice.
 */
final class SourceRecordCodec {
  private SourceRecordCodec() {}

  /** A module that registers both directions. */
  static SimpleModule module() {
    SimpleModule module = new SimpleModule("tributary-source-record");
    module.addSerializer(SourceRecord.class, new Writer());
    module.addDeserializer(SourceRecord.class, new Reader());
    return module;
  }

  private static final class Writer extends JsonSerializer<SourceRecord> {
    @Override
    public void serialize(SourceRecord r, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      gen.writeStringField("sequence", r.sequence());
      gen.writeNumberField("subSequence", r.subSequence());
      gen.writeNumberField("timestamp", r.timestamp());
      gen.writeFieldName("data");
      gen.writeBinary(provider.getConfig().getBase64Variant(), r.data(), 0, r.data().length);
      gen.writeObjectFieldStart("metadata");
      for (Map.Entry<String, String> e : r.metadata().entrySet()) {
        gen.writeStringField(e.getKey(), e.getValue());
      }
      gen.writeEndObject();
      gen.writeEndObject();
    }
  }

  private static final class Reader extends JsonDeserializer<SourceRecord> {
    /** The fields that hold one value (the fifth, metadata, an object). */
    private static final Set<String> SINGLE =
        Set.of("sequence", "subSequence", "timestamp", "data");

    @Override
    public SourceRecord deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return (SourceRecord) ctx.handleUnexpectedToken(SourceRecord.class, p);
      }
      String sequence = null;
      long subSequence = 0;
      long timestamp = 0;
      byte[] data = null;
      Map<String, String> metadata = null;
      for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
        JsonToken value = p.nextToken();
        if (value.isStructStart() && SINGLE.contains(field)) {
          return ctx.reportInputMismatch(
              SourceRecord.class,
              "source record field \"%s\" must be a single value; got %s",
              field,
              value);
        }
        switch (field) {
          case "sequence" -> sequence = value == JsonToken.VALUE_NULL ? null : p.getValueAsString();
          case "subSequence" -> subSequence = number(p, ctx, field);
          case "timestamp" -> timestamp = number(p, ctx, field);
          case "data" ->
              data =
                  value == JsonToken.VALUE_NULL
                      ? null
                      : p.getBinaryValue(ctx.getConfig().getBase64Variant());
          case "metadata" -> metadata = value == JsonToken.VALUE_NULL ? null : metadata(p, ctx);
          default -> p.skipChildren(); // a field of a newer build
        }
      }
      if (sequence == null) {
        return ctx.reportInputMismatch(
            SourceRecord.class, "a source record needs its \"sequence\" (a decimal string)");
      }
      try {
        return new SourceRecord(sequence, subSequence, timestamp, data, metadata);
      } catch (IllegalArgumentException e) {
        return ctx.reportInputMismatch(SourceRecord.class, e.getMessage());
      }
    }

    private static long number(JsonParser p, DeserializationContext ctx, String field)
        throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        return ctx.<Long>reportInputMismatch(
            SourceRecord.class,
            "source record field \"%s\" must be a whole number; got %s",
            field,
            p.currentToken());
      }
      return p.getLongValue();
    }

    private static Map<String, String> metadata(JsonParser p, DeserializationContext ctx)
        throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return ctx.reportInputMismatch(
            SourceRecord.class,
            "source record field \"metadata\" must be an object of strings; got %s",
            p.currentToken());
      }
      Map<String, String> metadata = new HashMap<>();
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken value = p.nextToken();
        if (value.isStructStart()) {
          return ctx.reportInputMismatch(
              SourceRecord.class,
              "source record metadata \"%s\" must be a string; got %s",
              key,
              value);
        }
        if (value != JsonToken.VALUE_NULL) {
          metadata.put(key, p.getValueAsString());
        }
      }
      return metadata;
    }
  }
}
