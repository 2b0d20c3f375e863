package dev.tributary.internal.exec;

/**
 * A state value with the processing time of its last refresh, stored in place of the value when the
 * state has a TTL.
 */
record TtlValue(Object value, long refreshedAt) {}
