package dev.tributary.spi;

import dev.tributary.state.StateDescriptor;

/**
 * The keyed state and timers of one operator. State lives in one {@link KeyedStateEntry} per key,
 * holding one cell per (registered state, namespace); a backend loads an entry when the executor
 * first touches the key and persists the entries it marked dirty.
 */
public interface OperatorStateStore {

  /**
   * Registers a state and returns its slot in every entry. Registering one name twice returns the
   * same slot; the same name with another kind is an error naming both.
   */
  int register(StateDescriptor<?> descriptor);

  /** The descriptor registered at {@code slot}. */
  StateDescriptor<?> descriptor(int slot);

  /** The state of {@code key}, created empty if it has none; never null. */
  KeyedStateEntry entry(Object key);

  /** The state of {@code key}, or null if it has none. */
  KeyedStateEntry existingEntry(Object key);

  /** The event-time timers. */
  TimerQueue eventTimeTimers();

  /** The processing-time timers. */
  TimerQueue processingTimeTimers();
}
