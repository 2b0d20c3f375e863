package dev.tributary.state;

import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;

/**
 * Declares a {@link ListState}.
 *
 * @param <T> element type
 */
public final class ListStateDescriptor<T> extends StateDescriptor<T> {

  /** A list state whose elements are stored with {@code serde}. */
  public ListStateDescriptor(String name, Serde<T> serde) {
    this(name, serde, null);
  }

  /** A list state whose elements use the natural serde of {@code type}. */
  public ListStateDescriptor(String name, Class<T> type) {
    this(name, type == null ? null : Serdes.of(type), null);
  }

  private ListStateDescriptor(String name, Serde<T> serde, StateTtlConfig ttl) {
    super(name, serde, ttl, "new ListStateDescriptor<>(\"" + name + "\", Click.class)");
  }

  @Override
  public Kind kind() {
    return Kind.LIST;
  }

  @Override
  public ListStateDescriptor<T> withTtl(StateTtlConfig ttl) {
    return new ListStateDescriptor<>(name(), serde(), ttl);
  }
}
