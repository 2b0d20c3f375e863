package dev.tributary.functions;

/**
 * Incremental aggregation with an accumulator, as in Flink: {@code createAccumulator}, {@code add}
 * per element, {@code getResult} when the result is needed, {@code merge} when session windows
 * merge.
 *
 * @param <IN> input type
 * @param <ACC> accumulator type (stored in keyed state, so it needs a serde)
 * @param <OUT> result type
 */
public interface AggregateFunction<IN, ACC, OUT> {
  /** Returns a new, empty accumulator. */
  ACC createAccumulator();

  /** Adds a value and returns the updated accumulator (which may be the same object). */
  ACC add(IN value, ACC accumulator);

  /** Computes the result from an accumulator. */
  OUT getResult(ACC accumulator);

  /** Merges two accumulators, e.g. when session windows merge. */
  ACC merge(ACC a, ACC b);
}
