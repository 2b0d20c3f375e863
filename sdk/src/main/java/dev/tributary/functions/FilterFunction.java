package dev.tributary.functions;

/**
 * Keeps the elements for which it returns true.
 *
 * @param <T> element type
 */
@FunctionalInterface
public interface FilterFunction<T> {
  /** Returns whether {@code value} stays in the stream. */
  boolean filter(T value) throws Exception;
}
