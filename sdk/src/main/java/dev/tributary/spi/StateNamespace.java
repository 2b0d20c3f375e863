package dev.tributary.spi;

/** The namespace of state and timers that do not belong to a window. */
public enum StateNamespace {
  /** Not scoped to a window. */
  VOID
}
