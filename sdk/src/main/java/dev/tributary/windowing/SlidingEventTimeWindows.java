package dev.tributary.windowing;

import dev.tributary.internal.graph.DurationFormat;
import dev.tributary.serde.Serde;
import java.time.Duration;
import java.util.Collection;

/** Overlapping event-time windows of a size, one starting every slide. */
public final class SlidingEventTimeWindows extends WindowAssigner<TimeWindow> {
  private final long size;
  private final long slide;
  private final long offset;

  private SlidingEventTimeWindows(long size, long slide, long offset) {
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }

  /** Windows of {@code size}, one starting every {@code slide}. */
  public static SlidingEventTimeWindows of(Duration size, Duration slide) {
    return new SlidingEventTimeWindows(
        Durations.positiveMillis("sliding window size", size),
        Durations.positiveMillis("sliding window slide", slide),
        0);
  }

  /** Windows of {@code size}, one every {@code slide}, shifted by {@code offset}. */
  public static SlidingEventTimeWindows of(Duration size, Duration slide, Duration offset) {
    long slideMillis = Durations.positiveMillis("sliding window slide", slide);
    return new SlidingEventTimeWindows(
        Durations.positiveMillis("sliding window size", size),
        slideMillis,
        Durations.offsetMillis("sliding window", offset, slideMillis));
  }

  @Override
  public Collection<TimeWindow> assignWindows(
      Object element, long timestamp, long currentProcessingTime) {
    WindowAssigners.requireTimestamp(timestamp, this);
    return WindowAssigners.sliding(timestamp, size, slide, offset);
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
    return "slidingEventTime(size="
        + DurationFormat.millis(size)
        + ", slide="
        + DurationFormat.millis(slide)
        + ")";
  }
}
