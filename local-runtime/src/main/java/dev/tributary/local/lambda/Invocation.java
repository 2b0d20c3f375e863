package dev.tributary.local.lambda;

import java.util.Optional;

/**
 * What the local Lambda endpoint knows of the invocation a function instance is running, as the
 * Lambda runtime gives a handler in its {@code Context}: the function's name, the request id and
 * when its timeout runs out. {@link #current()} answers it on the thread that runs the invocation,
 * so an adapter can hand the handler a context (the time left counts down to the function's
 * timeout, as on AWS).
 *
 * @param functionName the function's name
 * @param requestId the invocation's request id (also in the answer's {@code x-amzn-RequestId})
 * @param deadlineNanos when the timeout runs out, on {@link System#nanoTime()}'s clock
 */
public record Invocation(String functionName, String requestId, long deadlineNanos) {
  private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();

  /** The invocation running on this thread, if it runs one of the endpoint's functions. */
  public static Optional<Invocation> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** The milliseconds left before the timeout (0 once it has passed). */
  public long remainingMillis() {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  /**
   * Runs {@code body} on this thread as {@code invocation}: the endpoint runs every invocation this
   * way; a test may too, to give code under test an invocation's context.
   */
  public static <T> T run(Invocation invocation, java.util.concurrent.Callable<T> body)
      throws Exception {
    Invocation before = CURRENT.get();
    CURRENT.set(invocation);
    try {
      return body.call();
    } finally {
      if (before == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(before);
      }
    }
  }
}
