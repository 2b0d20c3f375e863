package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.Value;

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
  /** The position of every item of a table without a sort key. */
  static final SortKey NONE = of(KeyOrder.NO_RANGE);

  static SortKey of(Value range) {
    return new SortKey(range, "", KeyOrder.NO_RANGE, KeyOrder.NO_RANGE);
  }
}
