package dev.tributary.internal.exec;

import dev.tributary.spi.TtlValue;
import dev.tributary.state.State;
import dev.tributary.state.StateDescriptor;
import dev.tributary.state.StateTtlConfig;

/** The part every keyed state handle shares: where its cell is and how TTL applies. */
abstract class StateHandle implements State {
  final KeyContext keys;
  final int slot;
  final NamespaceSource namespaces;
  final long ttlMillis;
  final boolean refreshOnRead;

  StateHandle(KeyContext keys, StateDescriptor<?> descriptor, NamespaceSource namespaces) {
    this.keys = keys;
    this.slot = keys.store.register(descriptor);
    this.namespaces = namespaces;
    StateTtlConfig ttl = descriptor.ttl();
    this.ttlMillis = ttl == null ? -1 : ttl.ttlMillis();
    this.refreshOnRead =
        ttl != null && ttl.updateType() == StateTtlConfig.UpdateType.ON_READ_AND_WRITE;
  }

  final Object cell() {
    return keys.entry().get(slot, namespaces.current());
  }

  final void setCell(Object value) {
    keys.entry().put(slot, namespaces.current(), value);
  }

  /** Marks this handle's cell changed after an in-place mutation of its list or map. */
  final void markCellDirty() {
    keys.entry().markDirty(slot, namespaces.current());
  }

  @Override
  public void clear() {
    keys.entry().remove(slot, namespaces.current());
  }

  final boolean hasTtl() {
    return ttlMillis >= 0;
  }

  final long now() {
    return keys.clock.currentTimeMillis();
  }

  /** Wraps a value for storage when the state has a TTL. */
  final Object wrap(Object value) {
    return hasTtl() ? new TtlValue(value, now()) : value;
  }

  /**
   * Unwraps a stored value: null if it expired (Flink's never-return-expired), refreshed if reads
   * refresh it. {@code refresh} receives the refreshed wrapper to store.
   */
  final Object unwrap(Object stored, java.util.function.Consumer<Object> refresh) {
    if (!hasTtl() || stored == null) {
      return stored;
    }
    TtlValue ttl = (TtlValue) stored;
    long now = now();
    if (ttl.refreshedAt() + ttlMillis <= now) {
      return null;
    }
    if (refreshOnRead && refresh != null) {
      refresh.accept(new TtlValue(ttl.value(), now));
    }
    return ttl.value();
  }
}
