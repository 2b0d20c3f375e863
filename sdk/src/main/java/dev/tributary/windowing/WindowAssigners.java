package dev.tributary.windowing;

import dev.tributary.eventtime.TimestampAssigner;
import java.util.ArrayList;
import java.util.List;

final class WindowAssigners {
  private WindowAssigners() {}

  static void requireTimestamp(long timestamp, WindowAssigner<?> assigner) {
    if (timestamp == TimestampAssigner.NO_TIMESTAMP) {
      throw new IllegalStateException(
          assigner.describe()
              + " got an element without a timestamp; event-time windows need timestamps: call "
              + "assignTimestampsAndWatermarks(WatermarkStrategy...) on the input, or use a "
              + "processing-time window");
    }
  }

  static List<TimeWindow> sliding(long timestamp, long size, long slide, long offset) {
    List<TimeWindow> windows = new ArrayList<>((int) Math.max(1, size / slide));
    long lastStart = TimeWindow.windowStart(timestamp, offset, slide);
    for (long start = lastStart; start > timestamp - size; start -= slide) {
      windows.add(new TimeWindow(start, start + size));
    }
    return windows;
  }
}
