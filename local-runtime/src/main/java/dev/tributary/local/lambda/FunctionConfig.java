package dev.tributary.local.lambda;

import java.time.Duration;

/**
 * The settings of a function registered with {@link LocalLambda} that change what its callers see:
 * its reserved concurrency (throttling) and its timeout. They mirror a deployed function's {@code
 * ReservedConcurrentExecutions} and {@code Timeout}, so that a job meets throttles and timeouts
 * locally before it meets them on AWS.
 *
 * @param reservedConcurrency the most invocations that may run at once: {@link #UNRESERVED} (-1)
 *     for no limit (on AWS, the function then shares the account's unreserved pool), {@code 0} to
 *     throttle every invocation (as AWS does, the way to switch a function off), or a positive
 *     number
 * @param timeout how long one invocation may run before it is stopped and answered as timed out;
 *     positive and at most {@link #MAX_TIMEOUT} (Lambda's own limit). Unlike AWS's 3 s default,
 *     {@link #defaults()} uses the maximum, 900 s: the local coordinator processes whole batches
 *     (and a debugger may pause it), so a short default would time out healthy local runs.
 *     Sub-second timeouts are allowed locally so that tests can provoke a timeout quickly.
 */
public record FunctionConfig(int reservedConcurrency, Duration timeout) {
  /** {@link #reservedConcurrency()} for a function without a concurrency limit. */
  public static final int UNRESERVED = -1;

  /** Lambda's longest timeout (15 minutes), the default here. */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(900);

  /** Checks the settings; each rejection names the setting, the value, the limit and the fix. */
  public FunctionConfig {
    if (reservedConcurrency < UNRESERVED) {
      throw new IllegalArgumentException(
          "FunctionConfig.reservedConcurrency is "
              + reservedConcurrency
              + ", below the smallest allowed value -1: use -1 (FunctionConfig.UNRESERVED) for no"
              + " limit, 0 to throttle every invocation, or a positive number of concurrent"
              + " invocations");
    }
    if (timeout == null) {
      throw new IllegalArgumentException(
          "FunctionConfig.timeout is null: pass a positive Duration of at most 900 s, e.g."
              + " FunctionConfig.MAX_TIMEOUT, or use FunctionConfig.defaults()");
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "FunctionConfig.timeout is "
              + timeout
              + ", outside Lambda's range of more than 0 and at most 900 s (PT15M): a function"
              + " that needs longer cannot run on Lambda either; split its work, or use a timeout"
              + " of at most FunctionConfig.MAX_TIMEOUT");
    }
  }

  /** No concurrency limit and a 900 s timeout. */
  public static FunctionConfig defaults() {
    return new FunctionConfig(UNRESERVED, MAX_TIMEOUT);
  }

  /** A copy with {@code reservedConcurrency} ({@link #UNRESERVED}, 0 or positive). */
  public FunctionConfig withReservedConcurrency(int reservedConcurrency) {
    return new FunctionConfig(reservedConcurrency, timeout);
  }

  /** A copy with {@code timeout} (positive, at most {@link #MAX_TIMEOUT}). */
  public FunctionConfig withTimeout(Duration timeout) {
    return new FunctionConfig(reservedConcurrency, timeout);
  }
}
