package dev.tributary.windowing;

import dev.tributary.internal.graph.DurationFormat;
import dev.tributary.serde.Serde;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Session windows in processing time: a session closes after {@code gap} without an element. */
public final class ProcessingTimeSessionWindows extends MergingWindowAssigner<TimeWindow> {
  private final long gap;

  private ProcessingTimeSessionWindows(long gap) {
    this.gap = gap;
  }

  /** Sessions that close after {@code gap} of processing time without an element. */
  public static ProcessingTimeSessionWindows withGap(Duration gap) {
    return new ProcessingTimeSessionWindows(Durations.positiveMillis("session gap", gap));
  }

  @Override
  public Collection<TimeWindow> assignWindows(
      Object element, long timestamp, long currentProcessingTime) {
    return List.of(new TimeWindow(currentProcessingTime, currentProcessingTime + gap));
  }

  @Override
  public void mergeWindows(Collection<TimeWindow> windows, MergeCallback<TimeWindow> callback) {
    TimeWindow.mergeWindows(windows, callback);
  }

  @Override
  public boolean isEventTime() {
    return false;
  }

  @Override
  public Serde<TimeWindow> windowSerde() {
    return TimeWindow.SERDE;
  }

  @Override
  public String describe() {
    return "processingTimeSession(gap=" + DurationFormat.millis(gap) + ")";
  }
}
