package dev.tributary.windowing;

import dev.tributary.serde.Serde;
import java.util.Collection;

/**
 * Puts each element into zero or more windows. The built-in assigners match Flink's: tumbling,
 * sliding and session windows, in event time or processing time.
 *
 * @param <W> window type
 */
public abstract class WindowAssigner<W extends Window> {

  /**
   * Returns the windows of an element with {@code timestamp} (event time) or at processing time.
   */
  public abstract Collection<W> assignWindows(
      Object element, long timestamp, long currentProcessingTime);

  /** Whether windows close when the watermark passes them (otherwise: the clock). */
  public abstract boolean isEventTime();

  /** The serde of the windows, for state keyed by window. */
  public abstract Serde<W> windowSerde();

  /** For {@code JobGraph.describe()}, e.g. {@code tumbling(PT1S)}. */
  public abstract String describe();

  @Override
  public String toString() {
    return describe();
  }
}
