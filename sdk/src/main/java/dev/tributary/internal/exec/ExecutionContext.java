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

  /**
   * The watermark functions outside keyed stages read while {@link #watermarkPinned}, whatever the
   * generators emit.
   */
  long pinnedWatermark;

  /** Whether {@link #pinnedWatermark} applies. */
  boolean watermarkPinned;

  ExecutionContext(
      String jobName, int maxKeyGroups, StateBackend backend, Clock clock, OutputCollector output) {
    this.jobName = jobName;
    this.maxKeyGroups = maxKeyGroups;
    this.backend = backend;
    this.clock = clock;
    this.output = output;
  }
}
