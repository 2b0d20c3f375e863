package dev.tributary.spi;

import dev.tributary.state.StateDescriptor;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keyed state and timers on the JVM heap: the backend of the test driver and of local in-memory
 * runs, and the reference every other backend is checked against. Objects are kept as they are,
 * never serialized.
 */
public final class InMemoryStateBackend implements StateBackend {
  private final Map<String, Store> stores = new LinkedHashMap<>();

  @Override
  public OperatorStateStore open(OperatorStateSpec spec) {
    return stores.computeIfAbsent(spec.operatorUid(), uid -> new Store(uid));
  }

  /** The store of the operator {@code uid}, or null if it was never opened. */
  public OperatorStateStore store(String uid) {
    return stores.get(uid);
  }

  /** The keys that have state in operator {@code uid}. */
  public Iterable<Object> keys(String uid) {
    Store store = stores.get(uid);
    return store == null ? Collections.emptyList() : store.entries.keySet();
  }

  private static final class Store implements OperatorStateStore {
    private final StateRegistry registry;
    private final Map<Object, KeyedStateEntry> entries = new HashMap<>();
    private final HeapTimerQueue eventTimers = new HeapTimerQueue();
    private final HeapTimerQueue processingTimers = new HeapTimerQueue();

    Store(String uid) {
      this.registry = new StateRegistry(uid);
    }

    @Override
    public int register(StateDescriptor<?> descriptor) {
      return registry.register(descriptor);
    }

    @Override
    public StateDescriptor<?> descriptor(int slot) {
      return registry.descriptor(slot);
    }

    @Override
    public KeyedStateEntry entry(Object key) {
      KeyedStateEntry entry = entries.get(key);
      if (entry == null) {
        entry = new KeyedStateEntry(key);
        entries.put(key, entry);
      }
      return entry;
    }

    @Override
    public KeyedStateEntry existingEntry(Object key) {
      return entries.get(key);
    }

    @Override
    public TimerQueue eventTimeTimers() {
      return eventTimers;
    }

    @Override
    public TimerQueue processingTimeTimers() {
      return processingTimers;
    }
  }
}
