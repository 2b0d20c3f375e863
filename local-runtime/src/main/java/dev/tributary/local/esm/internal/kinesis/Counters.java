package dev.tributary.local.esm.internal.kinesis;

import dev.tributary.local.esm.KinesisMappingProgress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The running totals and per-shard states behind {@link KinesisMappingProgress}. */
public final class Counters {
  final AtomicLong recordsDelivered = new AtomicLong();
  final AtomicLong recordsDiscarded = new AtomicLong();
  final AtomicLong batches = new AtomicLong();
  final AtomicLong invocations = new AtomicLong();
  final AtomicLong functionErrors = new AtomicLong();
  private final Map<String, ShardState> shards = new LinkedHashMap<>();

  /** One shard's state, written by its record processor. */
  static final class ShardState {
    final String shardId;
    volatile String lastSequenceNumber;
    volatile Long millisBehindLatest;
    volatile boolean ended;

    ShardState(String shardId) {
      this.shardId = shardId;
    }
  }

  synchronized ShardState shard(String shardId) {
    return shards.computeIfAbsent(shardId, ShardState::new);
  }

  /** A consistent-enough copy for display (each number is read once). */
  public synchronized KinesisMappingProgress snapshot() {
    Map<String, KinesisMappingProgress.Shard> copy = new LinkedHashMap<>();
    for (ShardState s : shards.values()) {
      copy.put(
          s.shardId,
          new KinesisMappingProgress.Shard(
              s.shardId, s.lastSequenceNumber, s.millisBehindLatest, s.ended));
    }
    return new KinesisMappingProgress(
        recordsDelivered.get(),
        recordsDiscarded.get(),
        batches.get(),
        invocations.get(),
        functionErrors.get(),
        copy);
  }
}
