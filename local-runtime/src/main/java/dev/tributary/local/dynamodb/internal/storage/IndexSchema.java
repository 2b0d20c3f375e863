package dev.tributary.local.dynamodb.internal.storage;

import java.util.List;

/**
 * A secondary index.
 *
 * @param name the index name
 * @param global GSI (true) or LSI (false)
 * @param hash the index partition key
 * @param range the index sort key, or null
 * @param projectionType ALL, KEYS_ONLY or INCLUDE
 * @param nonKeyAttributes the INCLUDE attributes
 */
public record IndexSchema(
    String name,
    boolean global,
    KeyAttribute hash,
    KeyAttribute range,
    String projectionType,
    List<String> nonKeyAttributes) {

  /** The index key attributes. */
  public List<KeyAttribute> keys() {
    return range == null ? List.of(hash) : List.of(hash, range);
  }

  /** Copies the attribute list. */
  public IndexSchema {
    nonKeyAttributes = nonKeyAttributes == null ? List.of() : List.copyOf(nonKeyAttributes);
  }
}
