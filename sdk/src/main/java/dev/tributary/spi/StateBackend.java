package dev.tributary.spi;

/**
 * Storage for keyed state and timers, behind which runtimes plug in: in memory for the test driver
 * and local runs ({@link InMemoryStateBackend}), DynamoDB on AWS, and decorators (caching, capacity
 * accounting, fault injection). The executor never knows which one it runs on.
 */
public interface StateBackend extends AutoCloseable {

  /** Opens the state of one stateful operator; called once per operator per executor. */
  OperatorStateStore open(OperatorStateSpec spec);

  @Override
  default void close() {}
}
