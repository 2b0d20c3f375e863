package dev.tributary.state;

import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;

/**
 * Declares a {@link MapState}. {@link #serde()} is the value serde; map keys have their own, which
 * must be deterministic (map keys are part of a stored item's key).
 *
 * @param <K> map key type
 * @param <V> map value type
 */
public final class MapStateDescriptor<K, V> extends StateDescriptor<V> {
  private final Serde<K> keySerde;

  /** A map state stored with the given serdes. */
  public MapStateDescriptor(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    this(name, keySerde, valueSerde, null);
  }

  /** A map state with the natural serdes of the key and value classes. */
  public MapStateDescriptor(String name, Class<K> keyType, Class<V> valueType) {
    this(
        name,
        keyType == null ? null : Serdes.of(keyType),
        valueType == null ? null : Serdes.of(valueType),
        null);
  }

  private MapStateDescriptor(
      String name, Serde<K> keySerde, Serde<V> valueSerde, StateTtlConfig ttl) {
    super(
        name,
        valueSerde,
        ttl,
        "new MapStateDescriptor<>(\"" + name + "\", String.class, Long.class)");
    if (keySerde == null) {
      throw new IllegalArgumentException(
          "MapStateDescriptor '"
              + name
              + "' has no key serde; pass one, e.g. new MapStateDescriptor<>(\""
              + name
              + "\", String.class, Long.class)");
    }
    this.keySerde = keySerde;
  }

  /** The serde of the map keys. */
  public Serde<K> keySerde() {
    return keySerde;
  }

  @Override
  public Kind kind() {
    return Kind.MAP;
  }

  @Override
  public MapStateDescriptor<K, V> withTtl(StateTtlConfig ttl) {
    return new MapStateDescriptor<>(name(), keySerde, serde(), ttl);
  }
}
