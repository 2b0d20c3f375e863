package dev.tributary.local.esm.internal.kinesis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The event JSON Lambda's Kinesis event source mapping invokes a function with, field for field as
 * AWS documents it: {@code {"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey",
 * "sequenceNumber","data" (base64),"approximateArrivalTimestamp" (epoch seconds with
 * milliseconds)},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"<shard id>:<sequence
 * number>","eventName":"aws:kinesis:record","invokeIdentityArn","awsRegion", "eventSourceARN"}]}}.
 * Each record is encoded once, when it is read, so a batch's payload size is known exactly before
 * it is cut (the 6 MB invocation payload limit).
 */
public final class KinesisEventJson {
  /** Lambda's synchronous invocation payload limit: 6 MB. */
  public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] HEAD =
      "{\"Records\":[".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] TAIL = "]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final String streamArn;
  private final String region;
  private final String invokeIdentityArn;

  /** Records of the stream {@code streamArn} in {@code region}, invoked as {@code identity}. */
  public KinesisEventJson(String streamArn, String region, String invokeIdentityArn) {
    this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
    this.region = Objects.requireNonNull(region, "region");
    this.invokeIdentityArn = Objects.requireNonNull(invokeIdentityArn, "invokeIdentityArn");
  }

  /** One element of {@code Records}. */
  public byte[] record(
      String shardId,
      String partitionKey,
      String sequenceNumber,
      ByteBuffer data,
      Instant arrival) {
    ByteBuffer bytes = data.duplicate();
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4 / 3 + 512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("kinesis");
      g.writeStringField("kinesisSchemaVersion", "1.0");
      g.writeStringField("partitionKey", partitionKey);
      g.writeStringField("sequenceNumber", sequenceNumber);
      g.writeStringField("data", Base64.getEncoder().encodeToString(raw));
      g.writeFieldName("approximateArrivalTimestamp");
      g.writeNumber(epochSeconds(arrival));
      g.writeEndObject();
      g.writeStringField("eventSource", "aws:kinesis");
      g.writeStringField("eventVersion", "1.0");
      g.writeStringField("eventID", shardId + ":" + sequenceNumber);
      g.writeStringField("eventName", "aws:kinesis:record");
      g.writeStringField("invokeIdentityArn", invokeIdentityArn);
      g.writeStringField("awsRegion", region);
      g.writeStringField("eventSourceARN", streamArn);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode Kinesis record " + sequenceNumber, e);
    }
    return out.toByteArray();
  }

  /**
   * Epoch seconds with millisecond precision, as Lambda writes {@code approximateArrivalTimestamp}.
   */
  static BigDecimal epochSeconds(Instant t) {
    return BigDecimal.valueOf(t.toEpochMilli(), 3);
  }

  /** The event holding {@code records} (each from {@link #record}), in order. */
  public static byte[] event(List<byte[]> records) {
    int size = HEAD.length + TAIL.length + Math.max(0, records.size() - 1);
    for (byte[] r : records) {
      size += r.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(HEAD);
    for (int i = 0; i < records.size(); i++) {
      if (i > 0) {
        out.put((byte) ',');
      }
      out.put(records.get(i));
    }
    out.put(TAIL);
    return out.array();
  }

  /** The size of the event holding {@code count} records of {@code recordBytes} in total. */
  public static long eventSize(long recordBytes, int count) {
    return HEAD.length + TAIL.length + recordBytes + Math.max(0, count - 1);
  }
}
