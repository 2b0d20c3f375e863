package dev.tributary.state;

/**
 * One value per key.
 *
 * @param <T> value type
 */
public interface ValueState<T> extends State {
  /** The current key's value, or null if none (or expired under TTL). */
  T value();

  /** Replaces the current key's value; null clears it. */
  void update(T value);
}
