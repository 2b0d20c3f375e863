package dev.tributary.graph;

import dev.tributary.functions.KeySelector;
import dev.tributary.serde.Serde;

/**
 * Partitions a stream by key: the boundary between the stateless prefix and a keyed stage. On AWS
 * the coordinator computes the key group here and sends the record to the slot that owns it.
 *
 * @param selector extracts the key
 * @param keySerde serializes the key (deterministic; decides the key group)
 * @param keyType the key class, or null when only the serde was given
 */
public record KeyBySpec(KeySelector<?, ?> selector, Serde<?> keySerde, Class<?> keyType)
    implements OperatorSpec {
  @Override
  public String describe() {
    return "key="
        + (keyType == null ? "?" : keyType.getSimpleName())
        + " serde="
        + keySerde.describe();
  }

  @Override
  public String kind() {
    return "keyBy";
  }
}
