package dev.tributary.cdk;

import dev.tributary.cdk.internal.Problems;
import dev.tributary.cdk.internal.SplitNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Token;
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
 *
 * <p>The coordinator is told the stream's shards at the job's start ({@code TRIBUTARY_SPLITS},
 * {@code <stream name>/<shard id>}) for a new provisioned stream, whose shards are {@code
 * shardId-000000000000} and on, and for any stream whose shards are declared with {@link
 * #withShardIds}. Each of them then holds the watermark until it delivers records or stays quiet
 * for the idle timeout, so that a shard whose first batch comes after another's does not find its
 * first records late.
 */
public final class KinesisSource extends JobSource {
  /** The shortest retention Kinesis allows. */
  public static final Duration MIN_RETENTION = Duration.hours(24);

  /** The longest retention Kinesis allows (365 days). */
  public static final Duration MAX_RETENTION = Duration.hours(8760);

  /** A shard id as Kinesis's API allows it. */
  private static final Pattern SHARD_ID = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

  /** A new stream's name when validating, before CloudFormation chooses it: at its longest. */
  private static final String NEW_STREAM_NAME = "s".repeat(SplitNames.TOKEN_LENGTH);

  private final IStream existing;
  private final StreamMode mode;
  private final Integer shardCount;
  private final Duration retention;
  private final List<String> shardIds;
  private IStream stream;

  private KinesisSource(
      IStream existing,
      StreamMode mode,
      Integer shardCount,
      Duration retention,
      List<String> shardIds) {
    this.existing = existing;
    this.mode = mode;
    this.shardCount = shardCount;
    this.retention = retention;
    this.shardIds = shardIds;
  }

  /** A stream defined elsewhere (in this app, or imported with {@code Stream.fromStreamArn}). */
  public static KinesisSource existing(IStream stream) {
    return new KinesisSource(Objects.requireNonNull(stream, "stream"), null, null, null, null);
  }

  /** A new on-demand stream (capacity follows the traffic), 24 hours of retention. */
  public static KinesisSource onDemand() {
    return new KinesisSource(null, StreamMode.ON_DEMAND, null, MIN_RETENTION, null);
  }

  /**
   * A new provisioned stream with {@code shardCount} shards, 24 hours of retention. Its shards,
   * {@code shardId(0)} to {@code shardId(shardCount - 1)}, are declared to the coordinator.
   */
  public static KinesisSource provisioned(int shardCount) {
    return new KinesisSource(null, StreamMode.PROVISIONED, shardCount, MIN_RETENTION, null);
  }

  /**
   * The id Kinesis gives the shard {@code index} of a new stream, {@code shardId-000000000000} for
   * 0 (the shards a stream is created with are numbered from 0).
   */
  public static String shardId(int index) {
    return String.format(Locale.ROOT, "shardId-%012d", index);
  }

  /** The same new stream, keeping records for {@code retention} (24 hours to 365 days). */
  public KinesisSource withRetention(Duration retention) {
    return new KinesisSource(existing, mode, shardCount, retention, shardIds);
  }

  /**
   * The same source, declaring the stream's open shards at the job's start ({@code aws kinesis
   * list-shards}), e.g. {@code shardId(0)} to {@code shardId(3)} for a new on-demand stream of 4
   * shards; for a provisioned stream, instead of the shards it is created with. The coordinator
   * gets them as {@code <stream name>/<shard id>}; each holds the watermark from the job's first
   * batch until it delivers records or stays quiet for the idle timeout.
   */
  public KinesisSource withShardIds(List<String> shardIds) {
    return new KinesisSource(existing, mode, shardCount, retention, List.copyOf(shardIds));
  }

  /** As {@link #withShardIds(List)}. */
  public KinesisSource withShardIds(String... shardIds) {
    return withShardIds(List.of(shardIds));
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
    if (shardIds != null) {
      if (shardIds.isEmpty()) {
        problems.add(
            "source.shardIds is empty; list the stream's open shards at the job's start (aws"
                + " kinesis list-shards --stream-name <name>), e.g. shardId-000000000000, or do not"
                + " declare them");
      }
      Set<String> seen = new HashSet<>();
      for (String id : shardIds) {
        if (!Token.isUnresolved(id) && !SHARD_ID.matcher(id).matches()) {
          problems.add(
              "source.shardIds has '"
                  + id
                  + "'; a shard id is 1 to 128 characters of [a-zA-Z0-9_.-], e.g."
                  + " shardId-000000000000 (aws kinesis list-shards --stream-name <name>)");
        } else if (!seen.add(id)) {
          problems.add("source.shardIds has '" + id + "' twice; list each shard once");
        }
      }
      SplitNames.checkLength(
          problems,
          "source.shardIds",
          names(existing != null ? existing.getStreamName() : NEW_STREAM_NAME, shardIds),
          "Declare fewer shards, or none.");
    }
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
      String jobName,
      RemovalPolicy removalPolicy) {
    if (existing != null) {
      stream = existing;
    } else {
      Stream.Builder created =
          Stream.Builder.create(scope, "Stream")
              .streamMode(mode)
              .encryption(StreamEncryption.MANAGED)
              .retentionPeriod(retention)
              .removalPolicy(removalPolicy);
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
  List<String> splits() {
    if (shardIds != null) {
      return names(stream.getStreamName(), shardIds);
    }
    if (existing == null && mode == StreamMode.PROVISIONED) {
      return names(
          stream.getStreamName(),
          IntStream.range(0, shardCount).mapToObj(KinesisSource::shardId).toList());
    }
    return null;
  }

  @Override
  boolean declaresSplits() {
    return shardIds != null;
  }

  /** {@code <stream name>/<shard id>} of each shard. */
  private static List<String> names(String streamName, List<String> ids) {
    List<String> names = new ArrayList<>(ids.size());
    for (String id : ids) {
      names.add(streamName + "/" + id);
    }
    return names;
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
