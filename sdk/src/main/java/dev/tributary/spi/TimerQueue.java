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
}
