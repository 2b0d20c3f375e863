package dev.tributary.internal.exec;

import dev.tributary.state.AggregatingState;
import dev.tributary.state.AggregatingStateDescriptor;
import dev.tributary.state.KeyedStateStore;
import dev.tributary.state.ListState;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.ReducingState;
import dev.tributary.state.ReducingStateDescriptor;
import dev.tributary.state.StateDescriptor;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Hands out state handles bound to one operator's current key and one namespace source. */
final class KeyedStateStoreImpl implements KeyedStateStore {
  private final KeyContext keys;
  private final NamespaceSource namespaces;
  private final Map<String, StateHandle> handles = new HashMap<>();

  KeyedStateStoreImpl(KeyContext keys, NamespaceSource namespaces) {
    this.keys = keys;
    this.namespaces = namespaces;
  }

  @SuppressWarnings("unchecked")
  private <S> S handle(StateDescriptor<?> descriptor, Supplier<StateHandle> create) {
    if (descriptor == null) {
      throw new IllegalArgumentException(
          "operator '" + keys.operatorName + "': a state descriptor is null");
    }
    StateHandle handle = handles.get(descriptor.name());
    if (handle == null) {
      handle = create.get();
      handles.put(descriptor.name(), handle);
    } else if (!kindMatches(handle, descriptor)) {
      throw new IllegalArgumentException(
          "operator '"
              + keys.operatorName
              + "' asks for state '"
              + descriptor.name()
              + "' as "
              + descriptor.kind()
              + " but it was declared with another kind; give each state its own name");
    }
    return (S) handle;
  }

  private static boolean kindMatches(StateHandle handle, StateDescriptor<?> descriptor) {
    return switch (descriptor.kind()) {
      case VALUE -> handle instanceof ValueStateHandle;
      case LIST -> handle instanceof ListStateHandle;
      case MAP -> handle instanceof MapStateHandle;
      case REDUCING -> handle instanceof ReducingStateHandle;
      case AGGREGATING -> handle instanceof AggregatingStateHandle;
    };
  }

  @Override
  public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
    return handle(descriptor, () -> new ValueStateHandle<>(keys, descriptor, namespaces));
  }

  @Override
  public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
    return handle(descriptor, () -> new ListStateHandle<>(keys, descriptor, namespaces));
  }

  @Override
  public <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor) {
    return handle(descriptor, () -> new MapStateHandle<>(keys, descriptor, namespaces));
  }

  @Override
  public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
    return handle(descriptor, () -> new ReducingStateHandle<>(keys, descriptor, namespaces));
  }

  @Override
  public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
      AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
    return handle(descriptor, () -> new AggregatingStateHandle<>(keys, descriptor, namespaces));
  }
}
