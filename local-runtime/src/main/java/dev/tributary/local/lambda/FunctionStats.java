package dev.tributary.local.lambda;

/**
 * What {@link LocalLambda} did for one function since it was registered, for tests and the local
 * stack's status output: the counterparts of the CloudWatch metrics {@code Invocations}, {@code
 * ConcurrentExecutions} and {@code Throttles}, plus the asynchronous queue's retries.
 *
 * @param invocations how often the function ran (each attempt of an event counts, as on AWS)
 * @param containers how many instances were created: grows with concurrency, and after a timeout or
 *     an {@link Error} discards an instance
 * @param running invocations running now
 * @param throttles synchronous invocations refused with 429 for lack of concurrency, plus events
 *     that had to wait for a free instance
 * @param timeouts invocations stopped at the function's timeout
 * @param eventRetries event attempts repeated after a function error or timeout (at most 2 per
 *     event)
 * @param eventsFailed events that failed all three attempts and were dropped
 * @param eventsWaiting events accepted (202) that wait for a free instance
 */
public record FunctionStats(
    int invocations,
    int containers,
    int running,
    int throttles,
    int timeouts,
    int eventRetries,
    int eventsFailed,
    int eventsWaiting) {
  /** The statistics of a function that was never registered. */
  public static final FunctionStats NONE = new FunctionStats(0, 0, 0, 0, 0, 0, 0, 0);
}
