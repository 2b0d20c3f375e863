package dev.tributary.windowing;

import dev.tributary.internal.graph.DurationFormat;
import dev.tributary.serde.Serde;
import java.time.Duration;
import java.util.Collection;

/** Overlapping processing-time windows of a size, one starting every slide. */
public final class SlidingProcessingTimeWindows extends WindowAssigner<TimeWindow> {
  private final long size;
  private final long slide;

  private SlidingProcessingTimeWindows(long size, long slide) {
    this.size = size;
    this.slide = slide;
  }

  /** Windows of {@code size}, one starting every {@code slide}. */
  public static SlidingProcessingTimeWindows of(Duration size, Duration slide) {
    return new SlidingProcessingTimeWindows(
        Durations.positiveMillis("sliding window size", size),
        Durations.positiveMillis("sliding window slide", slide));
  }

  @Override
  public Collection<TimeWindow> assignWindows(
      Object element, long timestamp, long currentProcessingTime) {
    return WindowAssigners.sliding(currentProcessingTime, size, slide, 0);
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
    return "slidingProcessingTime(size="
        + DurationFormat.millis(size)
        + ", slide="
        + DurationFormat.millis(slide)
        + ")";
  }
}
