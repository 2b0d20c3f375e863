package dev.tributary.cdk;

import dev.tributary.cdk.internal.Problems;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.lambda.StartingPosition;

/**
 * How the event source mapping feeds the coordinator: batch size and window, where to start, how
 * many batches of one shard run at once, and when to give up on a batch. The defaults keep every
 * record: the mapping retries a failing batch until the coordinator sets the poison record aside
 * (after {@code maxAttempts} failures), so the on-failure queue only sees what the limits you set
 * here let through.
 *
 * <p>Build it with {@link #builder()}; every setting is optional.
 */
public final class EventSourceSettings {
  /** Lambda's largest batch for Kinesis and Kafka mappings. */
  public static final int MAX_BATCH_SIZE = 10_000;

  /** The longest batching window Lambda allows. */
  public static final int MAX_BATCHING_WINDOW_SECONDS = 300;

  /** The largest parallelization factor (Kinesis). */
  public static final int MAX_PARALLELIZATION_FACTOR = 10;

  /** The most retries Lambda allows besides -1 (infinite). */
  public static final int MAX_RETRY_ATTEMPTS = 10_000;

  /** The shortest record age Lambda allows. */
  public static final long MIN_RECORD_AGE_SECONDS = 60;

  /** The longest record age Lambda allows besides infinite. */
  public static final long MAX_RECORD_AGE_SECONDS = 604_800;

  private final int batchSize;
  private final Duration maxBatchingWindow;
  private final StartingPosition startingPosition;
  private final Number startingPositionTimestamp;
  private final int parallelizationFactor;
  private final int retryAttempts;
  private final Duration maxRecordAge;
  private final boolean bisectBatchOnError;

  private EventSourceSettings(Builder b) {
    this.batchSize = b.batchSize;
    this.maxBatchingWindow = b.maxBatchingWindow;
    this.startingPosition = b.startingPosition;
    this.startingPositionTimestamp = b.startingPositionTimestamp;
    this.parallelizationFactor = b.parallelizationFactor;
    this.retryAttempts = b.retryAttempts;
    this.maxRecordAge = b.maxRecordAge;
    this.bisectBatchOnError = b.bisectBatchOnError;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: 100 records, no window, from the oldest record, one batch per shard. */
  public static EventSourceSettings defaults() {
    return builder().build();
  }

  /** Records per batch (default 100). */
  public int batchSize() {
    return batchSize;
  }

  /** How long the mapping gathers records before it invokes (default none). */
  public Duration maxBatchingWindow() {
    return maxBatchingWindow;
  }

  /** Where a new mapping starts reading (default {@code TRIM_HORIZON}: every record). */
  public StartingPosition startingPosition() {
    return startingPosition;
  }

  /** With {@code AT_TIMESTAMP}: the time to start at, in Unix seconds. */
  public Number startingPositionTimestamp() {
    return startingPositionTimestamp;
  }

  /** Batches of one Kinesis shard processed at once (default 1). */
  public int parallelizationFactor() {
    return parallelizationFactor;
  }

  /** Retries of a failing batch before the mapping gives up on it; -1 (default) is unlimited. */
  public int retryAttempts() {
    return retryAttempts;
  }

  /** Records older than this go to the on-failure queue unprocessed (default: no limit). */
  public Duration maxRecordAge() {
    return maxRecordAge;
  }

  /**
   * The retries Lambda applies to a Kafka mapping whose retries are unlimited (-1) once it has an
   * on-failure destination, as every job's mapping has.
   */
  static final int KAFKA_RETRIES_WITH_DESTINATION = 10;

  /** Whether a batch whose invocation fails is split in two and retried (default false). */
  public boolean bisectBatchOnError() {
    return bisectBatchOnError;
  }

  void validate(Problems problems, boolean kinesis, int maxAttempts) {
    String p = "eventSource.";
    problems.range(
        p + "batchSize",
        batchSize,
        1,
        MAX_BATCH_SIZE,
        "records",
        "Lambda's event source mappings take 1 to 10,000 records per batch.");
    if (maxBatchingWindow != null && !maxBatchingWindow.isUnresolved()) {
      problems.range(
          p + "maxBatchingWindow",
          maxBatchingWindow.toSeconds(),
          0,
          MAX_BATCHING_WINDOW_SECONDS,
          "seconds",
          "Lambda waits at most 5 minutes for a batch; use a shorter window.");
    }
    if (kinesis) {
      problems.range(
          p + "parallelizationFactor",
          parallelizationFactor,
          1,
          MAX_PARALLELIZATION_FACTOR,
          "",
          "Lambda runs 1 to 10 batches of one shard at once.");
    } else if (parallelizationFactor != 1) {
      problems.add(
          p
              + "parallelizationFactor is "
              + parallelizationFactor
              + " but the source is Kafka, where it must be 1 (Lambda scales Kafka consumers by"
              + " partition); remove the setting");
    }
    if (retryAttempts != -1) {
      problems.range(
          p + "retryAttempts",
          retryAttempts,
          0,
          MAX_RETRY_ATTEMPTS,
          "",
          "Use -1 (the default) to retry until the coordinator sets the record aside.");
      if (retryAttempts >= 0 && retryAttempts < maxAttempts) {
        problems.add(
            p
                + "retryAttempts is "
                + retryAttempts
                + " but maxAttempts is "
                + maxAttempts
                + ": the mapping would give up on a batch before the coordinator sets its poison"
                + " record aside in the dead-letter table, and skip the records after it. Set"
                + " retryAttempts to at least "
                + maxAttempts
                + ", or -1 (unlimited)");
      }
    }
    if (!kinesis && retryAttempts == -1 && maxAttempts > KAFKA_RETRIES_WITH_DESTINATION) {
      problems.add(
          p
              + "retryAttempts is -1 (unlimited) but maxAttempts is "
              + maxAttempts
              + ": a Kafka mapping with an on-failure destination (the job's dead-letter queue)"
              + " retries a batch at most "
              + KAFKA_RETRIES_WITH_DESTINATION
              + " times when its retries are unlimited, so it would give up on a batch before the"
              + " coordinator sets its poison record aside, and skip the records after it. Set"
              + " maxAttempts to at most "
              + KAFKA_RETRIES_WITH_DESTINATION);
    }
    if (maxRecordAge != null && !maxRecordAge.isUnresolved()) {
      problems.range(
          p + "maxRecordAge",
          maxRecordAge.toSeconds(),
          MIN_RECORD_AGE_SECONDS,
          MAX_RECORD_AGE_SECONDS,
          "seconds",
          "Lambda accepts 60 seconds to 7 days; leave it unset to never discard old records.");
    }
    if (startingPosition == StartingPosition.AT_TIMESTAMP && startingPositionTimestamp == null) {
      problems.add(
          p
              + "startingPosition is AT_TIMESTAMP but startingPositionTimestamp is not set; set it"
              + " to the Unix time (seconds) to start reading at");
    }
    if (startingPosition != StartingPosition.AT_TIMESTAMP && startingPositionTimestamp != null) {
      problems.add(
          p
              + "startingPositionTimestamp is "
              + startingPositionTimestamp
              + " but startingPosition is "
              + startingPosition
              + "; the timestamp applies only to AT_TIMESTAMP, so set that or remove the timestamp");
    }
  }

  /** Builds {@link EventSourceSettings}. */
  public static final class Builder {
    private int batchSize = 100;
    private Duration maxBatchingWindow;
    private StartingPosition startingPosition = StartingPosition.TRIM_HORIZON;
    private Number startingPositionTimestamp;
    private int parallelizationFactor = 1;
    private int retryAttempts = -1;
    private Duration maxRecordAge;
    private boolean bisectBatchOnError;

    private Builder() {}

    /** Records per batch, 1 to 10,000 (default 100). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** How long to gather records before invoking, up to 5 minutes (default none). */
    public Builder maxBatchingWindow(Duration maxBatchingWindow) {
      this.maxBatchingWindow = maxBatchingWindow;
      return this;
    }

    /** Where a new mapping starts (default {@code TRIM_HORIZON}). */
    public Builder startingPosition(StartingPosition startingPosition) {
      this.startingPosition = startingPosition;
      return this;
    }

    /** With {@code AT_TIMESTAMP}: where to start, in Unix seconds. */
    public Builder startingPositionTimestamp(Number startingPositionTimestamp) {
      this.startingPositionTimestamp = startingPositionTimestamp;
      return this;
    }

    /**
     * Batches of one Kinesis shard processed at once, 1 to 10 (default 1). Above 1 the coordinator
     * keeps a checkpoint per partition key (docs/functions.md); the construct tells it the factor.
     */
    public Builder parallelizationFactor(int parallelizationFactor) {
      this.parallelizationFactor = parallelizationFactor;
      return this;
    }

    /** Retries before the mapping gives up on a batch, 0 to 10,000, or -1 (default: no limit). */
    public Builder retryAttempts(int retryAttempts) {
      this.retryAttempts = retryAttempts;
      return this;
    }

    /** The age, 60 s to 7 days, past which records go to the on-failure queue unprocessed. */
    public Builder maxRecordAge(Duration maxRecordAge) {
      this.maxRecordAge = maxRecordAge;
      return this;
    }

    /** Split a batch whose invocation fails (the coordinator throws) and retry the halves. */
    public Builder bisectBatchOnError(boolean bisectBatchOnError) {
      this.bisectBatchOnError = bisectBatchOnError;
      return this;
    }

    /** The settings; {@link StreamJob} checks them against their limits at synth time. */
    public EventSourceSettings build() {
      return new EventSourceSettings(this);
    }
  }
}
