package dev.tributary.local.esm;

import java.util.Objects;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * How an event source mapping calls its function: one synchronous (RequestResponse) invocation with
 * an event's JSON, answering the function's JSON or a function error. The local stack uses {@link
 * #lambda(LambdaClient)} against its Lambda endpoint (or a LocalStack's), so the mapping goes
 * through the same Invoke API as on AWS; tests may pass a plain function.
 */
@FunctionalInterface
public interface FunctionInvoker {
  /** What an invocation answered. */
  sealed interface Result {}

  /** The function returned {@code payload} (JSON, possibly empty or {@code null}). */
  record Returned(byte[] payload) implements Result {}

  /**
   * The function was invoked and failed: it threw ({@code Unhandled}), or timed out; {@code
   * message} says which. Counts against the mapping's {@code MaximumRetryAttempts}.
   */
  record Failed(String message) implements Result {}

  /**
   * The function could not be invoked: Lambda refused the call (throttled with 429
   * TooManyRequestsException, or another 4xx of the Invoke API) or could not be reached (the
   * connection failed); {@code message} says which. As AWS documents for errors before invocation,
   * the mapping retries such a batch until its records pass the maximum record age, without using a
   * retry attempt or splitting the batch.
   */
  record NotInvoked(String message) implements Result {}

  /** Invokes {@code function} with {@code payload} and waits for its answer. */
  Result invoke(String function, byte[] payload);

  /**
   * Whether a failed call certainly did not run the function: the Invoke API refused it with a 4xx
   * (a throttle, an unknown function, a request it cannot take) or the connection could not be
   * made. A 5xx or a timeout after the request was sent may come after the function ran, so it
   * counts as a failed invocation (it uses a retry attempt).
   */
  static boolean refusedBeforeRunning(RuntimeException e) {
    if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service) {
      return service.statusCode() >= 400 && service.statusCode() < 500;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.UnknownHostException
          || t instanceof java.net.NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  /** Invocations through the Lambda Invoke API with {@code client} (RequestResponse). */
  static FunctionInvoker lambda(LambdaClient client) {
    Objects.requireNonNull(client, "client");
    return (function, payload) -> {
      try {
        InvokeResponse response =
            client.invoke(
                b ->
                    b.functionName(function)
                        .invocationType(InvocationType.REQUEST_RESPONSE)
                        .payload(SdkBytes.fromByteArrayUnsafe(payload)));
        byte[] body = response.payload() == null ? new byte[0] : response.payload().asByteArray();
        if (response.functionError() != null) {
          return new Failed(
              response.functionError()
                  + ": "
                  + new String(body, java.nio.charset.StandardCharsets.UTF_8));
        }
        return new Returned(body);
      } catch (RuntimeException e) {
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        return refusedBeforeRunning(e) ? new NotInvoked(message) : new Failed(message);
      }
    };
  }
}
