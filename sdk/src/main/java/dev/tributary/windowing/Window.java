package dev.tributary.windowing;

/** A finite group of elements of one key; it fires when time passes {@link #maxTimestamp()}. */
public interface Window {
  /** The largest timestamp that still belongs to the window. */
  long maxTimestamp();
}
