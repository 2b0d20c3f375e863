package dev.tributary.spi;

/**
 * The timers of one operator in one time domain, ordered by timestamp (ties: registration order).
 * Adding a timer that exists is a no-op, as in Flink.
 */
public interface TimerQueue {
  /** Adds a timer; returns false if it was already there. */
  boolean add(Timer timer);

  /** Removes a timer; returns false if it was not there. */
  boolean remove(Timer timer);

  /** The earliest timer, or null. */
  Timer peek();

  /** Removes and returns the earliest timer, or null. */
  Timer poll();

  /** The number of timers. */
  int size();

  /** Whether firing is paused (a persistent backend's epoch is full): commit, then go on. */
  default boolean paused() {
    return false;
  }

  /**
   * Removes and returns the earliest timer of {@code key} at or before {@code upTo} (ties:
   * registration order), or null (none, or {@link #paused()}); it counts as fired. The executor
   * calls it only for keys whose key group has a watermark floor ({@code
   * JobExecutor.floorWatermarks}), so a backend that never runs with floors may leave this default.
   */
  default Timer pollOfKey(Object key, long upTo) {
    throw new UnsupportedOperationException(
        getClass().getName()
            + " cannot fire one key's timers; implement pollOfKey to run with watermark floors");
  }
}
