package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Comparator;

/**
 * The position of an item within a partition: its sort key, then (in indexes, where sort keys
 * repeat) the hash prefix and key of the table item.
 *
 * @param range the sort key value, or {@link KeyOrder#NO_RANGE}
 * @param tablePrefix the table key's hash prefix (indexes), or ""
 * @param tableHash the table partition key (indexes), or {@link KeyOrder#NO_RANGE}
 * @param tableRange the table sort key (indexes), or {@link KeyOrder#NO_RANGE}
 */
record SortKey(Value range, String tablePrefix, Value tableHash, Value tableRange) {
  static final Comparator<SortKey> ORDER =
      Comparator.comparing(SortKey::range, KeyOrder.VALUES)
          .thenComparing(SortKey::tablePrefix)
          .thenComparing(SortKey::tableHash, KeyOrder.VALUES)
          .thenComparing(SortKey::tableRange, KeyOrder.VALUES);

  static SortKey of(Value range) {
    return new SortKey(range, "", KeyOrder.NO_RANGE, KeyOrder.NO_RANGE);
  }
}
