package dev.tributary.local.esm;

import dev.tributary.local.esm.KafkaEvents.Answer;
import dev.tributary.local.esm.KafkaEvents.FunctionError;
import dev.tributary.local.esm.KafkaEvents.InvalidAnswer;
import dev.tributary.local.esm.KafkaEvents.NotInvoked;
import dev.tributary.local.esm.KafkaEvents.PartialFailure;
import dev.tributary.local.esm.KafkaEvents.Success;
import dev.tributary.local.esm.KafkaOnFailureRecord.Condition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * How a Kafka event source mapping delivers one batch, which may hold records of several partitions
 * (grouped by partition, each in offset order), until every record is processed or given up. It
 * follows {@link Delivery}'s rules as AWS documents them for Kafka, but answers are per partition:
 * a {@code batchItemFailures} answer names, per partition, the offset to deliver again from, so
 * partitions it does not name are done while the named ones are retried from there.
 *
 * <ul>
 *   <li>Success: the batch is done.
 *   <li>Partial failure: records before each named offset, and partitions not named, are done; the
 *       rest is invoked again at once if that made progress, else it counts as a retry. An answer
 *       naming a partition or offset that is not in the batch fails the whole batch.
 *   <li>Function error (or an invalid answer): with bisect on and more than one record, the batch
 *       is split in two halves delivered one after the other (splitting does not use a retry, as
 *       AWS documents); otherwise it is retried after a backoff until {@code MaximumRetryAttempts}
 *       retries are used (-1: forever, or 10 when an on-failure destination is set, as AWS does),
 *       then given up with {@link Condition#RetryAttemptsExhausted}.
 *   <li>Not invoked (Lambda throttled the call or could not be reached): tried again after a
 *       backoff, without using a retry or splitting, until the records pass the maximum age.
 *   <li>Before each invocation, records older than {@code MaximumRecordAge} (a prefix of each
 *       partition) are given up with {@link Condition#RecordAgeExceeded}.
 * </ul>
 *
 * <p>Records are reported done per partition in offset order, so the offsets to commit only grow.
 * When {@code stopping} turns true the delivery returns before its next invocation and what was not
 * reported done is delivered again by the next owner of the partition.
 */
final class KafkaDelivery {
  /** The longest pause between two retries of a failing batch. */
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

  /** Retries AWS applies when MaximumRetryAttempts is -1 and an on-failure destination is set. */
  static final int RETRIES_WITH_DESTINATION = 10;

  /** Invokes the function with a batch and says what it answered. */
  @FunctionalInterface
  interface Invoker {
    /** One invocation. */
    Answer invoke(List<ConsumerRecord<byte[], byte[]>> batch);
  }

  /** Learns which records are done. */
  interface Listener {
    /**
     * {@code count} more records of {@code tp}, up to {@code nextOffset - 1}, are done: processed
     * by the function, or (when {@code processed} is false) given up.
     */
    void done(TopicPartition tp, long nextOffset, int count, boolean processed);

    /**
     * {@code records} are given up for {@code condition} after {@code invocations} invocations with
     * them; {@code last} is the last answer (null if they were never sent).
     */
    void givenUp(
        List<ConsumerRecord<byte[], byte[]>> records,
        Condition condition,
        int invocations,
        Answer last);
  }

  /** Waits before a retry; returns early when the mapping stops. */
  @FunctionalInterface
  interface Pause {
    /** Waits up to {@code delay}. */
    void sleep(Duration delay);
  }

  private final MappingSettings settings;
  private final int maxRetries;
  private final Invoker invoker;
  private final Listener listener;
  private final LongSupplier clock;
  private final BooleanSupplier stopping;
  private final Pause pause;
  private final Duration firstRetryDelay;

  /**
   * A delivery under {@code settings}; {@code withDestination} tells whether an on-failure
   * destination is set, {@code clock} is now in epoch milliseconds (record ages compare with the
   * records' timestamps), {@code firstRetryDelay} is the first backoff (doubling to {@link
   * #MAX_RETRY_DELAY}).
   */
  KafkaDelivery(
      MappingSettings settings,
      boolean withDestination,
      Invoker invoker,
      Listener listener,
      LongSupplier clock,
      BooleanSupplier stopping,
      Pause pause,
      Duration firstRetryDelay) {
    this.settings = settings;
    int retries = settings.maximumRetryAttempts();
    this.maxRetries = retries < 0 && withDestination ? RETRIES_WITH_DESTINATION : retries;
    this.invoker = invoker;
    this.listener = listener;
    this.clock = clock;
    this.stopping = stopping;
    this.pause = pause;
    this.firstRetryDelay = firstRetryDelay;
  }

  /** Delivers {@code batch} (grouped by partition, in offset order) until all of it is done. */
  void deliver(List<ConsumerRecord<byte[], byte[]>> batch) {
    deliver(batch, 0, 0, null);
  }

  /**
   * Delivers {@code batch}, which has used {@code retriesSoFar} retries and was part of {@code
   * invocationsSoFar} invocations, the last answering {@code lastSoFar} (a bisected half carries
   * its whole batch's, as the on-failure record counts every invocation with the records).
   */
  private void deliver(
      List<ConsumerRecord<byte[], byte[]>> batch,
      int retriesSoFar,
      int invocationsSoFar,
      Answer lastSoFar) {
    List<ConsumerRecord<byte[], byte[]>> pending = batch;
    int retries = retriesSoFar;
    int invocations = invocationsSoFar;
    int notInvoked = 0;
    Answer last = lastSoFar;
    while (!pending.isEmpty()) {
      if (stopping.getAsBoolean()) {
        return;
      }
      List<ConsumerRecord<byte[], byte[]>> expired = expiredPrefixes(pending);
      if (!expired.isEmpty()) {
        giveUp(expired, Condition.RecordAgeExceeded, invocations, last);
        pending = without(pending, expired);
        continue;
      }
      Answer answer = invoker.invoke(pending);
      if (answer instanceof NotInvoked) {
        // before invocation (a throttle): tried again until the records expire, no retry used
        pause.sleep(delay(++notInvoked));
        continue;
      }
      notInvoked = 0;
      invocations++;
      last = answer;
      if (answer instanceof Success) {
        report(pending, true);
        return;
      }
      if (answer instanceof PartialFailure p) {
        String invalid = notInBatch(p, pending);
        if (invalid != null) {
          answer = new InvalidAnswer(invalid);
          last = answer;
        } else {
          List<ConsumerRecord<byte[], byte[]>> remaining = from(pending, p.resumeAt());
          report(without(pending, remaining), true);
          if (remaining.size() < pending.size()) {
            pending = remaining; // progress: the rest is a new attempt
            continue;
          }
        }
      }
      boolean failed = answer instanceof FunctionError || answer instanceof InvalidAnswer;
      if (failed && settings.bisectBatchOnFunctionError() && pending.size() > 1) {
        int half = pending.size() / 2;
        deliver(pending.subList(0, half), retries, invocations, answer);
        deliver(pending.subList(half, pending.size()), retries, invocations, answer);
        return;
      }
      if (maxRetries >= 0 && retries >= maxRetries) {
        giveUp(pending, Condition.RetryAttemptsExhausted, invocations, answer);
        return;
      }
      retries++;
      pause.sleep(delay(retries));
    }
  }

  private Duration delay(int retry) {
    if (firstRetryDelay.isZero()) {
      return Duration.ZERO;
    }
    Duration d = firstRetryDelay;
    for (int i = 1; i < retry && d.compareTo(MAX_RETRY_DELAY) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : d;
  }

  private void giveUp(
      List<ConsumerRecord<byte[], byte[]>> records,
      Condition condition,
      int invocations,
      Answer last) {
    listener.givenUp(records, condition, invocations, last);
    report(records, false);
  }

  private void report(List<ConsumerRecord<byte[], byte[]>> records, boolean processed) {
    Map<TopicPartition, long[]> byPartition = new LinkedHashMap<>(); // next offset, count
    for (ConsumerRecord<byte[], byte[]> r : records) {
      long[] e =
          byPartition.computeIfAbsent(
              new TopicPartition(r.topic(), r.partition()), tp -> new long[2]);
      e[0] = r.offset() + 1;
      e[1]++;
    }
    byPartition.forEach((tp, e) -> listener.done(tp, e[0], (int) e[1], processed));
  }

  /** Per partition, the leading records older than the maximum record age. */
  private List<ConsumerRecord<byte[], byte[]>> expiredPrefixes(
      List<ConsumerRecord<byte[], byte[]>> records) {
    Duration age = settings.maximumRecordAge();
    if (age == null) {
      return List.of();
    }
    long now = clock.getAsLong();
    List<ConsumerRecord<byte[], byte[]>> expired = new ArrayList<>();
    TopicPartition current = null;
    boolean live = false;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (!tp.equals(current)) {
        current = tp;
        live = false;
      }
      if (!live && r.timestamp() >= 0 && now - r.timestamp() > age.toMillis()) {
        expired.add(r);
      } else {
        live = true;
      }
    }
    return expired;
  }

  /** Why the answer does not fit the batch, or null if every named record is in it. */
  private static String notInBatch(
      PartialFailure answer, List<ConsumerRecord<byte[], byte[]>> batch) {
    for (Map.Entry<TopicPartition, Long> e : answer.resumeAt().entrySet()) {
      long first = -1;
      long lastOffset = -1;
      boolean found = false;
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        if (r.partition() == e.getKey().partition() && r.topic().equals(e.getKey().topic())) {
          first = first < 0 ? r.offset() : first;
          lastOffset = r.offset();
          found |= r.offset() == e.getValue();
        }
      }
      if (!found) {
        String key = KafkaEvents.partitionKey(e.getKey());
        return "batchItemFailures names partition "
            + key
            + " offset "
            + e.getValue()
            + ", which is not in the batch ("
            + (first < 0
                ? "it has no records of " + key
                : "it holds " + key + " offsets " + first + " to " + lastOffset)
            + "); name the first failed record of the event, so Lambda treats the whole batch"
            + " as failed";
      }
    }
    return null;
  }

  /** The records at or after each named offset of a named partition. */
  private static List<ConsumerRecord<byte[], byte[]>> from(
      List<ConsumerRecord<byte[], byte[]>> batch, Map<TopicPartition, Long> resumeAt) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      Long at = resumeAt.get(new TopicPartition(r.topic(), r.partition()));
      if (at != null && r.offset() >= at) {
        out.add(r);
      }
    }
    return out;
  }

  private static List<ConsumerRecord<byte[], byte[]>> without(
      List<ConsumerRecord<byte[], byte[]>> all, List<ConsumerRecord<byte[], byte[]>> some) {
    if (some.isEmpty()) {
      return all;
    }
    Set<ConsumerRecord<byte[], byte[]>> drop = Collections.newSetFromMap(new IdentityHashMap<>());
    drop.addAll(some);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(all.size() - some.size());
    for (ConsumerRecord<byte[], byte[]> r : all) {
      if (!drop.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }
}
