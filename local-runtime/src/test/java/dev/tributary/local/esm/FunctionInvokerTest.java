package dev.tributary.local.esm;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.LocalClients;
import dev.tributary.local.lambda.FunctionConfig;
import dev.tributary.local.lambda.LocalLambda;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * {@link FunctionInvoker#lambda} against the local Invoke endpoint: what the function answered, how
 * it failed, and when Lambda did not invoke it at all (which a mapping retries without using a
 * retry attempt, as AWS documents for errors before invocation).
 */
class FunctionInvokerTest {
  @AutoClose private final LocalLambda lambda = LocalLambda.start();
  @AutoClose private final LambdaClient client = LocalClients.lambda(lambda.endpoint());
  private final FunctionInvoker invoker = FunctionInvoker.lambda(client);

  @Test
  void aReturnedAnswerIsReturned() {
    lambda.register("echo", () -> payload -> payload);
    assertThat(invoker.invoke("echo", "{\"a\":1}".getBytes(UTF_8)))
        .isInstanceOfSatisfying(
            FunctionInvoker.Returned.class,
            r -> assertThat(new String(r.payload(), UTF_8)).isEqualTo("{\"a\":1}"));
  }

  @Test
  void aFunctionThatThrowsFailed() {
    lambda.register(
        "boom",
        () ->
            payload -> {
              throw new IllegalStateException("poison");
            });
    assertThat(invoker.invoke("boom", "{}".getBytes(UTF_8)))
        .isInstanceOfSatisfying(
            FunctionInvoker.Failed.class,
            f -> assertThat(f.message()).startsWith("Unhandled: ").contains("poison"));
  }

  @Test
  void aThrottledCallWasNotInvoked() {
    lambda.register(
        "throttled",
        () -> payload -> payload,
        FunctionConfig.defaults().withReservedConcurrency(0));
    assertThat(invoker.invoke("throttled", "{}".getBytes(UTF_8)))
        .isInstanceOfSatisfying(
            FunctionInvoker.NotInvoked.class,
            n -> assertThat(n.message()).contains("TooManyRequestsException"));
    assertThat(lambda.stats("throttled").throttles()).isEqualTo(1);
  }

  @Test
  void anEndpointThatCannotBeReachedDidNotInvoke() {
    LocalLambda closed = LocalLambda.start();
    closed.close();
    try (LambdaClient gone = LocalClients.lambda(closed.endpoint())) {
      assertThat(FunctionInvoker.lambda(gone).invoke("echo", "{}".getBytes(UTF_8)))
          .isInstanceOf(FunctionInvoker.NotInvoked.class);
    }
  }

  @Test
  void anUnknownFunctionWasNotInvoked() {
    assertThat(invoker.invoke("missing", "{}".getBytes(UTF_8)))
        .isInstanceOfSatisfying(
            FunctionInvoker.NotInvoked.class,
            n -> assertThat(n.message()).contains("ResourceNotFoundException"));
  }
}
