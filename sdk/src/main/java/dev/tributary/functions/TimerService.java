package dev.tributary.functions;

/**
 * Timers of the current key, as in Flink. A timer is identified by its key and timestamp:
 * registering the same one twice fires it once. Event-time timers fire when the watermark reaches
 * them, processing-time timers when the clock does (on AWS: the coordinator's clock, so that a
 * re-executed epoch sees the same time).
 */
public interface TimerService {
  /** The processing time of the element or timer being handled, in epoch milliseconds. */
  long currentProcessingTime();

  /** The current watermark of this operator, in epoch milliseconds. */
  long currentWatermark();

  /** Registers an event-time timer for the current key. */
  void registerEventTimeTimer(long time);

  /** Registers a processing-time timer for the current key. */
  void registerProcessingTimeTimer(long time);

  /** Deletes an event-time timer of the current key; no-op if there is none. */
  void deleteEventTimeTimer(long time);

  /** Deletes a processing-time timer of the current key; no-op if there is none. */
  void deleteProcessingTimeTimer(long time);
}
