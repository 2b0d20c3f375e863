package dev.tributary.eventtime;

/**
 * Creates a fresh {@link WatermarkGenerator} for one input.
 *
 * @param <T> element type
 */
@FunctionalInterface
public interface WatermarkGeneratorSupplier<T> {
  /** Creates a generator; {@code context} gives the processing-time clock. */
  WatermarkGenerator<T> createWatermarkGenerator(Context context);

  /** What a generator may use. */
  interface Context {
    /** The runtime's processing time in epoch milliseconds. */
    long currentProcessingTime();
  }
}
