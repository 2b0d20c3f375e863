package dev.tributary.internal.exec;

import dev.tributary.functions.ReduceFunction;
import dev.tributary.state.ReducingState;
import dev.tributary.state.ReducingStateDescriptor;

final class ReducingStateHandle<T> extends StateHandle implements ReducingState<T> {
  private final ReduceFunction<T> reducer;

  ReducingStateHandle(KeyContext keys, ReducingStateDescriptor<T> descriptor, NamespaceSource ns) {
    super(keys, descriptor, ns);
    this.reducer = descriptor.reduceFunction();
  }

  @Override
  @SuppressWarnings("unchecked")
  public T get() {
    Object stored = cell();
    Object value = unwrap(stored, this::setCell);
    if (value == null && stored != null) {
      clear();
    }
    return (T) value;
  }

  @Override
  public void add(T value) {
    if (value == null) {
      throw new IllegalArgumentException("ReducingState.add(null): state holds no nulls");
    }
    T current = get();
    try {
      setCell(wrap(current == null ? value : reducer.reduce(current, value)));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("the reduce function of a ReducingState failed: " + e, e);
    }
  }
}
