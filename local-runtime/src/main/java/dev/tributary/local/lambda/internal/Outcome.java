package dev.tributary.local.lambda.internal;

/**
 * How one invocation ended, before the Invoke API maps it to HTTP: the execution layer ({@link
 * FunctionHost}) decides what happened, the wire layer ({@link InvokeApi}) how Lambda says it.
 */
public sealed interface Outcome {
  /** The function returned {@code payload} (empty when it returned nothing). */
  record Returned(byte[] payload) implements Outcome {}

  /**
   * The function threw: {@code errorType} is the exception's class name and {@code errorMessage}
   * its message, as the Lambda Java runtime reports them.
   */
  record Failed(String errorType, String errorMessage) implements Outcome {}

  /**
   * The function ran past its timeout and was stopped; {@code errorMessage} is Lambda's text,
   * {@code "<timestamp> <request id> Task timed out after N.NN seconds"}.
   */
  record TimedOut(String errorMessage) implements Outcome {}

  /** No instance was free within the function's reserved concurrency; the function did not run. */
  record Throttled() implements Outcome {}
}
