package dev.tributary.local.esm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The records a Kafka event source mapping has fetched but not yet delivered, in fetch order (so in
 * offset order per partition), and how the next batch is cut from them: at most {@code batchSize}
 * records whose event fits in the payload limit (6 MB for a synchronous invocation). A record that
 * alone does not fit comes out on its own, flagged, for the on-failure destination.
 */
final class KafkaBatchBuffer {
  /**
   * A batch cut from the buffer: grouped by partition, in offset order, with each record's JSON as
   * written when it was fetched (by identity).
   */
  record Batch(
      List<ConsumerRecord<byte[], byte[]>> records,
      long payloadBytes,
      boolean oversized,
      Map<ConsumerRecord<byte[], byte[]>, byte[]> json) {
    /** A record's JSON: as written when fetched, or written now for a record not of this batch. */
    byte[] jsonOf(ConsumerRecord<byte[], byte[]> record) {
      byte[] bytes = json.get(record);
      return bytes != null ? bytes : KafkaEvents.recordJson(record);
    }
  }

  private record Entry(ConsumerRecord<byte[], byte[]> record, byte[] json) {
    int size() {
      return json.length;
    }
  }

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final int envelopeBytes;

  // how many leading records fit the next batch and what they take, kept up to date as records
  // are added, so that full() does not walk the whole buffer after every poll; computed again
  // after records leave the buffer or the limits asked for change (fitBatchSize -1: not known)
  private int fitBatchSize = -1;
  private long fitMaxBytes;
  private int fitCount;
  private long fitBytes;
  private final Set<TopicPartition> fitPartitions = new HashSet<>();

  /** A buffer for events whose envelope (all but the records) takes {@code envelopeBytes}. */
  KafkaBatchBuffer(int envelopeBytes) {
    this.envelopeBytes = envelopeBytes;
  }

  /** Appends a fetched record. */
  void add(ConsumerRecord<byte[], byte[]> record) {
    Entry e = new Entry(record, KafkaEvents.recordJson(record));
    entries.add(e);
    if (fitBatchSize >= 0 && fitCount == entries.size() - 1) {
      extendFit(e); // every record before it fits: see whether it does
    }
  }

  /** How many records wait. */
  int size() {
    return entries.size();
  }

  /** Whether no record waits. */
  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Drops the records of partitions this mapping no longer owns. */
  void removePartitions(Collection<TopicPartition> partitions) {
    Set<TopicPartition> gone = new HashSet<>(partitions);
    entries.removeIf(
        e -> gone.contains(new TopicPartition(e.record.topic(), e.record.partition())));
    fitBatchSize = -1;
  }

  /** Whether the next batch can get no bigger: it has {@code batchSize} records or the limit. */
  boolean full(int batchSize, long maxPayloadBytes) {
    int fits = fitting(batchSize, maxPayloadBytes);
    return fits < entries.size() || fits >= batchSize;
  }

  /** Takes the next batch (empty if no record waits). */
  Batch take(int batchSize, long maxPayloadBytes) {
    if (entries.isEmpty()) {
      return new Batch(List.of(), 0, false, Map.of());
    }
    int count = fitting(batchSize, maxPayloadBytes);
    fitBatchSize = -1; // records leave: the fit is computed again next time
    if (count == 0) {
      Entry e = entries.poll();
      long bytes = envelopeBytes + KafkaEvents.partitionEntrySize(partition(e.record)) + e.size();
      return new Batch(List.of(e.record), bytes, true, Map.of());
    }
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> grouped = new LinkedHashMap<>();
    long bytes = envelopeBytes;
    Map<ConsumerRecord<byte[], byte[]>, byte[]> json = new IdentityHashMap<>(count * 2);
    for (int i = 0; i < count; i++) {
      Entry e = entries.poll();
      json.put(e.record, e.json);
      List<ConsumerRecord<byte[], byte[]>> list = grouped.get(partition(e.record));
      if (list == null) {
        list = new ArrayList<>();
        grouped.put(partition(e.record), list);
        bytes += KafkaEvents.partitionEntrySize(partition(e.record));
      }
      list.add(e.record);
      bytes += e.size() + 1;
    }
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(count);
    grouped.values().forEach(records::addAll);
    return new Batch(records, bytes, false, json);
  }

  /** How many leading records fit in a batch. */
  private int fitting(int batchSize, long maxPayloadBytes) {
    if (batchSize != fitBatchSize || maxPayloadBytes != fitMaxBytes) {
      fitBatchSize = batchSize;
      fitMaxBytes = maxPayloadBytes;
      fitCount = 0;
      fitBytes = envelopeBytes;
      fitPartitions.clear();
      for (Entry e : entries) {
        if (!extendFit(e)) {
          break;
        }
      }
    }
    return fitCount;
  }

  /** Counts {@code e}, the record after the leading ones that fit, if it fits too. */
  private boolean extendFit(Entry e) {
    TopicPartition tp = partition(e.record);
    long add =
        e.size() + 1L + (fitPartitions.contains(tp) ? 0 : KafkaEvents.partitionEntrySize(tp));
    if (fitCount >= fitBatchSize || fitBytes + add > fitMaxBytes) {
      return false;
    }
    fitBytes += add;
    fitPartitions.add(tp);
    fitCount++;
    return true;
  }

  private static TopicPartition partition(ConsumerRecord<byte[], byte[]> r) {
    return new TopicPartition(r.topic(), r.partition());
  }
}
