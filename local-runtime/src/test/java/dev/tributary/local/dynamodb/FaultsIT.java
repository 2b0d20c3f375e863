package dev.tributary.local.dynamodb;

import static dev.tributary.local.dynamodb.Tables.get;
import static dev.tributary.local.dynamodb.Tables.item;
import static dev.tributary.local.dynamodb.Tables.n;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * Fault injection as the SDK sees it: throttling and server errors are retried by the SDK, a
 * conflict is an error, latency delays, and apply-then-drop commits the write while the client sees
 * no response.
 */
class FaultsIT {
  static DynamoDbLocal local;
  static DynamoDbClient client;

  @BeforeAll
  static void start() {
    local = DynamoDbLocal.start();
    client = LocalClients.client(local.endpoint());
    Tables.hashTable(client, "faults");
  }

  @AfterAll
  static void stop() {
    client.close();
    local.close();
  }

  @AfterEach
  void clear() {
    local.faults().clear();
  }

  static void increment(DynamoDbClient c, String pk) {
    c.updateItem(
        b ->
            b.tableName("faults")
                .key(Tables.key(pk))
                .updateExpression("ADD v :one")
                .expressionAttributeValues(Map.of(":one", n(1))));
  }

  @Test
  void throttlingAndServerErrorsAreRetriedByTheSdk() {
    FaultRule throttle =
        local.faults().add(FaultRule.on("UpdateItem").times(2).failWith(FaultError.THROTTLING));
    FaultRule internal =
        local
            .faults()
            .add(FaultRule.on("UpdateItem").times(1).failWith(FaultError.INTERNAL_SERVER_ERROR));
    increment(client, "retried");
    assertThat(throttle.triggered()).isEqualTo(2);
    assertThat(internal.triggered()).isEqualTo(1);
    assertThat(get(client, "faults", "retried").get("v")).isEqualTo(n(1));
  }

  @Test
  void errorsReachClientsThatDoNotRetry() {
    local
        .faults()
        .add(FaultRule.on("PutItem").times(1).failWith(FaultError.PROVISIONED_THROUGHPUT_EXCEEDED));
    try (DynamoDbClient noRetries =
        DynamoDbClient.builder()
            .endpointOverride(local.endpoint())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("l", "l")))
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
            .overrideConfiguration(
                o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(r -> r.maxAttempts(1)))
            .build()) {
      assertThatThrownBy(() -> noRetries.putItem(b -> b.tableName("faults").item(item("p", 1))))
          .isInstanceOf(ProvisionedThroughputExceededException.class);
      assertThat(get(client, "faults", "p")).isNull();
    }
  }

  @Test
  void aConflictOnASingleWriteIsATransactionConflictException() {
    local
        .faults()
        .add(
            FaultRule.on("UpdateItem")
                .key("pk", "busy")
                .times(1)
                .failWith(FaultError.TRANSACTION_CONFLICT));
    assertThatThrownBy(() -> increment(client, "busy"))
        .isInstanceOf(TransactionConflictException.class)
        .hasMessageContaining("Transaction is ongoing for the item");
    increment(client, "busy");
    assertThat(get(client, "faults", "busy").get("v")).isEqualTo(n(1));
  }

  @Test
  void rulesMatchByTableAndKey() {
    FaultRule rule =
        local
            .faults()
            .add(
                FaultRule.on(null)
                    .table("faults")
                    .key("pk", "only-me")
                    .failWith(FaultError.INTERNAL_SERVER_ERROR));
    increment(client, "someone-else");
    assertThat(rule.triggered()).isZero();
    assertThatThrownBy(() -> increment(client, "only-me")).isInstanceOf(DynamoDbException.class);
    assertThat(rule.triggered()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void latencyDelaysTheResponse() {
    local.faults().add(FaultRule.on("GetItem").times(1).delay(Duration.ofMillis(300)));
    long start = System.nanoTime();
    get(client, "faults", "slow");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void applyThenDropCommitsTheWriteButTheClientSeesNoResponse() {
    local
        .faults()
        .add(FaultRule.on("UpdateItem").key("pk", "dropped").times(1).applyThenDropResponse());
    try (DynamoDbClient once =
        DynamoDbClient.builder()
            .endpointOverride(local.endpoint())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("l", "l")))
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
            .build()) {
      assertThatThrownBy(() -> increment(once, "dropped")).isInstanceOf(SdkClientException.class);
    }
    // the write happened although the client got no answer: a naive retry would apply it twice
    assertThat(get(client, "faults", "dropped").get("v")).isEqualTo(n(1));
  }

  @Test
  void aRetryingClientAppliesADroppedWriteTwiceUnlessItIsIdempotent() {
    local
        .faults()
        .add(FaultRule.on("UpdateItem").key("pk", "twice").times(1).applyThenDropResponse());
    increment(client, "twice"); // the SDK retries after the dropped response
    assertThat(get(client, "faults", "twice").get("v")).isEqualTo(n(2));
  }
}
