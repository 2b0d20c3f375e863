package dev.tributary.coordinator;

import dev.tributary.operator.Functions;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.SlotExecutor;
import dev.tributary.operator.Telemetry;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.spi.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;

/**
 * The coordinator's parts, built once per Lambda container from {@link RuntimeSettings}: the
 * DynamoDB client, the invokers (the operator function through {@link LambdaAsyncClient}, and
 * in-process slot executors), and the {@link Coordinator}.
 */
public final class CoordinatorRuntime {
  private static volatile CoordinatorRuntime shared;

  private final RuntimeSettings settings;
  private final Coordinator coordinator;
  private final Telemetry telemetry;
  private final Clock clock;
  private final ShardLister shards;
  private final java.util.Set<String> listedStreams = new java.util.HashSet<>();
  private final java.util.concurrent.atomic.AtomicBoolean startHeld =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** A runtime of {@code settings} on {@code dynamo}, with the given invokers. */
  public CoordinatorRuntime(
      RuntimeSettings settings,
      DynamoDbClient dynamo,
      SlotInvoker lambda,
      SlotInvoker inProcess,
      Clock clock) {
    this(settings, dynamo, lambda, inProcess, clock, null);
  }

  /**
   * A runtime that also declares each Kinesis stream's open shards, listed by {@code shards}, as
   * splits when {@code TRIBUTARY_SPLITS} is not set (null: never list).
   */
  public CoordinatorRuntime(
      RuntimeSettings settings,
      DynamoDbClient dynamo,
      SlotInvoker lambda,
      SlotInvoker inProcess,
      Clock clock,
      ShardLister shards) {
    this.shards = shards;
    this.settings = settings;
    this.clock = clock;
    this.coordinator = new Coordinator(settings, dynamo, lambda, inProcess, clock);
    this.telemetry = new Telemetry(settings.metricsName(), "coordinator");
  }

  /** Processes a batch and reports it (metrics, logs). */
  Coordinator.Outcome process(String split, java.util.List<SourceRecord> records) {
    return process(split, records, Coordinator.NO_DEADLINE);
  }

  /**
   * Processes a batch by {@code deadline} ({@link Coordinator#process(String, String,
   * java.util.List, long)}).
   */
  Coordinator.Outcome process(String split, java.util.List<SourceRecord> records, long deadline) {
    long start = System.nanoTime();
    Coordinator.Outcome outcome = coordinator.process(null, split, records, deadline);
    long lag = -1;
    for (SourceRecord r : records) {
      if (r.timestamp() != Long.MIN_VALUE) {
        lag = Math.max(0, clock.currentTimeMillis() - r.timestamp());
      }
    }
    telemetry.batch(
        split,
        records.size(),
        outcome.skipped(),
        outcome.deadLettered(),
        outcome.responses(),
        (System.nanoTime() - start) / 1_000_000,
        lag);
    for (Coordinator.SlotFailure failure : outcome.failures()) {
      telemetry.slotFailed(failure.split(), failure.slot(), failure.error());
    }
    if (outcome.missedDeadline() > 0) {
      telemetry.deadlineMissed(
          split,
          outcome.missedDeadline(),
          "the coordinator's deadline came before every slot answered (its time left, less a"
              + " margin); what they commit counts when the event source mapping delivers the"
              + " batch again. Give the coordinator more time than the operators need");
    }
    if (outcome.firstUncommitted() >= 0) {
      telemetry.log(
          "WARN",
          "batch not fully committed; the event source mapping delivers it again from the record",
          java.util.Map.of(
              "split", split, "sequence", records.get(outcome.firstUncommitted()).sequence()));
    }
    return outcome;
  }

  /**
   * When this invocation must have answered ({@link System#nanoTime()}): Lambda's time left, less a
   * fifth of it and at most 10 s, for the answer and the metrics; {@link Coordinator#NO_DEADLINE}
   * without a context (local runs, tests).
   */
  static long deadline(com.amazonaws.services.lambda.runtime.Context context) {
    if (context == null || context.getRemainingTimeInMillis() <= 0) {
      return Coordinator.NO_DEADLINE;
    }
    long left = context.getRemainingTimeInMillis();
    return System.nanoTime() + (left - Math.min(10_000, left / 5)) * 1_000_000L;
  }

  /**
   * Logs a partition of a Kafka batch that failed while others went on: its batch is delivered
   * again from its first record.
   */
  void partitionFailed(String split, RuntimeException e) {
    telemetry.partitionFailed(split, e);
  }

  /**
   * Logs a partition of a Kafka batch not started for lack of time, and counts it in {@code
   * DeadlineMisses}: it is delivered again.
   */
  void partitionDeferred(String split) {
    telemetry.deadlineMissed(
        split,
        1,
        "the coordinator's deadline came before this partition's turn; the event source mapping"
            + " delivers it again from its first record. Give the coordinator more time, or"
            + " smaller batches");
  }

  /**
   * The first time a batch of the Kinesis stream {@code streamArn} comes, declares the stream's
   * open shards as splits ({@code <stream name>/<shard id>}), unless {@code TRIBUTARY_SPLITS} names
   * the splits or no lister is set. A failed listing is logged and the batch goes on.
   */
  void declareShards(String streamArn, String streamName) {
    if (shards == null || !settings.splits().isEmpty() || streamArn == null) {
      return;
    }
    synchronized (listedStreams) {
      if (!listedStreams.add(streamArn)) {
        return;
      }
    }
    try {
      java.util.List<String> splits = new java.util.ArrayList<>();
      for (String shard : shards.openShards(streamArn)) {
        splits.add(KinesisHandler.splitName(streamName, shard));
      }
      coordinator.declareSplits(splits);
    } catch (RuntimeException e) {
      telemetry.log(
          "WARN",
          "cannot list the stream's shards (kinesis:ListShards); shards not seen yet do not hold the"
              + " watermark until their first batch. Grant the permission or set TRIBUTARY_SPLITS",
          java.util.Map.of("stream", streamArn, "error", String.valueOf(e)));
    }
  }

  /**
   * The first time a Kafka batch comes, declares the start hold ({@link
   * SplitWatermarks#START_HOLD}) unless {@code TRIBUTARY_SPLITS} names the partitions: the
   * coordinator cannot list a topic's partitions (that takes a Kafka client inside the cluster's
   * network), so instead no window fires during the job's first idle timeout, and every partition
   * that starts within it counts.
   */
  void holdStartForUndeclaredPartitions() {
    if (!settings.splits().isEmpty() || !startHeld.compareAndSet(false, true)) {
      return;
    }
    coordinator.declareSplits(java.util.List.of(SplitWatermarks.START_HOLD));
  }

  /** Runs the tick and reports it. */
  java.util.List<OperatorResponse> tick() {
    long start = System.nanoTime();
    java.util.List<OperatorResponse> responses = coordinator.tick();
    telemetry.batch(null, 0, 0, 0, responses, (System.nanoTime() - start) / 1_000_000, -1);
    return responses;
  }

  /** The runtime of this container's environment (built on first use, then shared). */
  public static CoordinatorRuntime fromEnvironment() {
    CoordinatorRuntime r = shared;
    if (r == null) {
      synchronized (CoordinatorRuntime.class) {
        r = shared;
        if (r == null) {
          shared = r = build(RuntimeSettings.fromEnvironment());
        }
      }
    }
    return r;
  }

  private static CoordinatorRuntime build(RuntimeSettings settings) {
    DynamoDbClient dynamo = Functions.dynamoDb();
    settings.tables().validate(dynamo);
    SlotInvoker inProcess =
        new InProcessInvoker(
            () -> Functions.slotExecutorUnchecked(settings, dynamo),
            Math.max(1, Math.min(settings.slots(), 4)));
    SlotInvoker lambda;
    if (settings.operatorFunction() != null) {
      lambda =
          new LambdaInvoker(
              LambdaAsyncClient.builder()
                  .httpClientBuilder(LambdaInvoker.httpClient(settings.slots() * 2))
                  .build(),
              settings.operatorFunction(),
              true,
              inProcess);
    } else if (settings.fanOut() == RuntimeSettings.FanOut.IN_PROCESS) {
      lambda = inProcess;
    } else {
      throw new IllegalArgumentException(
          RuntimeSettings.OPERATOR_FUNCTION
              + " is not set but "
              + RuntimeSettings.FAN_OUT
              + " is "
              + settings.fanOut()
              + "; set it to the operator function's name or ARN, or set "
              + RuntimeSettings.FAN_OUT
              + "=in-process to run every slot in the coordinator");
    }
    return new CoordinatorRuntime(
        settings,
        dynamo,
        lambda,
        inProcess,
        Clock.system(),
        ShardLister.kinesis(
            () ->
                software.amazon.awssdk.services.kinesis.KinesisClient.builder()
                    .httpClient(
                        software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()
                            .build())
                    .build()));
  }

  /** The settings. */
  public RuntimeSettings settings() {
    return settings;
  }

  /** The coordinator. */
  public Coordinator coordinator() {
    return coordinator;
  }

  /** For tests: an executor like the in-process invoker's. */
  static SlotExecutor executor(RuntimeSettings settings, DynamoDbClient dynamo) {
    return Functions.slotExecutorUnchecked(settings, dynamo);
  }
}
