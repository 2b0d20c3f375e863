package dev.tributary.windowing;

import dev.tributary.internal.graph.DurationFormat;
import dev.tributary.serde.Serde;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Fixed-size, non-overlapping event-time windows, aligned to the epoch (plus an offset). */
public final class TumblingEventTimeWindows extends WindowAssigner<TimeWindow> {
  private final long size;
  private final long offset;

  private TumblingEventTimeWindows(long size, long offset) {
    this.size = size;
    this.offset = offset;
  }

  /** Windows of {@code size}. */
  public static TumblingEventTimeWindows of(Duration size) {
    return new TumblingEventTimeWindows(Durations.positiveMillis("tumbling window size", size), 0);
  }

  /** Windows of {@code size} shifted by {@code offset} (e.g. for time zones). */
  public static TumblingEventTimeWindows of(Duration size, Duration offset) {
    long sizeMillis = Durations.positiveMillis("tumbling window size", size);
    return new TumblingEventTimeWindows(
        sizeMillis, Durations.offsetMillis("tumbling window", offset, sizeMillis));
  }

  @Override
  public Collection<TimeWindow> assignWindows(
      Object element, long timestamp, long currentProcessingTime) {
    WindowAssigners.requireTimestamp(timestamp, this);
    long start = TimeWindow.windowStart(timestamp, offset, size);
    return List.of(new TimeWindow(start, start + size));
  }

  @Override
  public boolean isEventTime() {
    return true;
  }

  @Override
  public Serde<TimeWindow> windowSerde() {
    return TimeWindow.SERDE;
  }

  /** The window size in milliseconds. */
  public long sizeMillis() {
    return size;
  }

  @Override
  public String describe() {
    return "tumblingEventTime("
        + DurationFormat.millis(size)
        + (offset == 0 ? "" : ", offset=" + offset)
        + ")";
  }
}
