package dev.tributary.state;

import java.util.List;

/**
 * A list per key. On DynamoDB a list may grow past one item; it is stored in chunks.
 *
 * @param <T> element type
 */
public interface ListState<T> extends State {
  /** The current key's elements in insertion order; empty if none. */
  Iterable<T> get();

  /** Appends one element. */
  void add(T value);

  /** Appends elements. */
  void addAll(List<T> values);

  /** Replaces the list. */
  void update(List<T> values);
}
