package dev.tributary.cli;

import java.util.Map;

/**
 * An event source mapping's progress, for the run's progress line and its checks.
 *
 * @param recordsDelivered records in batches that succeeded (each record once)
 * @param invocations function invocations, retries included
 * @param functionErrors invocations that failed
 * @param batchesGivenUp batches sent to the on-failure destination
 * @param lag per split: how far behind the stream's tip delivery is, as text ({@code 120ms} behind
 *     the tip of a Kinesis shard, {@code 35rec} not yet done in a Kafka partition)
 */
public record MappingProgress(
    long recordsDelivered,
    long invocations,
    long functionErrors,
    long batchesGivenUp,
    Map<String, String> lag) {}
