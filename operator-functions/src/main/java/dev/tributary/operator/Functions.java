package dev.tributary.operator;

import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * How the functions build their parts at cold start: one DynamoDB client (the light URL-connection
 * HTTP client; region, credentials and {@code AWS_ENDPOINT_URL} from the Lambda environment), the
 * tables checked once.
 */
public final class Functions {
  private Functions() {}

  /** The DynamoDB client of a function. */
  public static DynamoDbClient dynamoDb() {
    return DynamoDbClient.builder()
        .httpClient(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(Duration.ofSeconds(10))
                .build())
        .build();
  }

  /** The slot executor of {@code settings}, after checking that the tables exist as expected. */
  public static SlotExecutor slotExecutor(RuntimeSettings settings, DynamoDbClient dynamo) {
    settings.tables().validate(dynamo);
    Priming.register(settings.graph());
    return slotExecutorUnchecked(settings, dynamo);
  }

  /** The slot executor of {@code settings}, the tables checked before. */
  public static SlotExecutor slotExecutorUnchecked(
      RuntimeSettings settings, DynamoDbClient dynamo) {
    return new SlotExecutor(settings.graph(), dynamo, settings.tables(), settings.maxAttempts());
  }
}
