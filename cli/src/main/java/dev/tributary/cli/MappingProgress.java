package dev.tributary.cli;

import java.util.Map;

/**
 * An event source mapping's progress, for the run's progress line and its checks.
 *
 * @param recordsDelivered records in batches that succeeded (each record once)
 * @param invocations function invocations, retries included
 * @param functionErrors invocations that failed
 * @param batchesGivenUp batches sent to the on-failure destination
 * @param lagMillis per split: how far behind the stream's tip delivery is (ms), -1 if unknown
 */
public record MappingProgress(
    long recordsDelivered,
    long invocations,
    long functionErrors,
    long batchesGivenUp,
    Map<String, Long> lagMillis) {}
