package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Comparator;

/**
 * A partition: the hash prefix of its key (the scan order), then the key.
 *
 * @param prefix the 6-hex-digit hash prefix
 * @param hash the partition key value
 */
record PartitionKey(String prefix, Value hash) {
  static final Comparator<PartitionKey> ORDER =
      Comparator.comparing(PartitionKey::prefix).thenComparing(PartitionKey::hash, KeyOrder.VALUES);

  static PartitionKey of(Value hash) {
    return new PartitionKey(KeyOrder.hashPrefix(hash, null), hash);
  }
}
