package dev.tributary.eventtime;

/**
 * Reads the event time of an element, in epoch milliseconds.
 *
 * @param <T> element type
 */
@FunctionalInterface
public interface TimestampAssigner<T> {
  /** Marks "no timestamp" for {@code recordTimestamp} and element timestamps. */
  long NO_TIMESTAMP = Long.MIN_VALUE;

  /**
   * Returns the event time of {@code element}.
   *
   * @param recordTimestamp the source's own timestamp (Kinesis arrival time, Kafka record time), or
   *     {@link #NO_TIMESTAMP}
   */
  long extractTimestamp(T element, long recordTimestamp);
}
