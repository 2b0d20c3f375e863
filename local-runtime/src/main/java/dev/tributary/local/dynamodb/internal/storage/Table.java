package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The items of one table and of its secondary indexes. Not thread-safe: the {@link Database} lock
 * guards it. Items are immutable maps; a write replaces the whole item and maintains every index.
 */
public final class Table {
  private TableSchema schema;
  private final TableMeta meta;
  private final SortedItems items = new SortedItems();
  private final Map<String, SortedItems> indexes = new LinkedHashMap<>();
  private long sizeBytes;

  /** An empty table. */
  public Table(TableSchema schema, TableMeta meta) {
    this.schema = schema;
    this.meta = meta;
    for (IndexSchema index : schema.indexes()) {
      indexes.put(index.name(), new SortedItems());
    }
  }

  /** The key schema. */
  public TableSchema schema() {
    return schema;
  }

  /** Status, throughput, TTL and the other settings. */
  public TableMeta meta() {
    return meta;
  }

  /** The number of items. */
  public long itemCount() {
    return items.count();
  }

  /** The total size of the items in bytes. */
  public long sizeBytes() {
    return sizeBytes;
  }

  /** The number of items in an index. */
  public long indexItemCount(String index) {
    SortedItems data = indexes.get(index);
    return data == null ? 0 : data.count();
  }

  // ---- keys ----

  private Value hashOf(Map<String, Value> item) {
    return item.get(schema.hash().name());
  }

  private SortKey sortOf(Map<String, Value> item) {
    return schema.range() == null ? SortKey.NONE : SortKey.of(item.get(schema.range().name()));
  }

  /** The item with this key (a map holding at least the key attributes), or null. */
  public Map<String, Value> get(Map<String, Value> key) {
    return items.get(hashOf(key), sortOf(key));
  }

  /** Stores an item; returns the one it replaced (or null) and the index writes it caused. */
  public WriteResult put(Map<String, Value> item) {
    Map<String, Value> frozen = ItemMap.copyOf(item);
    Map<String, Value> old = items.put(hashOf(frozen), sortOf(frozen), frozen);
    sizeBytes += ItemSize.of(frozen) - (old == null ? 0 : ItemSize.of(old));
    return new WriteResult(old, updateIndexes(old, frozen));
  }

  /** Deletes the item with this key; returns it (or null) and the index writes. */
  public WriteResult delete(Map<String, Value> key) {
    Map<String, Value> old = items.remove(hashOf(key), sortOf(key));
    if (old == null) {
      return new WriteResult(null, Map.of());
    }
    sizeBytes -= ItemSize.of(old);
    return new WriteResult(old, updateIndexes(old, null));
  }

  /** Removes every item (DeleteTable). */
  public void clear() {
    items.clear();
    indexes.values().forEach(SortedItems::clear);
    sizeBytes = 0;
  }

  // ---- indexes ----

  private Map<String, IndexWrite> updateIndexes(Map<String, Value> old, Map<String, Value> item) {
    if (indexes.isEmpty()) {
      return Map.of();
    }
    Map<String, IndexWrite> writes = new LinkedHashMap<>();
    for (IndexSchema index : schema.indexes()) {
      SortedItems data = indexes.get(index.name());
      IndexEntry before = old == null ? null : entry(index, old);
      IndexEntry after = item == null ? null : entry(index, item);
      if (before != null) {
        data.remove(before.hash, before.sort);
      }
      if (after != null) {
        data.put(after.hash, after.sort, after.projected);
      }
      writes.put(
          index.name(),
          IndexWrite.of(
              before == null ? null : before.projected,
              after == null ? null : after.projected,
              before != null
                  && after != null
                  && before.hash.equals(after.hash)
                  && before.sort.equals(after.sort)));
    }
    return writes;
  }

  private record IndexEntry(Value hash, SortKey sort, Map<String, Value> projected) {}

  private IndexEntry entry(IndexSchema index, Map<String, Value> item) {
    Value hash = item.get(index.hash().name());
    Value range = index.range() == null ? KeyOrder.NO_RANGE : item.get(index.range().name());
    if (hash == null || range == null || !hash.type().equals(index.hash().type())) {
      return null;
    }
    if (index.range() != null && !range.type().equals(index.range().type())) {
      return null;
    }
    Value tableHash = item.get(schema.hash().name());
    Value tableRange = schema.range() == null ? KeyOrder.NO_RANGE : item.get(schema.range().name());
    SortKey sort =
        new SortKey(range, KeyOrder.hashPrefix(tableHash, tableRange), tableHash, tableRange);
    return new IndexEntry(hash, sort, project(index, item));
  }

  /** The attributes an index stores of an item. */
  public Map<String, Value> project(IndexSchema index, Map<String, Value> item) {
    if (index.projectionType().equals("ALL")) {
      return item;
    }
    Map<String, Value> out = new LinkedHashMap<>();
    for (String name : schema.keyNames()) {
      out.put(name, item.get(name));
    }
    out.put(index.hash().name(), item.get(index.hash().name()));
    if (index.range() != null) {
      out.put(index.range().name(), item.get(index.range().name()));
    }
    for (String name : index.nonKeyAttributes()) {
      Value v = item.get(name);
      if (v != null) {
        out.put(name, v);
      }
    }
    return ItemMap.copyOf(out);
  }

  // ---- reads ----

  /**
   * The items of the partition {@code hash} of the table or of {@code index} (null for the table),
   * forward or reversed, strictly after {@code startItem}'s position when given.
   */
  public Iterator<Map<String, Value>> query(
      IndexSchema index, Value hash, Map<String, Value> startItem, boolean forward) {
    SortedItems data = index == null ? items : indexes.get(index.name());
    SortKey start = startItem == null ? null : position(index, startItem);
    return data.partition(hash, start, forward);
  }

  /**
   * The items of the table or of {@code index} in scan order, within one parallel-scan segment,
   * strictly after {@code startItem}'s position when given.
   */
  public Iterator<Map<String, Value>> scan(
      IndexSchema index, Map<String, Value> startItem, int segment, int totalSegments) {
    SortedItems data = index == null ? items : indexes.get(index.name());
    Value hash = null;
    SortKey start = null;
    if (startItem != null) {
      hash = startItem.get(index == null ? schema.hash().name() : index.hash().name());
      start = position(index, startItem);
    }
    IntPredicate inSegment = bucket -> KeyOrder.inSegment(bucket, segment, totalSegments);
    return data.scan(hash, start, inSegment);
  }

  /** The hash prefix of a key's partition in the table or in {@code index}. */
  public String prefixOf(IndexSchema index, Map<String, Value> key) {
    return KeyOrder.hashPrefix(
        key.get(index == null ? schema.hash().name() : index.hash().name()), null);
  }

  private SortKey position(IndexSchema index, Map<String, Value> key) {
    if (index == null) {
      return sortOf(key);
    }
    Value range = index.range() == null ? KeyOrder.NO_RANGE : key.get(index.range().name());
    Value tableHash = key.get(schema.hash().name());
    Value tableRange = schema.range() == null ? KeyOrder.NO_RANGE : key.get(schema.range().name());
    return new SortKey(range, KeyOrder.hashPrefix(tableHash, tableRange), tableHash, tableRange);
  }

  // ---- schema changes ----

  /** Adds a global secondary index and fills it from the existing items (UpdateTable). */
  public void addIndex(TableSchema newSchema, IndexSchema index) {
    this.schema = newSchema;
    SortedItems data = new SortedItems();
    indexes.put(index.name(), data);
    Iterator<Map<String, Value>> all = items.scan(null, null, bucket -> true);
    while (all.hasNext()) {
      IndexEntry entry = entry(index, all.next());
      if (entry != null) {
        data.put(entry.hash, entry.sort, entry.projected);
      }
    }
  }

  /** Drops a global secondary index (UpdateTable). */
  public void removeIndex(TableSchema newSchema, String indexName) {
    this.schema = newSchema;
    indexes.remove(indexName);
  }

  /** Every item, in scan order (snapshots, the TTL sweep). */
  public Iterator<Map<String, Value>> all() {
    return items.scan(null, null, bucket -> true);
  }
}
