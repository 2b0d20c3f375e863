package dev.tributary.internal.exec;

import dev.tributary.spi.Clock;
import dev.tributary.spi.OutputCollector;
import dev.tributary.spi.StateBackend;

/** What every runtime node of one executor shares. */
final class ExecutionContext {
  final String jobName;
  final int maxKeyGroups;
  final StateBackend backend;
  final Clock clock;
  final OutputCollector output;

  /** Whether functions outside keyed stages read no watermark ({@code Long.MIN_VALUE}). */
  boolean watermarkHidden;

  /**
   * Per key group, a watermark the keyed operators' records are judged against at least (null:
   * none): see {@link JobExecutor#floorWatermarks}.
   */
  java.util.function.IntToLongFunction watermarkFloor;

  /** The highest of {@link #watermarkFloor}'s values ({@code Long.MIN_VALUE}: none). */
  long highestFloor = Long.MIN_VALUE;

  ExecutionContext(
      String jobName, int maxKeyGroups, StateBackend backend, Clock clock, OutputCollector output) {
    this.jobName = jobName;
    this.maxKeyGroups = maxKeyGroups;
    this.backend = backend;
    this.clock = clock;
    this.output = output;
  }
}
