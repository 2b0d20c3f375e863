package dev.tributary.spi;

/**
 * A clock that moves only when told to: for tests and for replaying a batch at its recorded time.
 */
public final class ManualClock implements Clock {
  private long now;

  /** A clock at {@code startMillis}. */
  public ManualClock(long startMillis) {
    this.now = startMillis;
  }

  @Override
  public long currentTimeMillis() {
    return now;
  }

  /** Moves the clock to {@code millis}; it never goes backwards. */
  public void set(long millis) {
    if (millis < now) {
      throw new IllegalArgumentException(
          "processing time cannot go back from " + now + " to " + millis);
    }
    now = millis;
  }

  /** Moves the clock forward by {@code millis}. */
  public void advance(long millis) {
    set(now + millis);
  }
}
