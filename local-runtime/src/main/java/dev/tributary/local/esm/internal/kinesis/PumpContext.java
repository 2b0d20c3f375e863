package dev.tributary.local.esm.internal.kinesis;

import dev.tributary.local.esm.FunctionInvoker;
import dev.tributary.local.esm.KinesisOnFailureDestination;
import dev.tributary.local.esm.MappingSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * What every shard's record processor of one mapping shares: the settings, the function, the event
 * encoder, the on-failure destination, the clock, the lane threads and the counters.
 *
 * @param settings the mapping's settings
 * @param invoker how the function is called
 * @param functionArn the function's ARN, for on-failure records
 * @param streamArn the stream's ARN
 * @param events the event encoder
 * @param destination where given-up batches are reported
 * @param clock now, for the maximum record age and the on-failure timestamps
 * @param retryDelay the pause before retrying a failed batch
 * @param stopTimeout how long a stopping shard waits for its in-flight invocations
 * @param laneThreads the threads the lanes run on
 * @param counters the progress
 */
public record PumpContext(
    MappingSettings settings,
    FunctionInvoker invoker,
    String functionArn,
    String streamArn,
    KinesisEventJson events,
    KinesisOnFailureDestination destination,
    Clock clock,
    Duration retryDelay,
    Duration stopTimeout,
    ExecutorService laneThreads,
    Counters counters) {

  /** Requires every part. */
  public PumpContext {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(invoker, "invoker");
    Objects.requireNonNull(functionArn, "functionArn");
    Objects.requireNonNull(streamArn, "streamArn");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(retryDelay, "retryDelay");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    Objects.requireNonNull(laneThreads, "laneThreads");
    Objects.requireNonNull(counters, "counters");
  }

  /**
   * How many records one shard may hold read but unfinished before its reader waits: enough for
   * every lane to fill a batch a few times over.
   */
  int maxPendingRecords() {
    return Math.max(4 * settings.batchSize() * settings.parallelizationFactor(), 10_000);
  }
}
