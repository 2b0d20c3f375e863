package dev.tributary.state;

/**
 * A value per key that folds every added value in with a {@link
 * dev.tributary.functions.ReduceFunction}.
 *
 * @param <T> value type
 */
public interface ReducingState<T> extends State {
  /** The reduced value, or null if nothing was added. */
  T get();

  /** Reduces {@code value} into the state. */
  void add(T value);
}
