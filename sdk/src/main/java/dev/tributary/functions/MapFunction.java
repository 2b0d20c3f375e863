package dev.tributary.functions;

/**
 * Transforms each element into exactly one element. Runs in the stateless prefix when it comes
 * before the first {@code keyBy}.
 *
 * @param <T> input type
 * @param <R> output type
 */
@FunctionalInterface
public interface MapFunction<T, R> {
  /** Returns the element that replaces {@code value}; never null. */
  R map(T value) throws Exception;
}
