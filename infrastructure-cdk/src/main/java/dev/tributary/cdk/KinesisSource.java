package dev.tributary.cdk;

import dev.tributary.cdk.internal.Problems;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.kinesis.IStream;
import software.amazon.awscdk.services.kinesis.Stream;
import software.amazon.awscdk.services.kinesis.StreamEncryption;
import software.amazon.awscdk.services.kinesis.StreamMode;
import software.amazon.awscdk.services.lambda.IEventSourceDlq;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.eventsources.KinesisEventSource;
import software.amazon.awscdk.services.lambda.eventsources.KinesisEventSourceProps;
import software.constructs.Construct;

/**
 * A Kinesis data stream as a job's source: one you already have ({@link #existing}), or a new one,
 * on-demand ({@link #onDemand}) or with a fixed number of shards ({@link #provisioned}), encrypted
 * with the AWS-managed Kinesis key. Each shard is a split; the coordinator runs {@code
 * KinesisHandler}.
 */
public final class KinesisSource extends JobSource {
  /** The shortest retention Kinesis allows. */
  public static final Duration MIN_RETENTION = Duration.hours(24);

  /** The longest retention Kinesis allows (365 days). */
  public static final Duration MAX_RETENTION = Duration.hours(8760);

  private final IStream existing;
  private final StreamMode mode;
  private final Integer shardCount;
  private final Duration retention;
  private IStream stream;

  private KinesisSource(IStream existing, StreamMode mode, Integer shardCount, Duration retention) {
    this.existing = existing;
    this.mode = mode;
    this.shardCount = shardCount;
    this.retention = retention;
  }

  /** A stream defined elsewhere (in this app, or imported with {@code Stream.fromStreamArn}). */
  public static KinesisSource existing(IStream stream) {
    return new KinesisSource(Objects.requireNonNull(stream, "stream"), null, null, null);
  }

  /** A new on-demand stream (capacity follows the traffic), 24 hours of retention. */
  public static KinesisSource onDemand() {
    return new KinesisSource(null, StreamMode.ON_DEMAND, null, MIN_RETENTION);
  }

  /** A new provisioned stream with {@code shardCount} shards, 24 hours of retention. */
  public static KinesisSource provisioned(int shardCount) {
    return new KinesisSource(null, StreamMode.PROVISIONED, shardCount, MIN_RETENTION);
  }

  /** The same new stream, keeping records for {@code retention} (24 hours to 365 days). */
  public KinesisSource withRetention(Duration retention) {
    return new KinesisSource(existing, mode, shardCount, retention);
  }

  @Override
  boolean isKinesis() {
    return true;
  }

  @Override
  String handler() {
    return dev.tributary.cdk.internal.FunctionEnvironment.KINESIS_HANDLER;
  }

  @Override
  void validate(Problems problems) {
    if (existing != null) {
      return;
    }
    if (mode == StreamMode.PROVISIONED) {
      problems.range(
          "source.shardCount",
          shardCount,
          1,
          10_000,
          "shards",
          "Give the provisioned stream at least one shard, or use KinesisSource.onDemand().");
    }
    if (retention == null) {
      problems.add("source.retention is not set; use a duration from 24 hours to 365 days");
    } else if (!retention.isUnresolved()) {
      problems.range(
          "source.retention",
          retention.toHours(),
          24,
          8760,
          "hours",
          "Kinesis keeps records 24 hours to 365 days; choose a retention in that range.");
    }
  }

  @Override
  void bind(
      Construct scope,
      IFunction target,
      EventSourceSettings settings,
      IEventSourceDlq onFailure,
      String jobName) {
    if (existing != null) {
      stream = existing;
    } else {
      Stream.Builder created =
          Stream.Builder.create(scope, "Stream")
              .streamMode(mode)
              .encryption(StreamEncryption.MANAGED)
              .retentionPeriod(retention);
      if (mode == StreamMode.PROVISIONED) {
        created.shardCount(shardCount);
      }
      stream = created.build();
    }
    KinesisEventSourceProps.Builder props =
        KinesisEventSourceProps.builder()
            .startingPosition(settings.startingPosition())
            .batchSize(settings.batchSize())
            .parallelizationFactor(settings.parallelizationFactor())
            .retryAttempts(settings.retryAttempts())
            .bisectBatchOnError(settings.bisectBatchOnError())
            .reportBatchItemFailures(true)
            .onFailure(onFailure);
    if (settings.maxBatchingWindow() != null) {
      props.maxBatchingWindow(settings.maxBatchingWindow());
    }
    if (settings.maxRecordAge() != null) {
      props.maxRecordAge(settings.maxRecordAge());
    }
    if (settings.startingPositionTimestamp() != null) {
      props.startingPositionTimestamp(settings.startingPositionTimestamp());
    }
    target.addEventSource(new KinesisEventSource(stream, props.build()));
  }

  @Override
  IStream stream() {
    return stream;
  }

  @Override
  IMetric lagMetric(IFunction coordinator) {
    return coordinator.metric(
        "IteratorAge",
        MetricOptions.builder().statistic("Maximum").period(Duration.minutes(1)).build());
  }

  @Override
  String describe() {
    if (existing != null) {
      return "an existing Kinesis stream";
    }
    return mode == StreamMode.ON_DEMAND
        ? "a new on-demand Kinesis stream"
        : "a new provisioned Kinesis stream of " + shardCount + " shards";
  }
}
