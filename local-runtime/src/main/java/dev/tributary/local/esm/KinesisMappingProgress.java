package dev.tributary.local.esm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Kinesis event source mapping has done so far, for a runner to display: totals and, per
 * shard, how far it got and how far behind the stream's tip it reads.
 *
 * @param recordsDelivered records the function processed (their batch succeeded)
 * @param recordsDiscarded records given up and sent to the on-failure destination
 * @param batches batches finished (delivered or given up)
 * @param invocations function invocations, retries included
 * @param functionErrors invocations that failed (function error, timeout) or that Lambda refused
 *     (throttled, unreachable)
 * @param shards per shard id, in the order the mapping started them
 */
public record KinesisMappingProgress(
    long recordsDelivered,
    long recordsDiscarded,
    long batches,
    long invocations,
    long functionErrors,
    Map<String, Shard> shards) {

  /** An unmodifiable copy of the shard map, in its order. */
  public KinesisMappingProgress {
    shards = Collections.unmodifiableMap(new LinkedHashMap<>(shards));
  }

  /**
   * One shard's progress.
   *
   * @param shardId the shard
   * @param lastSequenceNumber the last record finished with every record before it (the
   *     checkpoint), null before the first
   * @param millisBehindLatest the iterator lag of the last read (GetRecords' MillisBehindLatest),
   *     null before the first
   * @param ended whether the shard was read to its end and checkpointed there (children may start)
   */
  public record Shard(
      String shardId, String lastSequenceNumber, Long millisBehindLatest, boolean ended) {}
}
