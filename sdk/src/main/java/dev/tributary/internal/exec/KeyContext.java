package dev.tributary.internal.exec;

import dev.tributary.spi.Clock;
import dev.tributary.spi.KeyedStateEntry;
import dev.tributary.spi.OperatorStateStore;

/** The key a keyed operator is processing, its state entry, and the clock for TTL. */
final class KeyContext {
  final OperatorStateStore store;
  final Clock clock;
  final String operatorName;
  private Object key;
  private KeyedStateEntry entry;

  KeyContext(OperatorStateStore store, Clock clock, String operatorName) {
    this.store = store;
    this.clock = clock;
    this.operatorName = operatorName;
  }

  void setCurrentKey(Object key) {
    if (key != this.key) {
      this.key = key;
      this.entry = store.entry(key);
    }
  }

  /** Forgets the cached entry, e.g. after the backend swapped its entries between epochs. */
  void reset() {
    key = null;
    entry = null;
  }

  Object key() {
    return key;
  }

  KeyedStateEntry entry() {
    if (entry == null) {
      throw new IllegalStateException(
          "operator '"
              + operatorName
              + "' accessed keyed state outside of processing a key (e.g. in open()); use state"
              + " in processElement, onTimer or a window function");
    }
    return entry;
  }
}
