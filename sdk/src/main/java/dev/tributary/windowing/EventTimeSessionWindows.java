package dev.tributary.windowing;

import dev.tributary.internal.graph.DurationFormat;
import dev.tributary.serde.Serde;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Session windows in event time: an element opens {@code [t, t + gap)}; windows that overlap or
 * touch merge into one session.
 */
public final class EventTimeSessionWindows extends MergingWindowAssigner<TimeWindow> {
  private final long gap;

  private EventTimeSessionWindows(long gap) {
    this.gap = gap;
  }

  /** Sessions that close after {@code gap} without an element. */
  public static EventTimeSessionWindows withGap(Duration gap) {
    return new EventTimeSessionWindows(Durations.positiveMillis("session gap", gap));
  }

  @Override
  public Collection<TimeWindow> assignWindows(
      Object element, long timestamp, long currentProcessingTime) {
    WindowAssigners.requireTimestamp(timestamp, this);
    return List.of(new TimeWindow(timestamp, timestamp + gap));
  }

  @Override
  public void mergeWindows(Collection<TimeWindow> windows, MergeCallback<TimeWindow> callback) {
    TimeWindow.mergeWindows(windows, callback);
  }

  @Override
  public boolean isEventTime() {
    return true;
  }

  @Override
  public Serde<TimeWindow> windowSerde() {
    return TimeWindow.SERDE;
  }

  @Override
  public String describe() {
    return "eventTimeSession(gap=" + DurationFormat.millis(gap) + ")";
  }
}
