package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.Context;
import java.lang.reflect.Proxy;

/** A Lambda {@link Context} that only tells the time left, as the coordinator reads it. */
final class TimeLeft {
  private TimeLeft() {}

  static Context of(int millis) {
    return (Context)
        Proxy.newProxyInstance(
            TimeLeft.class.getClassLoader(),
            new Class<?>[] {Context.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getRemainingTimeInMillis")) {
                return millis;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  /** Sleeps past the deadline a second's time left sets (a second less its margin of 200 ms). */
  static void sleepPastOneSecondsDeadline() {
    try {
      Thread.sleep(900);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
