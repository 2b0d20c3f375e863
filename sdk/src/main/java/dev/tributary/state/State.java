package dev.tributary.state;

/** Keyed state of the current key: every state type can be cleared. */
public interface State {
  /** Removes the value(s) of the current key. */
  void clear();
}
