package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * Items ordered by partition (hash order) and sort key: the storage of a table and of each of its
 * indexes.
 *
 * <p>Every item sits in a {@link Slot} that is reachable two ways. By key in a hash map, for the
 * point reads and writes of GetItem, PutItem and transactions: no tree descent, whose cache misses
 * dominated writes to large tables. And in scan order, for Query and Scan: one tree per
 * parallel-scan bucket (the first 12 bits of the hash prefix), ordered by hash prefix, partition
 * key and sort key. A new key goes to its bucket's pending list and enters the tree when a Query or
 * Scan reaches the bucket (or the list grows long), so that writes no reader looks at in order
 * never pay for ordering. Replacing an item only changes its slot.
 *
 * <p>Not thread-safe for writers (the {@link Database} lock makes them exclusive); readers may run
 * concurrently with each other, and move pending slots into the trees under this object's monitor.
 */
final class SortedItems {
  /** The parallel-scan buckets: 4096, the first 3 of the 6 hex digits of the hash prefix. */
  static final int BUCKETS = 4096;

  /** A bucket's pending list is sorted in when it reaches this length. */
  private static final int MAX_PENDING = 1024;

  /** Sort positions before and after every real one, for the bounds of a partition. */
  private static final SortKey LOW = SortKey.of(KeyOrder.NO_RANGE);

  private static final SortKey HIGH = SortKey.of(KeyOrder.NO_RANGE);

  private static final Comparator<Slot> ORDER = SortedItems::compare;

  private final HashMap<Slot, Slot> byKey = new HashMap<>();

  /** The trees by bucket, null while empty; the arrays are made by the first put. */
  private TreeMap<Slot, Slot>[] trees;

  /** The slots of each bucket not in its tree yet, null while none. */
  private ArrayList<Slot>[] pending;

  /**
   * An item and its place. Equal (in the hash map) by partition key and sort position; ordered (in
   * the trees) by hash prefix first.
   */
  private static final class Slot {
    final Value hash;
    final SortKey sort;

    /** The 24-bit hash prefix of {@link #hash}, or -1 in a probe that only looks up by key. */
    final int prefix;

    Map<String, Value> item;

    /** Whether the slot is in its bucket's tree (else in its pending list). */
    boolean sorted;

    Slot(Value hash, SortKey sort, int prefix) {
      this.hash = hash;
      this.sort = sort;
      this.prefix = prefix;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slot s && hash.equals(s.hash) && sort.equals(s.sort);
    }

    @Override
    public int hashCode() {
      return 31 * hash.hashCode() + sort.hashCode();
    }
  }

  private static int bucket(int prefix) {
    return prefix >>> 12;
  }

  private static int compare(Slot a, Slot b) {
    int c = Integer.compare(a.prefix, b.prefix);
    if (c != 0) {
      return c;
    }
    c = KeyOrder.VALUES.compare(a.hash, b.hash);
    if (c != 0) {
      return c;
    }
    SortKey x = a.sort;
    SortKey y = b.sort;
    if (x == y) {
      return 0;
    }
    if (x == LOW || y == HIGH) {
      return -1;
    }
    if (x == HIGH || y == LOW) {
      return 1;
    }
    c = KeyOrder.VALUES.compare(x.range(), y.range());
    if (c != 0) {
      return c;
    }
    c = x.tablePrefix().compareTo(y.tablePrefix());
    if (c != 0) {
      return c;
    }
    c = KeyOrder.VALUES.compare(x.tableHash(), y.tableHash());
    return c != 0 ? c : KeyOrder.VALUES.compare(x.tableRange(), y.tableRange());
  }

  Map<String, Value> get(Value hash, SortKey sort) {
    Slot slot = byKey.get(new Slot(hash, sort, -1));
    return slot == null ? null : slot.item;
  }

  /** Puts an item, returning the one it replaced. */
  @SuppressWarnings("unchecked")
  Map<String, Value> put(Value hash, SortKey sort, Map<String, Value> item) {
    Slot slot = byKey.get(new Slot(hash, sort, -1));
    if (slot != null) {
      Map<String, Value> old = slot.item;
      slot.item = item;
      return old;
    }
    slot = new Slot(hash, sort, KeyOrder.hashPrefixBits(hash, null));
    slot.item = item;
    byKey.put(slot, slot);
    if (trees == null) {
      trees = new TreeMap[BUCKETS];
      pending = new ArrayList[BUCKETS];
    }
    int b = bucket(slot.prefix);
    ArrayList<Slot> list = pending[b];
    if (list == null) {
      list = new ArrayList<>(4);
      pending[b] = list;
    }
    list.add(slot);
    if (list.size() >= MAX_PENDING) {
      sortIn(b);
    }
    return null;
  }

  Map<String, Value> remove(Value hash, SortKey sort) {
    Slot slot = byKey.remove(new Slot(hash, sort, -1));
    if (slot == null) {
      return null;
    }
    int b = bucket(slot.prefix);
    if (slot.sorted) {
      TreeMap<Slot, Slot> tree = trees[b];
      tree.remove(slot);
      if (tree.isEmpty()) {
        trees[b] = null;
      }
    } else {
      ArrayList<Slot> list = pending[b];
      for (int i = list.size() - 1; i >= 0; i--) {
        if (list.get(i) == slot) {
          list.remove(i);
          break;
        }
      }
      if (list.isEmpty()) {
        pending[b] = null;
      }
    }
    return slot.item;
  }

  long count() {
    return byKey.size();
  }

  void clear() {
    byKey.clear();
    trees = null;
    pending = null;
  }

  /** Moves bucket {@code b}'s pending slots into its tree; returns the tree (null if empty). */
  private synchronized TreeMap<Slot, Slot> sortIn(int b) {
    ArrayList<Slot> list = pending[b];
    TreeMap<Slot, Slot> tree = trees[b];
    if (list == null) {
      return tree;
    }
    if (tree == null) {
      tree = new TreeMap<>(ORDER);
      trees[b] = tree;
    }
    for (Slot slot : list) {
      tree.put(slot, slot);
      slot.sorted = true;
    }
    pending[b] = null;
    return tree;
  }

  /**
   * The items of one partition, in sort order or reversed, strictly after {@code start} if given.
   */
  Iterator<Map<String, Value>> partition(Value hash, SortKey start, boolean forward) {
    if (trees == null) {
      return Collections.emptyIterator();
    }
    int prefix = KeyOrder.hashPrefixBits(hash, null);
    TreeMap<Slot, Slot> tree = sortIn(bucket(prefix));
    if (tree == null) {
      return Collections.emptyIterator();
    }
    Slot low = new Slot(hash, LOW, prefix);
    Slot high = new Slot(hash, HIGH, prefix);
    NavigableMap<Slot, Slot> view;
    if (start == null) {
      view = tree.subMap(low, false, high, false);
    } else if (forward) {
      view = tree.subMap(new Slot(hash, start, prefix), false, high, false);
    } else {
      view = tree.subMap(low, false, new Slot(hash, start, prefix), false);
    }
    if (view.isEmpty()) {
      return Collections.emptyIterator();
    }
    Iterator<Slot> slots = (forward ? view : view.descendingMap()).keySet().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return slots.hasNext();
      }

      @Override
      public Map<String, Value> next() {
        return slots.next().item;
      }
    };
  }

  /**
   * The items of the buckets (0 to 4095) that {@code include} accepts, in scan order, strictly
   * after the position ({@code hash}, {@code start}) when given (the whole partition {@code hash}
   * when {@code start} is null).
   */
  Iterator<Map<String, Value>> scan(Value hash, SortKey start, IntPredicate include) {
    if (trees == null) {
      return Collections.emptyIterator();
    }
    Slot from =
        hash == null
            ? null
            : new Slot(hash, start == null ? LOW : start, KeyOrder.hashPrefixBits(hash, null));
    int first = from == null ? 0 : bucket(from.prefix);
    return new Iterator<>() {
      private int bucket = first - 1;
      private Iterator<Slot> current = Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext()) {
          if (++bucket >= BUCKETS) {
            return false;
          }
          if (!include.test(bucket)) {
            continue;
          }
          TreeMap<Slot, Slot> tree = sortIn(bucket);
          if (tree == null) {
            continue;
          }
          current =
              (from != null && bucket == first ? tree.tailMap(from, false) : tree)
                  .keySet()
                  .iterator();
        }
        return true;
      }

      @Override
      public Map<String, Value> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next().item;
      }
    };
  }
}
