package dev.tributary.execution;

/** Receives the records of one sink during an {@link InMemoryRunner} run. */
@FunctionalInterface
public interface SinkConsumer {
  /** One record and its timestamp ({@code Long.MIN_VALUE} if it has none). */
  void accept(Object value, long timestamp);
}
