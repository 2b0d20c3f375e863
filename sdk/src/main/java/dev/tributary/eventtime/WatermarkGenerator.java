package dev.tributary.eventtime;

/**
 * Generates watermarks from the elements of one input, as Flink's interface of the same name.
 * {@code onPeriodicEmit} is called after every batch of records (one event-source-mapping batch on
 * AWS; one {@code pipe} call in the test driver).
 *
 * @param <T> element type
 */
public interface WatermarkGenerator<T> {
  /** Observes one element and its timestamp; may emit a watermark. */
  void onEvent(T event, long eventTimestamp, WatermarkOutput output);

  /** Called after each batch; emits the watermark the elements seen so far allow. */
  void onPeriodicEmit(WatermarkOutput output);
}
