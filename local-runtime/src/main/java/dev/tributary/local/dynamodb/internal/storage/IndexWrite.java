package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Map;

/**
 * What a table write did to one secondary index, in write capacity units by the developer guide's
 * rules: a new or removed index entry costs its size in 1 KB units; an entry whose key changed
 * costs a delete and a put; an entry rewritten in place costs the larger image; an unchanged one
 * nothing.
 *
 * @param units write capacity units consumed by the index
 */
public record IndexWrite(double units) {

  static IndexWrite of(Map<String, Value> before, Map<String, Value> after, boolean sameKey) {
    if (before == null && after == null) {
      return new IndexWrite(0);
    }
    if (before == null) {
      return new IndexWrite(kb(after));
    }
    if (after == null) {
      return new IndexWrite(kb(before));
    }
    if (!sameKey) {
      return new IndexWrite(kb(before) + kb(after));
    }
    if (before.equals(after)) {
      return new IndexWrite(0);
    }
    return new IndexWrite(Math.max(kb(before), kb(after)));
  }

  private static long kb(Map<String, Value> item) {
    return Math.max(1, (ItemSize.of(item) + 1023) / 1024);
  }
}
