package dev.tributary.state;

import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;

/**
 * Declares a {@link ValueState}.
 *
 * @param <T> value type
 */
public final class ValueStateDescriptor<T> extends StateDescriptor<T> {

  /** A value state stored with {@code serde}. */
  public ValueStateDescriptor(String name, Serde<T> serde) {
    this(name, serde, null);
  }

  /** A value state stored with the natural serde of {@code type} ({@link Serdes#of}). */
  public ValueStateDescriptor(String name, Class<T> type) {
    this(name, type == null ? null : Serdes.of(type), null);
  }

  private ValueStateDescriptor(String name, Serde<T> serde, StateTtlConfig ttl) {
    super(name, serde, ttl, "new ValueStateDescriptor<>(\"" + name + "\", Long.class)");
  }

  @Override
  public Kind kind() {
    return Kind.VALUE;
  }

  @Override
  public ValueStateDescriptor<T> withTtl(StateTtlConfig ttl) {
    return new ValueStateDescriptor<>(name(), serde(), ttl);
  }
}
