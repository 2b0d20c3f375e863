package dev.tributary.functions;

/**
 * Combines two values of one key into one, e.g. a sum. Must be associative: Tributary
 * pre-aggregates and may combine in any grouping.
 *
 * @param <T> value type
 */
@FunctionalInterface
public interface ReduceFunction<T> {
  /** Combines the accumulated value with a new one. */
  T reduce(T accumulated, T value) throws Exception;
}
