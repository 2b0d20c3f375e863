package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A stored item: immutable, attribute names and values in insertion order in one array. A table of
 * a million items keeps a million of these, so they are small (two objects, where an unmodifiable
 * LinkedHashMap took one per attribute more and a hash table) and cheap for the garbage collector
 * to copy. Items of more than {@value #LINEAR} attributes get a hash index of their names; smaller
 * ones are searched in order.
 */
final class ItemMap extends AbstractMap<String, Value> implements ItemSize.Known {
  private static final int LINEAR = 12;

  /**
   * The item's size, computed when first asked (-1 before; an int, at most 400 KB, so that threads
   * racing to fill it in never see half of it).
   */
  private int size = -1;

  /** name, value, name, value, ... */
  private final Object[] data;

  /** For large items: open addressing over the names, holding (pair index + 1); else null. */
  private final int[] index;

  private ItemMap(Object[] data) {
    this.data = data;
    int n = data.length / 2;
    if (n <= LINEAR) {
      this.index = null;
    } else {
      int[] table = new int[Integer.highestOneBit(n * 2) * 2];
      int mask = table.length - 1;
      for (int p = 0; p < n; p++) {
        int slot = spread(data[2 * p].hashCode()) & mask;
        while (table[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        table[slot] = p + 1;
      }
      this.index = table;
    }
  }

  /** An immutable copy of {@code item} in its iteration order ({@code item} itself if stored). */
  static Map<String, Value> copyOf(Map<String, Value> item) {
    if (item instanceof ItemMap stored) {
      return stored;
    }
    Object[] data = new Object[item.size() * 2];
    int i = 0;
    for (Map.Entry<String, Value> e : item.entrySet()) {
      data[i++] = e.getKey();
      data[i++] = e.getValue();
    }
    if (i != data.length) {
      throw new IllegalStateException("the item changed while it was copied");
    }
    return new ItemMap(data);
  }

  @Override
  public long itemSize() {
    int known = size;
    if (known < 0) {
      known = (int) Math.min(Integer.MAX_VALUE, ItemSize.compute(this));
      size = known;
    }
    return known;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** The position of {@code key}'s name in {@link #data}, or -1. */
  private int find(Object key) {
    if (!(key instanceof String)) {
      return -1;
    }
    if (index == null) {
      for (int i = 0; i < data.length; i += 2) {
        if (key.equals(data[i])) {
          return i;
        }
      }
      return -1;
    }
    int mask = index.length - 1;
    for (int slot = spread(key.hashCode()) & mask; index[slot] != 0; slot = (slot + 1) & mask) {
      int i = 2 * (index[slot] - 1);
      if (key.equals(data[i])) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return data.length / 2;
  }

  @Override
  public boolean isEmpty() {
    return data.length == 0;
  }

  @Override
  public Value get(Object key) {
    int i = find(key);
    return i < 0 ? null : (Value) data[i + 1];
  }

  @Override
  public boolean containsKey(Object key) {
    return find(key) >= 0;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super Value> action) {
    for (int i = 0; i < data.length; i += 2) {
      action.accept((String) data[i], (Value) data[i + 1]);
    }
  }

  @Override
  public Set<Map.Entry<String, Value>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return data.length / 2;
      }

      @Override
      public Iterator<Map.Entry<String, Value>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < data.length;
          }

          @Override
          public Map.Entry<String, Value> next() {
            if (i >= data.length) {
              throw new NoSuchElementException();
            }
            Map.Entry<String, Value> e =
                new AbstractMap.SimpleImmutableEntry<>((String) data[i], (Value) data[i + 1]);
            i += 2;
            return e;
          }
        };
      }
    };
  }
}
