package dev.tributary.windowing;

import dev.tributary.serde.Serde;
import dev.tributary.serde.SerdeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A time interval {@code [start, end)} in epoch milliseconds, as Flink's {@code TimeWindow}.
 *
 * @param start first millisecond included
 * @param end first millisecond excluded
 */
public record TimeWindow(long start, long end) implements Window {

  /** The serde of windows when they are part of a stored state's key (16 bytes). */
  public static final Serde<TimeWindow> SERDE =
      new Serde<>() {
        @Override
        public byte[] serialize(TimeWindow value) {
          return ByteBuffer.allocate(16).putLong(value.start).putLong(value.end).array();
        }

        @Override
        public TimeWindow deserialize(byte[] bytes) {
          if (bytes.length != 16) {
            throw new SerdeException("a TimeWindow is 16 bytes, got " + bytes.length);
          }
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          return new TimeWindow(buffer.getLong(), buffer.getLong());
        }

        @Override
        public String describe() {
          return "timeWindow";
        }
      };

  @Override
  public long maxTimestamp() {
    return end - 1;
  }

  /** Whether the windows overlap or touch (touching session windows merge, as in Flink). */
  public boolean intersects(TimeWindow other) {
    return start <= other.end && end >= other.start;
  }

  /** The smallest window that covers both. */
  public TimeWindow cover(TimeWindow other) {
    return new TimeWindow(Math.min(start, other.start), Math.max(end, other.end));
  }

  /**
   * The start of the window of {@code size} (aligned to {@code offset}) that contains {@code
   * timestamp}.
   */
  public static long windowStart(long timestamp, long offset, long size) {
    long remainder = (timestamp - offset) % size;
    return remainder < 0 ? timestamp - (remainder + size) : timestamp - remainder;
  }

  /**
   * Groups intersecting windows and reports each group of two or more, with the window covering it.
   */
  public static void mergeWindows(
      Collection<TimeWindow> windows, MergingWindowAssigner.MergeCallback<TimeWindow> callback) {
    List<TimeWindow> sorted = new ArrayList<>(windows);
    sorted.sort(Comparator.comparingLong(TimeWindow::start));
    TimeWindow cover = null;
    Set<TimeWindow> group = null;
    for (TimeWindow candidate : sorted) {
      if (cover == null) {
        cover = candidate;
        group = new LinkedHashSet<>();
        group.add(candidate);
      } else if (cover.intersects(candidate)) {
        cover = cover.cover(candidate);
        group.add(candidate);
      } else {
        if (group.size() > 1) {
          callback.merge(group, cover);
        }
        cover = candidate;
        group = new LinkedHashSet<>();
        group.add(candidate);
      }
    }
    if (group != null && group.size() > 1) {
      callback.merge(group, cover);
    }
  }

  @Override
  public String toString() {
    return "TimeWindow[" + start + ", " + end + ")";
  }
}
