package dev.tributary.local.esm;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The settings of an event source mapping, as AWS Lambda names and bounds them for Kinesis and
 * Kafka sources.
 *
 * @param functionName the function the mapping invokes
 * @param batchSize records per batch (1 to 10,000)
 * @param maximumBatchingWindow how long to gather records before invoking (0 to 300 s)
 * @param startingPosition where a new mapping starts
 * @param startingPositionTimestamp with {@link StartingPosition#AT_TIMESTAMP}: the time
 * @param maximumRetryAttempts retries of a failing batch, -1 for until the records expire
 * @param maximumRecordAge records older than this are not retried, null for no limit
 * @param bisectBatchOnFunctionError split a failing batch in two and retry the halves
 * @param reportBatchItemFailures the function answers the first failed record, retried from there
 * @param parallelizationFactor concurrent batches per shard (1 to 10), in order per partition key
 */
public record MappingSettings(
    String functionName,
    int batchSize,
    Duration maximumBatchingWindow,
    StartingPosition startingPosition,
    Instant startingPositionTimestamp,
    int maximumRetryAttempts,
    Duration maximumRecordAge,
    boolean bisectBatchOnFunctionError,
    boolean reportBatchItemFailures,
    int parallelizationFactor) {

  /** Where a new mapping starts reading. */
  public enum StartingPosition {
    /** The oldest record. */
    TRIM_HORIZON,
    /** Only records written after the mapping starts. */
    LATEST,
    /** The first record at or after a time. */
    AT_TIMESTAMP
  }

  /** Validates each setting against AWS's bounds, naming the setting, the value and the range. */
  public MappingSettings {
    Objects.requireNonNull(functionName, "functionName");
    Objects.requireNonNull(startingPosition, "startingPosition");
    maximumBatchingWindow = maximumBatchingWindow == null ? Duration.ZERO : maximumBatchingWindow;
    check(batchSize >= 1 && batchSize <= 10_000, "BatchSize", batchSize, "1 to 10000");
    check(
        !maximumBatchingWindow.isNegative()
            && maximumBatchingWindow.compareTo(Duration.ofSeconds(300)) <= 0,
        "MaximumBatchingWindowInSeconds",
        maximumBatchingWindow,
        "0 to 300 seconds");
    check(
        maximumRetryAttempts >= -1 && maximumRetryAttempts <= 10_000,
        "MaximumRetryAttempts",
        maximumRetryAttempts,
        "-1 (until the records expire) to 10000");
    if (maximumRecordAge != null) {
      check(
          maximumRecordAge.compareTo(Duration.ofSeconds(60)) >= 0
              && maximumRecordAge.compareTo(Duration.ofSeconds(604_800)) <= 0,
          "MaximumRecordAgeInSeconds",
          maximumRecordAge,
          "60 to 604800 seconds, or none");
    }
    check(
        parallelizationFactor >= 1 && parallelizationFactor <= 10,
        "ParallelizationFactor",
        parallelizationFactor,
        "1 to 10");
    if (startingPosition == StartingPosition.AT_TIMESTAMP && startingPositionTimestamp == null) {
      throw new IllegalArgumentException(
          "StartingPosition is AT_TIMESTAMP but StartingPositionTimestamp is not set; set the time"
              + " to start from");
    }
  }

  private static void check(boolean ok, String name, Object value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(name + " is " + value + "; it must be " + range);
    }
  }

  /**
   * A mapping of {@code function} as the coordinator wants it: batch 100, no window, TRIM_HORIZON,
   * 10 retries, no maximum age, no bisect, {@code ReportBatchItemFailures} on, one lane (AWS's own
   * defaults differ in two: retries -1 and {@code ReportBatchItemFailures} off).
   */
  public static MappingSettings defaults(String function) {
    return new MappingSettings(
        function,
        100,
        Duration.ZERO,
        StartingPosition.TRIM_HORIZON,
        null,
        10,
        null,
        false,
        true,
        1);
  }

  /** A copy with another batch size. */
  public MappingSettings withBatchSize(int size) {
    return copy(
        size,
        maximumBatchingWindow,
        maximumRetryAttempts,
        bisectBatchOnFunctionError,
        parallelizationFactor);
  }

  /** A copy with another maximum batching window. */
  public MappingSettings withBatchingWindow(Duration window) {
    return copy(
        batchSize, window, maximumRetryAttempts, bisectBatchOnFunctionError, parallelizationFactor);
  }

  /** A copy with other retry settings. */
  public MappingSettings withRetries(int attempts, boolean bisect) {
    return copy(batchSize, maximumBatchingWindow, attempts, bisect, parallelizationFactor);
  }

  /** A copy with another parallelization factor. */
  public MappingSettings withParallelizationFactor(int factor) {
    return copy(
        batchSize, maximumBatchingWindow, maximumRetryAttempts, bisectBatchOnFunctionError, factor);
  }

  /** A copy with another maximum record age (null: none). */
  public MappingSettings withMaximumRecordAge(Duration age) {
    return new MappingSettings(
        functionName,
        batchSize,
        maximumBatchingWindow,
        startingPosition,
        startingPositionTimestamp,
        maximumRetryAttempts,
        age,
        bisectBatchOnFunctionError,
        reportBatchItemFailures,
        parallelizationFactor);
  }

  private MappingSettings copy(
      int size, Duration window, int attempts, boolean bisect, int factor) {
    return new MappingSettings(
        functionName,
        size,
        window,
        startingPosition,
        startingPositionTimestamp,
        attempts,
        maximumRecordAge,
        bisect,
        reportBatchItemFailures,
        factor);
  }
}
