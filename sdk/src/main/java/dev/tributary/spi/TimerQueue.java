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

  /**
   * How far {@code key}'s timers were caught up to its key group's watermark floor before its first
   * record, as stored with the key ({@link #markCaughtUp}); Long.MIN_VALUE when not known. Every
   * timer of the key at or before it that is still pending was registered afterwards, behind the
   * floor, and waits for the watermark to move, as one behind the watermark does: a backend that
   * runs a batch again from a commit among its records must not fire it before the key's later
   * records. Backends that keep no such mark leave this default.
   */
  default long caughtUpTo(Object key) {
    return Long.MIN_VALUE;
  }

  /**
   * Notes that every stored timer of {@code key} up to {@code upTo} fired before its first record
   * ({@link #caughtUpTo}); a persistent backend stores it with the key's next write.
   */
  default void markCaughtUp(Object key, long upTo) {}
}
