package dev.tributary.windowing;

import java.time.Duration;

final class Durations {
  private Durations() {}

  static long positiveMillis(String what, Duration duration) {
    if (duration == null || duration.toMillis() <= 0) {
      throw new IllegalArgumentException(
          what + " is " + duration + "; it must be at least 1 ms, e.g. Duration.ofSeconds(1)");
    }
    return duration.toMillis();
  }

  static long offsetMillis(String what, Duration offset, long size) {
    if (offset == null || Math.abs(offset.toMillis()) >= size) {
      throw new IllegalArgumentException(
          what
              + " offset is "
              + offset
              + "; its absolute value must be below the size "
              + size
              + " ms");
    }
    return offset.toMillis();
  }
}
