package dev.tributary.functions;

/**
 * Receives the elements a function emits. Emitted elements keep the timestamp of the element (or
 * timer, or window) being processed.
 *
 * @param <T> element type
 */
@FunctionalInterface
public interface Collector<T> {
  /** Emits one element; null is refused. */
  void collect(T record);
}
