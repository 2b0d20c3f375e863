package dev.tributary.local.dynamodb.internal.storage;

import java.util.List;
import java.util.Map;

/**
 * The key schema of a table and its indexes.
 *
 * @param name the table name
 * @param hash the partition key
 * @param range the sort key, or null
 * @param attributeTypes the declared type (S, N, B) of every key attribute of table and indexes
 * @param indexes the secondary indexes, in declaration order (GSIs then LSIs)
 */
public record TableSchema(
    String name,
    KeyAttribute hash,
    KeyAttribute range,
    Map<String, String> attributeTypes,
    List<IndexSchema> indexes) {

  /** Copies the collections. */
  public TableSchema {
    attributeTypes =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributeTypes));
    indexes = List.copyOf(indexes);
  }

  /** The names of the table's key attributes. */
  public List<String> keyNames() {
    return range == null ? List.of(hash.name()) : List.of(hash.name(), range.name());
  }

  /** The index named {@code name}, or null. */
  public IndexSchema index(String name) {
    for (IndexSchema index : indexes) {
      if (index.name().equals(name)) {
        return index;
      }
    }
    return null;
  }

  /** A copy with other indexes (UpdateTable). */
  public TableSchema withIndexes(List<IndexSchema> newIndexes, Map<String, String> types) {
    return new TableSchema(name, hash, range, types, newIndexes);
  }
}
