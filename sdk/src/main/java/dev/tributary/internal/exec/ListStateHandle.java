package dev.tributary.internal.exec;

import dev.tributary.state.ListState;
import dev.tributary.state.ListStateDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A list state; with a TTL each element expires on its own, as in Flink. */
final class ListStateHandle<T> extends StateHandle implements ListState<T> {

  ListStateHandle(KeyContext keys, ListStateDescriptor<T> descriptor, NamespaceSource ns) {
    super(keys, descriptor, ns);
  }

  @SuppressWarnings("unchecked")
  private List<Object> stored() {
    return (List<Object>) cell();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Iterable<T> get() {
    List<Object> stored = stored();
    if (stored == null) {
      return Collections.emptyList();
    }
    if (!hasTtl()) {
      return Collections.unmodifiableList((List<T>) (List<?>) stored);
    }
    List<T> live = new ArrayList<>(stored.size());
    List<Object> kept = new ArrayList<>(stored.size());
    for (Object element : stored) {
      Object value = unwrap(element, null);
      if (value != null) {
        live.add((T) value);
        kept.add(refreshOnRead ? wrap(value) : element);
      }
    }
    if (kept.size() != stored.size() || refreshOnRead) {
      setCell(kept.isEmpty() ? null : kept);
    }
    return live;
  }

  @Override
  public void add(T value) {
    if (value == null) {
      throw new IllegalArgumentException("ListState.add(null): state holds no nulls");
    }
    List<Object> stored = stored();
    if (stored == null) {
      stored = new ArrayList<>();
      stored.add(wrap(value));
      setCell(stored);
    } else {
      stored.add(wrap(value));
      markCellDirty();
    }
  }

  @Override
  public void addAll(List<T> values) {
    for (T value : values) {
      add(value);
    }
  }

  @Override
  public void update(List<T> values) {
    if (values == null || values.isEmpty()) {
      clear();
      return;
    }
    List<Object> stored = new ArrayList<>(values.size());
    for (T value : values) {
      if (value == null) {
        throw new IllegalArgumentException("ListState.update: the list holds a null");
      }
      stored.add(wrap(value));
    }
    setCell(stored);
  }
}
