package dev.tributary.internal.exec;

import dev.tributary.spi.TtlValue;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A map state; with a TTL each entry expires on its own, as in Flink. */
final class MapStateHandle<K, V> extends StateHandle implements MapState<K, V> {

  MapStateHandle(KeyContext keys, MapStateDescriptor<K, V> descriptor, NamespaceSource ns) {
    super(keys, descriptor, ns);
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> stored(boolean create) {
    Map<Object, Object> map = (Map<Object, Object>) cell();
    if (map == null && create) {
      map = new HashMap<>();
      setCell(map);
    }
    return map;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(K key) {
    Map<Object, Object> map = stored(false);
    if (map == null) {
      return null;
    }
    Object stored = map.get(key);
    Object value = unwrap(stored, refreshed -> put(map, key, refreshed));
    if (value == null && stored != null) {
      remove(key);
    }
    return (V) value;
  }

  private void put(Map<Object, Object> map, Object key, Object wrapped) {
    map.put(key, wrapped);
    markCellDirty();
  }

  @Override
  public void put(K key, V value) {
    if (key == null || value == null) {
      throw new IllegalArgumentException(
          "MapState.put(" + key + ", " + value + "): map state holds no null keys or values");
    }
    put(stored(true), key, wrap(value));
  }

  @Override
  public void putAll(Map<K, V> entries) {
    entries.forEach(this::put);
  }

  @Override
  public void remove(K key) {
    Map<Object, Object> map = stored(false);
    if (map != null && map.remove(key) != null) {
      if (map.isEmpty()) {
        clear();
      } else {
        markCellDirty();
      }
    }
  }

  @Override
  public boolean contains(K key) {
    return get(key) != null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Iterable<Map.Entry<K, V>> entries() {
    Map<Object, Object> map = stored(false);
    if (map == null) {
      return Collections.emptyList();
    }
    if (hasTtl()) {
      expire(map);
    }
    return () ->
        new Iterator<>() {
          private final Iterator<Map.Entry<Object, Object>> it = map.entrySet().iterator();

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Map.Entry<K, V> next() {
            Map.Entry<Object, Object> e = it.next();
            Object value = hasTtl() ? ((TtlValue) e.getValue()).value() : e.getValue();
            return new AbstractMap.SimpleImmutableEntry<>((K) e.getKey(), (V) value);
          }

          @Override
          public void remove() {
            it.remove();
            markCellDirty();
          }
        };
  }

  private void expire(Map<Object, Object> map) {
    List<Object> expired = new ArrayList<>();
    for (Map.Entry<Object, Object> e : map.entrySet()) {
      if (unwrap(e.getValue(), null) == null) {
        expired.add(e.getKey());
      }
    }
    if (!expired.isEmpty()) {
      expired.forEach(map::remove);
      if (map.isEmpty()) {
        clear();
      } else {
        markCellDirty();
      }
    }
  }

  @Override
  public Iterable<K> keys() {
    List<K> out = new ArrayList<>();
    for (Map.Entry<K, V> e : entries()) {
      out.add(e.getKey());
    }
    return out;
  }

  @Override
  public Iterable<V> values() {
    List<V> out = new ArrayList<>();
    for (Map.Entry<K, V> e : entries()) {
      out.add(e.getValue());
    }
    return out;
  }

  @Override
  public boolean isEmpty() {
    return !entries().iterator().hasNext();
  }
}
