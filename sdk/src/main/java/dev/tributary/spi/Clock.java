package dev.tributary.spi;

/**
 * Processing time for an executor. On AWS the coordinator's clock at the start of a batch is passed
 * to the operators, so that re-executing an epoch sees the same time.
 */
@FunctionalInterface
public interface Clock {
  /** The current processing time in epoch milliseconds. */
  long currentTimeMillis();

  /** The system clock. */
  static Clock system() {
    return System::currentTimeMillis;
  }
}
