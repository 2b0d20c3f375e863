package dev.tributary.state;

import java.util.Map;

/**
 * A map per key. On DynamoDB each entry is its own item, so a map may grow past 400 KB.
 *
 * @param <K> map key type
 * @param <V> map value type
 */
public interface MapState<K, V> extends State {
  /** The value of {@code key}, or null. */
  V get(K key);

  /** Puts one entry. */
  void put(K key, V value);

  /** Puts all entries. */
  void putAll(Map<K, V> entries);

  /** Removes one entry. */
  void remove(K key);

  /** Whether {@code key} has a value. */
  boolean contains(K key);

  /** The entries; removing through the iterator removes from the state. */
  Iterable<Map.Entry<K, V>> entries();

  /** The map keys. */
  Iterable<K> keys();

  /** The map values. */
  Iterable<V> values();

  /** Whether the current key has no entries. */
  boolean isEmpty();
}
