package dev.tributary.internal.exec;

import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;

final class ValueStateHandle<T> extends StateHandle implements ValueState<T> {

  ValueStateHandle(KeyContext keys, ValueStateDescriptor<T> descriptor, NamespaceSource ns) {
    super(keys, descriptor, ns);
  }

  @Override
  @SuppressWarnings("unchecked")
  public T value() {
    Object stored = cell();
    if (!hasTtl()) {
      return (T) stored;
    }
    Object value = unwrap(stored, this::setCell);
    if (value == null && stored != null) {
      clear();
    }
    return (T) value;
  }

  @Override
  public void update(T value) {
    if (value == null) {
      clear();
    } else {
      setCell(wrap(value));
    }
  }
}
