package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Items ordered by partition (hash order) and sort key: the storage of a table and of each of its
 * indexes.
 */
final class SortedItems {
  private final TreeMap<PartitionKey, TreeMap<SortKey, Map<String, Value>>> partitions =
      new TreeMap<>(PartitionKey.ORDER);
  private long count;

  Map<String, Value> get(PartitionKey partition, SortKey sort) {
    TreeMap<SortKey, Map<String, Value>> items = partitions.get(partition);
    return items == null ? null : items.get(sort);
  }

  /** Puts an item, returning the one it replaced. */
  Map<String, Value> put(PartitionKey partition, SortKey sort, Map<String, Value> item) {
    Map<String, Value> old =
        partitions.computeIfAbsent(partition, p -> new TreeMap<>(SortKey.ORDER)).put(sort, item);
    if (old == null) {
      count++;
    }
    return old;
  }

  Map<String, Value> remove(PartitionKey partition, SortKey sort) {
    TreeMap<SortKey, Map<String, Value>> items = partitions.get(partition);
    if (items == null) {
      return null;
    }
    Map<String, Value> old = items.remove(sort);
    if (old != null) {
      count--;
      if (items.isEmpty()) {
        partitions.remove(partition);
      }
    }
    return old;
  }

  long count() {
    return count;
  }

  void clear() {
    partitions.clear();
    count = 0;
  }

  /**
   * The items of one partition, in sort order or reversed, strictly after {@code start} if given.
   */
  Iterator<Map<String, Value>> partition(PartitionKey partition, SortKey start, boolean forward) {
    TreeMap<SortKey, Map<String, Value>> items = partitions.get(partition);
    if (items == null) {
      return Collections.emptyIterator();
    }
    NavigableMap<SortKey, Map<String, Value>> view = forward ? items : items.descendingMap();
    if (start != null) {
      view = view.tailMap(start, false);
    }
    return view.values().iterator();
  }

  /**
   * The items of the partitions {@code include} accepts, in scan order, strictly after the position
   * ({@code partition}, {@code start}) when given.
   */
  Iterator<Map<String, Value>> scan(
      PartitionKey partition, SortKey start, Predicate<PartitionKey> include) {
    NavigableMap<PartitionKey, TreeMap<SortKey, Map<String, Value>>> rest =
        partition == null ? partitions : partitions.tailMap(partition, true);
    Iterator<Map.Entry<PartitionKey, TreeMap<SortKey, Map<String, Value>>>> it =
        rest.entrySet().iterator();
    return new Iterator<>() {
      private Iterator<Map<String, Value>> current = Collections.emptyIterator();
      private boolean first = true;

      @Override
      public boolean hasNext() {
        while (!current.hasNext()) {
          if (!it.hasNext()) {
            return false;
          }
          Map.Entry<PartitionKey, TreeMap<SortKey, Map<String, Value>>> next = it.next();
          if (!include.test(next.getKey())) {
            first = false;
            continue;
          }
          NavigableMap<SortKey, Map<String, Value>> items = next.getValue();
          if (first && partition != null && next.getKey().equals(partition) && start != null) {
            items = items.tailMap(start, false);
          }
          first = false;
          current = items.values().iterator();
        }
        return true;
      }

      @Override
      public Map<String, Value> next() {
        hasNext();
        return current.next();
      }
    };
  }
}
