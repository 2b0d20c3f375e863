package dev.tributary.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The tick as an EventBridge schedule sends it: the event, and a schedule that invokes it. */
final class TickSchedule {
  private TickSchedule() {}

  /** An EventBridge {@code Scheduled Event} with {@code id}, timed now. */
  static String event(String id) {
    return "{\"version\":\"0\",\"id\":\""
        + id
        + "\",\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
        + "\"account\":\"000000000000\",\"time\":\""
        + Instant.now().toString().replaceAll("\\.\\d+Z$", "Z")
        + "\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{}}";
  }

  /**
   * Runs {@code tick} every {@code every} on a daemon thread named {@code thread}; closing the
   * result stops it (waiting up to 30 s for a running tick).
   */
  static AutoCloseable start(String thread, Duration every, Runnable tick) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, thread);
              t.setDaemon(true);
              return t;
            });
    long millis = every.toMillis();
    scheduler.scheduleWithFixedDelay(tick, millis, millis, TimeUnit.MILLISECONDS);
    return () -> {
      scheduler.shutdownNow();
      scheduler.awaitTermination(30, TimeUnit.SECONDS);
    };
  }
}
