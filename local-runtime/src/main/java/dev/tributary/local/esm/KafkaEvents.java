package dev.tributary.local.esm;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * The JSON a Kafka event source mapping exchanges with its function, as Lambda's documentation
 * shows it: the event ({@code records} keyed by {@code topic-partition}, key and value base64,
 * header values as arrays of signed byte values) and the {@code batchItemFailures} answer of a
 * function with {@code ReportBatchItemFailures} (per partition, the offset to deliver again from).
 * Pure functions of their inputs, so they are tested without a broker.
 */
final class KafkaEvents {
  /** Lambda's event source name for a self-managed Apache Kafka cluster. */
  static final String SELF_MANAGED = "SelfManagedKafka";

  /** Lambda's event source name for an Amazon MSK cluster. */
  static final String MSK = "aws:kafka";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EXCERPT = 200;

  private KafkaEvents() {}

  /**
   * Where an event comes from: {@link #SELF_MANAGED} or {@link #MSK}, the cluster ARN (MSK only,
   * else null) and the bootstrap servers string the event names.
   */
  record Source(String eventSource, String eventSourceArn, String bootstrapServers) {
    Source {
      Objects.requireNonNull(eventSource, "eventSource");
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }
  }

  /** What an invocation's answer means for the batch it carried. */
  sealed interface Answer {}

  /** Every record of the batch is done. */
  record Success() implements Answer {}

  /** The whole batch failed: the function errored or timed out; {@code message} says which. */
  record FunctionError(String message) implements Answer {}

  /**
   * Lambda did not invoke the function (throttled, unreachable): the batch is tried again after a
   * backoff without using a retry attempt, until its records pass the maximum record age.
   */
  record NotInvoked(String message) implements Answer {}

  /**
   * The function returned normally, but its answer is not a valid {@code batchItemFailures}
   * response, so the whole batch counts as failed; {@code message} says what is wrong.
   */
  record InvalidAnswer(String message) implements Answer {}

  /**
   * Per reported partition, the lowest reported offset: records of that partition before it are
   * done, and it is delivered again from there. Partitions not named are done.
   */
  record PartialFailure(Map<TopicPartition, Long> resumeAt) implements Answer {
    PartialFailure {
      resumeAt = Collections.unmodifiableMap(new LinkedHashMap<>(resumeAt));
    }
  }

  /** The key of a partition in an event's {@code records}: {@code topic-partition}. */
  static String partitionKey(TopicPartition tp) {
    return tp.topic() + "-" + tp.partition();
  }

  /** The event's JSON for {@code records}, which come grouped by partition, in offset order. */
  static byte[] event(Source source, List<ConsumerRecord<byte[], byte[]>> records) {
    return event(source, records, KafkaEvents::recordJson);
  }

  /**
   * The event's JSON for {@code records}, each record's JSON given by {@code json} (a mapping
   * writes each record once, when it fetches it, to measure it against the payload limit, and
   * reuses those bytes for every invocation that carries the record).
   */
  static byte[] event(
      Source source,
      List<ConsumerRecord<byte[], byte[]>> records,
      Function<ConsumerRecord<byte[], byte[]>, byte[]> json) {
    Map<String, List<byte[]>> byPartition = new LinkedHashMap<>();
    int size = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      byte[] bytes = json.apply(r);
      byPartition
          .computeIfAbsent(
              partitionKey(new TopicPartition(r.topic(), r.partition())), k -> new ArrayList<>())
          .add(bytes);
      size += bytes.length + 1;
    }
    // the envelope with an empty records object ends in "{}}": the records go between the braces
    byte[] envelope = write(withEmptyRecords(source));
    ByteArrayOutputStream out = new ByteArrayOutputStream(envelope.length + size + 64);
    out.write(envelope, 0, envelope.length - 2);
    boolean firstPartition = true;
    for (Map.Entry<String, List<byte[]>> e : byPartition.entrySet()) {
      if (!firstPartition) {
        out.write(',');
      }
      firstPartition = false;
      // topic names are letters, digits, '.', '_' and '-': nothing to escape
      out.writeBytes(('"' + e.getKey() + "\":[").getBytes(StandardCharsets.UTF_8));
      boolean firstRecord = true;
      for (byte[] bytes : e.getValue()) {
        if (!firstRecord) {
          out.write(',');
        }
        firstRecord = false;
        out.writeBytes(bytes);
      }
      out.write(']');
    }
    out.write('}');
    out.write('}');
    return out.toByteArray();
  }

  /** The size in bytes of the event around its records, with an empty {@code records} object. */
  static int envelopeSize(Source source) {
    return write(withEmptyRecords(source)).length;
  }

  /** The size in bytes one record takes in an event (without the separating comma). */
  static int recordSize(ConsumerRecord<byte[], byte[]> record) {
    return recordJson(record).length;
  }

  /** The size in bytes a partition's entry in {@code records} adds around its records. */
  static int partitionEntrySize(TopicPartition tp) {
    // "topic-N":[ ] plus a separating comma
    return partitionKey(tp).getBytes(StandardCharsets.UTF_8).length + 6;
  }

  private static ObjectNode withEmptyRecords(Source source) {
    ObjectNode event = JSON.createObjectNode();
    event.put("eventSource", source.eventSource());
    if (source.eventSourceArn() != null) {
      event.put("eventSourceArn", source.eventSourceArn());
    }
    event.put("bootstrapServers", source.bootstrapServers());
    event.putObject("records");
    return event;
  }

  /** One record's JSON, as it appears in an event's {@code records}. */
  static byte[] recordJson(ConsumerRecord<byte[], byte[]> r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("topic", r.topic());
      g.writeNumberField("partition", r.partition());
      g.writeNumberField("offset", r.offset());
      g.writeNumberField("timestamp", r.timestamp());
      g.writeStringField("timestampType", r.timestampType().name());
      Base64.Encoder base64 = Base64.getEncoder();
      if (r.key() != null) {
        g.writeStringField("key", base64.encodeToString(r.key()));
      }
      if (r.value() != null) {
        g.writeStringField("value", base64.encodeToString(r.value()));
      }
      g.writeArrayFieldStart("headers");
      for (Header h : r.headers()) {
        g.writeStartObject();
        g.writeArrayFieldStart(h.key());
        if (h.value() != null) {
          for (byte b : h.value()) {
            g.writeNumber(
                b); // Java bytes are signed: 0xE2 is -30, as the Lambda Java runtime reads it
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a Kafka record as JSON", e);
    }
    return out.toByteArray();
  }

  private static byte[] write(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write a Kafka event as JSON", e);
    }
  }

  /**
   * What a function with {@code ReportBatchItemFailures} answered. As Lambda treats them: no
   * payload, {@code null}, an object without {@code batchItemFailures} and an empty or null list
   * mean success; a failure whose {@code itemIdentifier} is missing or malformed fails the whole
   * batch; otherwise each named partition resumes from its lowest named offset. Whether the named
   * partitions and offsets are in the batch is checked by the delivery, which knows the batch.
   */
  static Answer answer(byte[] payload) {
    if (payload == null || new String(payload, StandardCharsets.UTF_8).isBlank()) {
      return new Success();
    }
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (IOException e) {
      return new InvalidAnswer(
          "the function answered "
              + excerpt(payload)
              + ", which is not JSON; with ReportBatchItemFailures answer"
              + " {\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\"topic-0\","
              + "\"offset\":0}}]} or nothing");
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return new Success();
    }
    if (!root.isObject()) {
      return new InvalidAnswer(
          "the function answered "
              + excerpt(payload)
              + "; with ReportBatchItemFailures the answer must be an object with a"
              + " batchItemFailures list, or nothing");
    }
    JsonNode failures = root.get("batchItemFailures");
    if (failures == null || failures.isNull()) {
      return new Success();
    }
    if (!failures.isArray()) {
      return new InvalidAnswer(
          "batchItemFailures is " + failures + "; it must be a list of {\"itemIdentifier\":...}");
    }
    if (failures.isEmpty()) {
      return new Success();
    }
    Map<TopicPartition, Long> resumeAt = new LinkedHashMap<>();
    for (int i = 0; i < failures.size(); i++) {
      JsonNode id = failures.get(i).get("itemIdentifier");
      String where = "batchItemFailures[" + i + "].itemIdentifier";
      if (id == null || !id.isObject()) {
        return new InvalidAnswer(
            where
                + " is "
                + id
                + "; for Kafka it must be {\"partition\":\"topic-N\",\"offset\":N}, the first"
                + " record of the partition to deliver again");
      }
      JsonNode partition = id.get("partition");
      JsonNode offset = id.get("offset");
      TopicPartition tp = partition == null ? null : topicPartition(partition.asText(""));
      if (partition == null || !partition.isTextual() || tp == null) {
        return new InvalidAnswer(
            where
                + ".partition is "
                + partition
                + "; it must be the event's partition key, \"topic-N\" (as in records)");
      }
      if (offset == null || !offset.isIntegralNumber() || !offset.canConvertToLong()) {
        return new InvalidAnswer(
            where + ".offset is " + offset + "; it must be the record's offset, a whole number");
      }
      resumeAt.merge(tp, offset.asLong(), Math::min);
    }
    return new PartialFailure(resumeAt);
  }

  /** {@code topic-N} as a topic-partition (the topic may contain '-'), or null. */
  static TopicPartition topicPartition(String key) {
    int dash = key.lastIndexOf('-');
    if (dash <= 0 || dash == key.length() - 1) {
      return null;
    }
    try {
      int p = Integer.parseInt(key.substring(dash + 1));
      return p < 0 ? null : new TopicPartition(key.substring(0, dash), p);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String excerpt(byte[] payload) {
    String s = new String(payload, StandardCharsets.UTF_8);
    return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "... (" + s.length() + " chars)";
  }
}
