package dev.tributary.spi;

/**
 * A state value with the processing time of its last refresh: what a cell holds instead of the bare
 * value when its state has a TTL (and what a backend stores, so that expiry survives a reload).
 *
 * @param value the value
 * @param refreshedAt when it was last written (or read, with ON_READ_AND_WRITE), epoch ms
 */
public record TtlValue(Object value, long refreshedAt) {}
