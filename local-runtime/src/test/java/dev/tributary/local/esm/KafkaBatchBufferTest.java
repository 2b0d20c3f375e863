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

  /**
   * The buffer keeps how many leading records fit as records come and go; whatever the order of
   * adds, polls for fullness, takes and revocations (and limits that change between calls), it
   * answers as a count from scratch over the records waiting does.
   */
  @Test
  void theFitKeptAsRecordsComeAndGoEqualsOneCountedFromScratch() {
    java.util.Random random = new java.util.Random(7);
    List<ConsumerRecord<byte[], byte[]>> waiting = new java.util.ArrayList<>();
    long[] offsets = new long[3];
    int envelope = KafkaEvents.envelopeSize(SOURCE);
    for (int step = 0; step < 5_000; step++) {
      int batchSize = random.nextInt(10) < 8 ? 12 : 1 + random.nextInt(20);
      long limit = random.nextInt(10) < 8 ? 6_000 : 2_000 + random.nextInt(20_000);
      int op = random.nextInt(10);
      if (op < 6) {
        int p = random.nextInt(3);
        ConsumerRecord<byte[], byte[]> r =
            record(
                "t",
                p,
                offsets[p]++,
                1,
                "k",
                value(1 + random.nextInt(random.nextInt(10) == 0 ? 8_000 : 900)));
        buffer.add(r);
        waiting.add(r);
      } else if (op < 8) {
        int fits = fromScratch(waiting, envelope, batchSize, limit);
        assertThat(buffer.full(batchSize, limit))
            .as("step %d", step)
            .isEqualTo(fits < waiting.size() || fits >= batchSize);
      } else if (op < 9) {
        int fits = fromScratch(waiting, envelope, batchSize, limit);
        KafkaBatchBuffer.Batch batch = buffer.take(batchSize, limit);
        List<ConsumerRecord<byte[], byte[]>> expected =
            new java.util.ArrayList<>(
                waiting.subList(0, waiting.isEmpty() ? 0 : Math.max(fits, 1)));
        waiting.removeAll(expected);
        assertThat(batch.oversized())
            .as("step %d", step)
            .isEqualTo(!expected.isEmpty() && fits == 0);
        assertThat(batch.records())
            .as("step %d", step)
            .containsExactlyInAnyOrderElementsOf(expected);
      } else {
        TopicPartition gone = new TopicPartition("t", random.nextInt(3));
        buffer.removePartitions(List.of(gone));
        waiting.removeIf(r -> r.partition() == gone.partition());
      }
      assertThat(buffer.size()).isEqualTo(waiting.size());
    }
  }

  /** How many leading records of {@code records} fit a batch, counted from scratch. */
  private static int fromScratch(
      List<ConsumerRecord<byte[], byte[]>> records, int envelope, int batchSize, long limit) {
    long bytes = envelope;
    java.util.Set<TopicPartition> partitions = new java.util.HashSet<>();
    int count = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      long add =
          KafkaEvents.recordSize(r)
              + 1L
              + (partitions.contains(tp) ? 0 : KafkaEvents.partitionEntrySize(tp));
      if (count >= batchSize || bytes + add > limit) {
        break;
      }
      bytes += add;
      partitions.add(tp);
      count++;
    }
    return count;
  }
}
