package dev.tributary.eventtime;

import java.time.Duration;

/**
 * The watermark trails the highest timestamp seen by the allowed out-of-orderness: {@code max -
 * bound - 1}, exactly as Flink's generator of the same name.
 *
 * @param <T> element type
 */
public final class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private final long outOfOrdernessMillis;
  private long maxTimestamp;

  /** Creates a generator allowing {@code maxOutOfOrderness}. */
  public BoundedOutOfOrdernessWatermarks(Duration maxOutOfOrderness) {
    if (maxOutOfOrderness == null || maxOutOfOrderness.isNegative()) {
      throw new IllegalArgumentException(
          "maxOutOfOrderness is "
              + maxOutOfOrderness
              + "; it must be zero or positive, e.g. Duration.ofSeconds(5)");
    }
    this.outOfOrdernessMillis = maxOutOfOrderness.toMillis();
    this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMillis + 1;
  }

  @Override
  public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
    maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.emitWatermark(maxTimestamp - outOfOrdernessMillis - 1);
  }

  /** The highest timestamp seen (a runtime stores it to resume the watermark of a split). */
  public long maxTimestamp() {
    return maxTimestamp;
  }

  /** Restores the highest timestamp seen, e.g. from a split's checkpoint. */
  public void restoreMaxTimestamp(long timestamp) {
    maxTimestamp = Math.max(maxTimestamp, timestamp);
  }
}
