package dev.tributary.spi;

/**
 * A registered timer: fires for {@code key} (and, for window timers, {@code namespace}: the window)
 * at {@code timestamp}. Equal timers are one timer.
 *
 * @param timestamp when it fires, epoch milliseconds
 * @param key the key it belongs to
 * @param namespace the window, or {@link StateNamespace#VOID}
 */
public record Timer(long timestamp, Object key, Object namespace) {}
