package dev.tributary.windowing;

import dev.tributary.internal.graph.DurationFormat;
import dev.tributary.serde.Serde;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Fixed-size windows in processing time: an element goes to the window of the moment it is
 * processed; the window fires when the clock passes its end.
 */
public final class TumblingProcessingTimeWindows extends WindowAssigner<TimeWindow> {
  private final long size;
  private final long offset;

  private TumblingProcessingTimeWindows(long size, long offset) {
    this.size = size;
    this.offset = offset;
  }

  /** Windows of {@code size}. */
  public static TumblingProcessingTimeWindows of(Duration size) {
    return new TumblingProcessingTimeWindows(
        Durations.positiveMillis("tumbling window size", size), 0);
  }

  /** Windows of {@code size} shifted by {@code offset}. */
  public static TumblingProcessingTimeWindows of(Duration size, Duration offset) {
    long sizeMillis = Durations.positiveMillis("tumbling window size", size);
    return new TumblingProcessingTimeWindows(
        sizeMillis, Durations.offsetMillis("tumbling window", offset, sizeMillis));
  }

  @Override
  public Collection<TimeWindow> assignWindows(
      Object element, long timestamp, long currentProcessingTime) {
    long start = TimeWindow.windowStart(currentProcessingTime, offset, size);
    return List.of(new TimeWindow(start, start + size));
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
    return "tumblingProcessingTime(" + DurationFormat.millis(size) + ")";
  }
}
