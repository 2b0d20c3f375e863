package dev.tributary.local.esm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Consumer records for the unit tests of the Kafka event source mapping. */
final class KafkaRecords {
  private KafkaRecords() {}

  /** A record with a UTF-8 key and value, no headers. */
  static ConsumerRecord<byte[], byte[]> record(
      String topic, int partition, long offset, long timestamp, String key, String value) {
    return new ConsumerRecord<>(
        topic,
        partition,
        offset,
        timestamp,
        TimestampType.CREATE_TIME,
        key == null ? -1 : key.length(),
        value == null ? -1 : value.length(),
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(),
        Optional.empty());
  }

  /** Records {@code from} to {@code to - 1} of one partition, value {@code v<offset>}. */
  static List<ConsumerRecord<byte[], byte[]>> records(
      String topic, int partition, long from, long to) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(record(topic, partition, o, 1_000 + o, "k" + o, "v" + o));
    }
    return out;
  }

  /** The offsets of {@code records}, as {@code topic-partition@offset}. */
  static List<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> r.topic() + "-" + r.partition() + "@" + r.offset()).toList();
  }
}
