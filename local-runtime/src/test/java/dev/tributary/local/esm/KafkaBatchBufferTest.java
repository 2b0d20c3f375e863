package dev.tributary.local.esm;

import static dev.tributary.local.esm.KafkaRecords.ids;
import static dev.tributary.local.esm.KafkaRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaBatchBufferTest {
  private static final KafkaEvents.Source SOURCE =
      new KafkaEvents.Source(KafkaEvents.SELF_MANAGED, null, "127.0.0.1:9092");

  private final KafkaBatchBuffer buffer = new KafkaBatchBuffer(KafkaEvents.envelopeSize(SOURCE));

  private static String value(int bytes) {
    return "x".repeat(bytes);
  }

  @Test
  void aBatchGroupsPartitionsAndKeepsEachInFetchOrder() {
    buffer.add(record("t", 0, 0, 1, "k", "a"));
    buffer.add(record("t", 1, 7, 1, "k", "b"));
    buffer.add(record("t", 0, 1, 1, "k", "c"));
    buffer.add(record("t", 1, 8, 1, "k", "d"));
    assertThat(buffer.full(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES)).isFalse();
    KafkaBatchBuffer.Batch batch = buffer.take(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES);
    assertThat(ids(batch.records())).containsExactly("t-0@0", "t-0@1", "t-1@7", "t-1@8");
    assertThat(batch.oversized()).isFalse();
    assertThat(buffer.isEmpty()).isTrue();
    for (ConsumerRecord<byte[], byte[]> r : batch.records()) { // written when added, kept
      assertThat(batch.json().get(r)).isEqualTo(KafkaEvents.recordJson(r));
    }
    assertThat(KafkaEvents.event(SOURCE, batch.records(), batch::jsonOf))
        .isEqualTo(KafkaEvents.event(SOURCE, batch.records()));
  }

  @Test
  void aBatchHoldsAtMostBatchSizeRecords() {
    KafkaRecords.records("t", 0, 0, 25).forEach(buffer::add);
    assertThat(buffer.full(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES)).isTrue();
    assertThat(buffer.take(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES).records()).hasSize(10);
    assertThat(buffer.take(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES).records()).hasSize(10);
    assertThat(buffer.full(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES)).isFalse();
    assertThat(ids(buffer.take(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES).records()))
        .containsExactly("t-0@20", "t-0@21", "t-0@22", "t-0@23", "t-0@24");
  }

  @Test
  void aBatchStopsBeforeTheRecordThatWouldPassThePayloadLimit() {
    for (int o = 0; o < 5; o++) {
      buffer.add(record("t", 0, o, 1, "k", value(1000)));
    }
    ConsumerRecord<byte[], byte[]> one = record("t", 0, 0, 1, "k", value(1000));
    int limit = // two records fit, not three
        KafkaEvents.envelopeSize(SOURCE)
            + KafkaEvents.partitionEntrySize(new TopicPartition("t", 0))
            + 2 * (KafkaEvents.recordSize(one) + 1);
    assertThat(buffer.full(100, limit)).isTrue();
    KafkaBatchBuffer.Batch batch = buffer.take(100, limit);
    assertThat(ids(batch.records())).containsExactly("t-0@0", "t-0@1");
    int actual = KafkaEvents.event(SOURCE, batch.records()).length;
    assertThat(actual).isLessThanOrEqualTo(limit);
    assertThat(batch.payloadBytes()).isGreaterThanOrEqualTo(actual);
    assertThat(buffer.size()).isEqualTo(3);
  }

  @Test
  void aRecordLargerThanTheLimitComesOutAloneFlaggedOversized() {
    buffer.add(record("t", 0, 0, 1, "k", value(5_000)));
    buffer.add(record("t", 0, 1, 1, "k", "small"));
    assertThat(buffer.full(100, 3_000)).isTrue();
    KafkaBatchBuffer.Batch batch = buffer.take(100, 3_000);
    assertThat(batch.oversized()).isTrue();
    assertThat(ids(batch.records())).containsExactly("t-0@0");
    assertThat(batch.payloadBytes()).isGreaterThan(5_000);
    KafkaBatchBuffer.Batch next = buffer.take(100, 3_000);
    assertThat(next.oversized()).isFalse();
    assertThat(ids(next.records())).containsExactly("t-0@1");
  }

  @Test
  void revokedPartitionsLeaveTheBuffer() {
    List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.records("t", 0, 0, 3);
    records.forEach(buffer::add);
    KafkaRecords.records("t", 1, 0, 2).forEach(buffer::add);
    buffer.removePartitions(List.of(new TopicPartition("t", 0)));
    assertThat(ids(buffer.take(10, KafkaEventSourceMapping.MAX_PAYLOAD_BYTES).records()))
        .containsExactly("t-1@0", "t-1@1");
  }
}
