package dev.tributary.spi;

import dev.tributary.OutputTag;

/**
 * Where an executor puts what a job produces: sink records (bound by the runtime: an outbox row on
 * AWS, a list in the test driver) and notifications about side outputs and dropped late records.
 */
public interface OutputCollector {

  /** A record reached the sink {@code sinkName}. */
  void emit(String sinkName, Object value, long timestamp);

  /**
   * An operator emitted to a side output, whether or not the job consumes it (the test driver
   * records these).
   */
  default void sideOutput(OutputTag<?> tag, Object value, long timestamp) {}

  /** A window operator dropped a record that was late for every window and had no late-data tag. */
  default void lateRecordDropped(String operatorUid, Object value, long timestamp) {}
}
