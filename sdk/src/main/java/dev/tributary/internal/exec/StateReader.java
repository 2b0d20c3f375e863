package dev.tributary.internal.exec;

import dev.tributary.spi.KeyedStateEntry;
import dev.tributary.spi.OperatorStateStore;
import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.TtlValue;
import dev.tributary.state.StateDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the committed state of one key from outside the executor (the test driver, queryable
 * state), with TTL applied: expired values read as absent.
 */
public final class StateReader {
  private StateReader() {}

  /**
   * The value of {@code descriptor} for {@code key}: the value of a value, reducing or aggregating
   * state (the accumulator for the latter), a {@code List} copy for a list state, a {@code Map}
   * copy for a map state; null if absent.
   */
  @SuppressWarnings("unchecked")
  public static Object read(
      OperatorStateStore store, StateDescriptor<?> descriptor, Object key, long now) {
    KeyedStateEntry entry = store.existingEntry(key);
    if (entry == null) {
      return null;
    }
    int slot = store.register(descriptor);
    Object cell = entry.get(slot, StateNamespace.VOID);
    if (cell == null) {
      return null;
    }
    long ttl = descriptor.ttl() == null ? -1 : descriptor.ttl().ttlMillis();
    switch (descriptor.kind()) {
      case LIST:
        {
          List<Object> out = new ArrayList<>();
          for (Object element : (List<Object>) cell) {
            Object value = live(element, ttl, now);
            if (value != null) {
              out.add(value);
            }
          }
          return out.isEmpty() ? null : out;
        }
      case MAP:
        {
          Map<Object, Object> out = new LinkedHashMap<>();
          for (Map.Entry<Object, Object> e : ((Map<Object, Object>) cell).entrySet()) {
            Object value = live(e.getValue(), ttl, now);
            if (value != null) {
              out.put(e.getKey(), value);
            }
          }
          return out.isEmpty() ? null : out;
        }
      default:
        return live(cell, ttl, now);
    }
  }

  private static Object live(Object stored, long ttl, long now) {
    if (ttl < 0 || !(stored instanceof TtlValue t)) {
      return stored;
    }
    return t.refreshedAt() + ttl <= now ? null : t.value();
  }
}
