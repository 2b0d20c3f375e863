package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.tributary.local.lambda.FunctionConfig;
import dev.tributary.local.lambda.LocalLambda;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * A handler on the local endpoint gets a {@code Context} as on AWS: the time left counts down from
 * the function's timeout (the coordinator's deadline depends on it), the request id and the name
 * are the invocation's (found in review: handlers got none, so the coordinator never answered early
 * locally).
 */
class LambdaAdapterTest {
  @Test
  void aHandlerGetsAContextWithItsTimeLeftAndItsInvocation() {
    RequestHandler<Map<String, Object>, String> handler =
        (event, context) ->
            context == null
                ? "no context"
                : context.getRemainingTimeInMillis()
                    + " "
                    + context.getFunctionName()
                    + " "
                    + context.getInvokedFunctionArn()
                    + " "
                    + context.getAwsRequestId();
    try (LocalLambda lambda = LocalLambda.start();
        LambdaClient client =
            LambdaClient.builder()
                .endpointOverride(lambda.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("l", "l")))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
      @SuppressWarnings("unchecked")
      Class<Map<String, Object>> type = (Class<Map<String, Object>>) (Class<?>) Map.class;
      lambda.register(
          "coordinator",
          () -> LambdaAdapter.of(handler, type, String.class),
          FunctionConfig.defaults().withTimeout(Duration.ofSeconds(5)));

      var response =
          client.invoke(b -> b.functionName("coordinator").payload(SdkBytes.fromUtf8String("{}")));
      String[] answer = response.payload().asUtf8String().replace("\"", "").split(" ");

      assertThat(answer).hasSize(4);
      assertThat(Long.parseLong(answer[0])).isBetween(1L, 5_000L);
      assertThat(answer[1]).isEqualTo("coordinator");
      assertThat(answer[2]).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:coordinator");
      assertThat(answer[3]).isEqualTo(response.responseMetadata().requestId());
    }
  }

  @Test
  void outsideTheEndpointAHandlerGetsNoContext() throws Exception {
    RequestHandler<Map<String, Object>, String> handler =
        (event, context) -> context == null ? "none" : "some";
    @SuppressWarnings("unchecked")
    Class<Map<String, Object>> type = (Class<Map<String, Object>>) (Class<?>) Map.class;
    byte[] out =
        LambdaAdapter.of(handler, type, String.class)
            .invoke("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(new String(out, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("\"none\"");
  }
}
