package dev.tributary.functions;

/** Whether a timer fired because the watermark or the processing-time clock passed it. */
public enum TimeDomain {
  /** Fired by the watermark. */
  EVENT_TIME,
  /** Fired by the processing-time clock. */
  PROCESSING_TIME
}
