package dev.tributary.execution;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What an {@link InMemoryRunner} run produced and how fast.
 *
 * @param jobName the job
 * @param recordsIn records read from all sources
 * @param sinkCounts records per sink
 * @param sinkOutputs the collected records per sink (only for sinks without a consumer)
 * @param sideOutputCounts records per side-output tag id
 * @param lateRecordsDropped late records dropped by windows
 * @param elapsed wall-clock time of the run, from the first record to the final watermark
 */
public record RunResult(
    String jobName,
    long recordsIn,
    Map<String, Long> sinkCounts,
    Map<String, List<Object>> sinkOutputs,
    Map<String, Long> sideOutputCounts,
    long lateRecordsDropped,
    Duration elapsed) {

  /** Input records per second. */
  public double recordsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : recordsIn / seconds;
  }

  /** The records the sink {@code name} received (empty when a consumer took them). */
  public List<Object> sink(String name) {
    return sinkOutputs.getOrDefault(name, List.of());
  }
}
