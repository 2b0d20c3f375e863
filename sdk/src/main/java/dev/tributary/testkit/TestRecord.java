package dev.tributary.testkit;

/**
 * An output record seen by the {@link JobTestDriver}.
 *
 * @param value the element
 * @param timestamp its timestamp, or null if it has none
 * @param <T> element type
 */
public record TestRecord<T>(T value, Long timestamp) {}
