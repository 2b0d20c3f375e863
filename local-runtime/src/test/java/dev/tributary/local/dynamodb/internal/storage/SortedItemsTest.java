package dev.tributary.local.dynamodb.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.internal.model.Numbers;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * {@link SortedItems} against a plain reference: point reads and writes by key, and partitions and
 * scans in the order of (hash prefix, partition key, sort position), from any start position,
 * forwards and backwards, within scan segments.
 */
class SortedItemsTest {
  /** A reference entry: the item's key and its order. */
  private record Entry(int prefix, Value hash, SortKey sort) {}

  private static final Comparator<SortKey> SORT =
      Comparator.comparing(SortKey::range, KeyOrder.VALUES)
          .thenComparing(SortKey::tablePrefix)
          .thenComparing(SortKey::tableHash, KeyOrder.VALUES)
          .thenComparing(SortKey::tableRange, KeyOrder.VALUES);

  private static final Comparator<Entry> ORDER =
      Comparator.comparingInt(Entry::prefix)
          .thenComparing(Entry::hash, KeyOrder.VALUES)
          .thenComparing(Entry::sort, SORT);

  private static Value key(Random random, boolean number, int keys) {
    int n = random.nextInt(keys);
    return number
        ? new Value.N(Numbers.parse(Integer.toString(n - keys / 2)))
        : new Value.S("k" + n);
  }

  private static SortKey sort(Random random, boolean hashOnly, boolean index, int ranges) {
    if (hashOnly) {
      return SortKey.of(KeyOrder.NO_RANGE);
    }
    Value range = new Value.S("r" + random.nextInt(ranges));
    if (!index) {
      return SortKey.of(range);
    }
    Value tableHash = new Value.S("t" + random.nextInt(5));
    return new SortKey(range, KeyOrder.hashPrefix(tableHash, null), tableHash, KeyOrder.NO_RANGE);
  }

  @Test
  void behavesLikeASortedReference() {
    for (int seed = 0; seed < 30; seed++) {
      Random random = new Random(seed);
      boolean hashOnly = seed % 3 == 0;
      boolean index = seed % 3 == 2;
      boolean numbers = seed % 2 == 1;
      // few keys (many replacements and deletes), many (several partitions per bucket), or two
      // partitions of thousands of items (long pending lists)
      int keys = seed % 5 == 4 ? 20_000 : seed % 5 == 3 ? 2 : 40;
      int ranges = keys == 2 ? 5_000 : 6;
      if (keys == 2) {
        hashOnly = false;
      }
      SortedItems items = new SortedItems();
      TreeMap<Entry, Map<String, Value>> reference = new TreeMap<>(ORDER);
      for (int step = 0; step < (keys == 2 ? 8_000 : 3_000); step++) {
        Value hash = key(random, numbers, keys);
        SortKey sort = sort(random, hashOnly, index, ranges);
        Entry entry = new Entry(KeyOrder.hashPrefixBits(hash, null), hash, sort);
        // with two big partitions, writes alone first: pending lists reach their limit
        int op = keys == 2 && step < 4_000 ? random.nextInt(8) : random.nextInt(10);
        if (op < 5) {
          Map<String, Value> item = Map.of("step", new Value.S(Integer.toString(step)));
          assertThat(items.put(hash, sort, item)).isEqualTo(reference.put(entry, item));
        } else if (op < 7) {
          assertThat(items.remove(hash, sort)).isEqualTo(reference.remove(entry));
        } else if (op < 8) {
          assertThat(items.get(hash, sort)).isEqualTo(reference.get(entry));
        } else if (op < 9) {
          boolean forward = random.nextBoolean();
          SortKey start = random.nextBoolean() ? null : sort;
          List<Map<String, Value>> expected = new ArrayList<>();
          for (Map.Entry<Entry, Map<String, Value>> e :
              (forward ? reference : reference.descendingMap()).entrySet()) {
            Entry k = e.getKey();
            if (!k.hash().equals(hash)) {
              continue;
            }
            int c = start == null ? 0 : SORT.compare(k.sort(), start);
            if (start == null || (forward ? c > 0 : c < 0)) {
              expected.add(e.getValue());
            }
          }
          assertThat(list(items.partition(hash, start, forward))).isEqualTo(expected);
        } else {
          int segments = 1 + random.nextInt(4);
          int segment = random.nextInt(segments);
          IntPredicate include = bucket -> KeyOrder.inSegment(bucket, segment, segments);
          boolean fromStart = random.nextBoolean();
          List<Map<String, Value>> expected = new ArrayList<>();
          for (Map.Entry<Entry, Map<String, Value>> e : reference.entrySet()) {
            if ((fromStart || ORDER.compare(e.getKey(), entry) > 0)
                && include.test(e.getKey().prefix() >>> 12)) {
              expected.add(e.getValue());
            }
          }
          assertThat(list(items.scan(fromStart ? null : hash, fromStart ? null : sort, include)))
              .isEqualTo(expected);
        }
        assertThat(items.count()).isEqualTo(reference.size());
      }
    }
  }

  @Test
  void hashPrefixBitsAreTheHexPrefix() {
    for (int i = 0; i < 1000; i++) {
      Value v = new Value.S("key-" + i);
      assertThat(KeyOrder.hashPrefixBits(v, null))
          .isEqualTo(Integer.parseInt(KeyOrder.hashPrefix(v, null), 16));
    }
  }

  private static List<Map<String, Value>> list(Iterator<Map<String, Value>> it) {
    List<Map<String, Value>> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
