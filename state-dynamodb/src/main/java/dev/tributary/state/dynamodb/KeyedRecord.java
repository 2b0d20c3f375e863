package dev.tributary.state.dynamodb;

/**
 * A record entering the keyed stage: what the coordinator sends an operator slot.
 *
 * @param exchange the keyBy node it crosses
 * @param key the key
 * @param value the element
 * @param timestamp its event time, or {@code Long.MIN_VALUE}
 * @param position its position in the split
 */
public record KeyedRecord(
    int exchange, Object key, Object value, long timestamp, Position position) {}
