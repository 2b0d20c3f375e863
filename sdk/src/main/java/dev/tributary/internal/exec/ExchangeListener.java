package dev.tributary.internal.exec;

/**
 * Receives what crosses a keyBy exchange when an executor runs only the stateless prefix (the
 * coordinator), instead of the keyed operators.
 */
public interface ExchangeListener {
  /** A record entering the keyed stage at exchange {@code exchangeId}. */
  void onKeyedRecord(int exchangeId, Object key, Object value, long timestamp);

  /** The watermark reaching exchange {@code exchangeId}. */
  default void onWatermark(int exchangeId, long watermark) {}
}
