package dev.tributary.state.dynamodb.internal;

import dev.tributary.spi.KeyedStateEntry;
import java.util.HashMap;
import java.util.Map;

/**
 * One key's state as loaded from the table: the live entry the executor works on, plus what is
 * needed to write it back (its version, the cells of states not declared yet, the spilled items).
 */
public final class StoredKey {
  final OperatorStore store;
  final Object key;
  final byte[] keyBytes;
  final int keyGroup;
  final KeyedStateEntry entry;

  /** The version the main item was read at; 0 when the key has no item yet. */
  public long version;

  /** Cells of states that no function has declared (yet): cell id to bytes, written back as is. */
  final Map<String, byte[]> unknownCells = new HashMap<>();

  /** Spilled map cells as stored: cell id to (entry key in base64 to value bytes). */
  final Map<String, Map<String, byte[]>> spilledMaps = new HashMap<>();

  /** Spilled list cells as stored: cell id to the number of chunks. */
  final Map<String, Integer> spilledLists = new HashMap<>();

  StoredKey(OperatorStore store, Object key, byte[] keyBytes, int keyGroup) {
    this.store = store;
    this.key = key;
    this.keyBytes = keyBytes;
    this.keyGroup = keyGroup;
    this.entry = new KeyedStateEntry(key);
  }

  /** The operator store the key belongs to. */
  public OperatorStore store() {
    return store;
  }

  /** The partition key of the key's items. */
  public String pk() {
    return Layout.keyPk(store.uid, keyGroup, keyBytes);
  }
}
