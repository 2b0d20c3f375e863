package dev.tributary.state;

/**
 * A per-key accumulator of an {@link dev.tributary.functions.AggregateFunction}.
 *
 * @param <IN> added value type
 * @param <OUT> result type
 */
public interface AggregatingState<IN, OUT> extends State {
  /** The aggregate's result, or null if nothing was added. */
  OUT get();

  /** Adds a value to the accumulator. */
  void add(IN value);
}
