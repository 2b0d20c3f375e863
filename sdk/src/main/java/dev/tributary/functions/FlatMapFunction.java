package dev.tributary.functions;

/**
 * Transforms each element into zero, one or many elements.
 *
 * @param <T> input type
 * @param <R> output type
 */
@FunctionalInterface
public interface FlatMapFunction<T, R> {
  /** Emits any number of elements for {@code value} into {@code out}. */
  void flatMap(T value, Collector<R> out) throws Exception;
}
