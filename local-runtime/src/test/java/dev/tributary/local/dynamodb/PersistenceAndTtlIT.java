package dev.tributary.local.dynamodb;

import static dev.tributary.local.dynamodb.Tables.get;
import static dev.tributary.local.dynamodb.Tables.n;
import static dev.tributary.local.dynamodb.Tables.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/** Snapshots across restarts, TTL expiry, and the endpoint's lifecycle. */
class PersistenceAndTtlIT {

  @Test
  void tablesIndexesItemsAndTtlSurviveARestart(@TempDir Path dir) {
    try (DynamoDbLocal local = DynamoDbLocal.builder().dataDir(dir).build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      client.createTable(
          b ->
              b.tableName("kept")
                  .keySchema(
                      KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                  .attributeDefinitions(
                      AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                      AttributeDefinition.builder()
                          .attributeName("owner")
                          .attributeType("S")
                          .build())
                  .globalSecondaryIndexes(
                      GlobalSecondaryIndex.builder()
                          .indexName("by-owner")
                          .keySchema(
                              KeySchemaElement.builder()
                                  .attributeName("owner")
                                  .keyType(KeyType.HASH)
                                  .build())
                          .projection(
                              Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                          .build())
                  .billingMode(BillingMode.PAY_PER_REQUEST));
      client.updateTimeToLive(
          b ->
              b.tableName("kept")
                  .timeToLiveSpecification(t -> t.attributeName("expires").enabled(true)));
      for (int i = 0; i < 50; i++) {
        int v = i;
        client.putItem(
            b ->
                b.tableName("kept")
                    .item(Map.of("pk", s("k" + v), "owner", s("o" + v % 3), "v", n(v))));
      }
    }
    try (DynamoDbLocal local = DynamoDbLocal.builder().dataDir(dir).build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      assertThat(get(client, "kept", "k7").get("v")).isEqualTo(n(7));
      assertThat(client.describeTable(b -> b.tableName("kept")).table().itemCount()).isEqualTo(50);
      assertThat(
              client
                  .query(
                      b ->
                          b.tableName("kept")
                              .indexName("by-owner")
                              .keyConditionExpression("#o = :o")
                              .expressionAttributeNames(Map.of("#o", "owner"))
                              .expressionAttributeValues(Map.of(":o", s("o1"))))
                  .count())
          .isEqualTo(17);
      assertThat(
              client
                  .describeTimeToLive(b -> b.tableName("kept"))
                  .timeToLiveDescription()
                  .timeToLiveStatus())
          .isEqualTo(TimeToLiveStatus.ENABLED);
    }
  }

  @Test
  void expiredItemsAreReturnedUntilTheSweepDeletesThem() {
    AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    try (DynamoDbLocal local =
            DynamoDbLocal.builder()
                .clock(clock::get)
                .ttlSweepInterval(Duration.ofHours(1))
                .build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      Tables.hashTable(client, "ttl");
      client.updateTimeToLive(
          b ->
              b.tableName("ttl")
                  .timeToLiveSpecification(t -> t.attributeName("exp").enabled(true)));
      long now = clock.get() / 1000;
      client.putItem(b -> b.tableName("ttl").item(Map.of("pk", s("old"), "exp", n(now - 10))));
      client.putItem(b -> b.tableName("ttl").item(Map.of("pk", s("young"), "exp", n(now + 3600))));
      client.putItem(b -> b.tableName("ttl").item(Map.of("pk", s("text"), "exp", s("yesterday"))));
      client.putItem(
          b ->
              b.tableName("ttl")
                  .item(Map.of("pk", s("ancient"), "exp", n(now - 6L * 365 * 86400))));
      assertThat(get(client, "ttl", "old")).isNotNull(); // like AWS: expired but not yet deleted
      assertThat(local.sweepExpiredItems()).isEqualTo(1);
      assertThat(get(client, "ttl", "old")).isNull();
      assertThat(get(client, "ttl", "young")).isNotNull();
      assertThat(get(client, "ttl", "text")).isNotNull(); // not a number: never expires
      assertThat(get(client, "ttl", "ancient")).isNotNull(); // over five years old: never expires
      clock.addAndGet(2 * 3600 * 1000);
      assertThat(local.sweepExpiredItems()).isEqualTo(1);
      assertThat(get(client, "ttl", "young")).isNull();
    }
  }

  @Test
  void ttlSettingsAreValidatedAsOnAws() {
    try (DynamoDbLocal local = DynamoDbLocal.start();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      Tables.hashTable(client, "ttl-rules");
      assertThat(
              client
                  .describeTimeToLive(b -> b.tableName("ttl-rules"))
                  .timeToLiveDescription()
                  .timeToLiveStatus())
          .isEqualTo(TimeToLiveStatus.DISABLED);
      client.updateTimeToLive(
          b ->
              b.tableName("ttl-rules")
                  .timeToLiveSpecification(t -> t.attributeName("a").enabled(true)));
      assertThatThrownBy(
              () ->
                  client.updateTimeToLive(
                      b ->
                          b.tableName("ttl-rules")
                              .timeToLiveSpecification(t -> t.attributeName("a").enabled(true))))
          .hasMessageContaining("TimeToLive is already enabled");
      assertThatThrownBy(
              () ->
                  client.updateTimeToLive(
                      b ->
                          b.tableName("ttl-rules")
                              .timeToLiveSpecification(t -> t.attributeName("b").enabled(false))))
          .hasMessageContaining(
              "TimeToLive is active on a different AttributeName: current AttributeName is a");
    }
  }

  @Test
  void closeFreesThePort() throws Exception {
    DynamoDbLocal local = DynamoDbLocal.start();
    int port = local.port();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      assertThat(socket.isConnected()).isTrue();
    }
    local.close();
    try (DynamoDbLocal again = DynamoDbLocal.builder().port(port).build()) {
      assertThat(again.port()).isEqualTo(port);
    }
  }

  @Test
  void startsInWellUnderASecond() {
    long start = System.nanoTime();
    try (DynamoDbLocal local = DynamoDbLocal.start()) {
      assertThat(local.port()).isPositive();
    }
    // generous bound for a shared machine; the point is "in-process, no child JVM"
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void itemsOverFourHundredKilobytesAreRefused() {
    try (DynamoDbLocal local = DynamoDbLocal.start();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      Tables.hashTable(client, "big");
      String name = "blob";
      int room = 400 * 1024 - "pk".length() - 1 - name.length();
      client.putItem(b -> b.tableName("big").item(Map.of("pk", s("a"), name, s("x".repeat(room)))));
      assertThatThrownBy(
              () ->
                  client.putItem(
                      b ->
                          b.tableName("big")
                              .item(Map.of("pk", s("b"), name, s("x".repeat(room + 1))))))
          .hasMessageContaining("Item size has exceeded the maximum allowed size");
      assertThat(get(client, "big", "a")).isNotNull();
    }
  }
}
