package dev.tributary.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
import software.amazon.awssdk.enhanced.dynamodb.Expression;
import software.amazon.awssdk.enhanced.dynamodb.Key;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticImmutableTableSchema;
import software.amazon.awssdk.enhanced.dynamodb.model.QueryConditional;
import software.amazon.awssdk.enhanced.dynamodb.model.TransactWriteItemsEnhancedRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** The DynamoDB Enhanced Client with an immutable schema round-trips through the endpoint. */
class EnhancedClientIT {
  /** An immutable item with a builder, as the Enhanced Client's immutable schemas expect. */
  public static final class Reading {
    private final String sensor;
    private final long time;
    private final double value;
    private final List<String> tags;
    private final Long version;

    private Reading(Builder b) {
      this.sensor = b.sensor;
      this.time = b.time;
      this.value = b.value;
      this.tags = b.tags;
      this.version = b.version;
    }

    public String sensor() {
      return sensor;
    }

    public long time() {
      return time;
    }

    public double value() {
      return value;
    }

    public List<String> tags() {
      return tags;
    }

    public Long version() {
      return version;
    }

    public static Builder builder() {
      return new Builder();
    }

    public static final class Builder {
      private String sensor;
      private long time;
      private double value;
      private List<String> tags;
      private Long version;

      public Builder sensor(String v) {
        sensor = v;
        return this;
      }

      public Builder time(long v) {
        time = v;
        return this;
      }

      public Builder value(double v) {
        value = v;
        return this;
      }

      public Builder tags(List<String> v) {
        tags = v;
        return this;
      }

      public Builder version(Long v) {
        version = v;
        return this;
      }

      public Reading build() {
        return new Reading(this);
      }
    }
  }

  static final TableSchema<Reading> SCHEMA =
      StaticImmutableTableSchema.builder(Reading.class, Reading.Builder.class)
          .newItemBuilder(Reading::builder, Reading.Builder::build)
          .addAttribute(
              String.class,
              a ->
                  a.name("sensor")
                      .getter(Reading::sensor)
                      .setter(Reading.Builder::sensor)
                      .tags(StaticAttributeTags.primaryPartitionKey()))
          .addAttribute(
              Long.class,
              a ->
                  a.name("time")
                      .getter(Reading::time)
                      .setter(Reading.Builder::time)
                      .tags(StaticAttributeTags.primarySortKey()))
          .addAttribute(
              Double.class,
              a -> a.name("value").getter(Reading::value).setter(Reading.Builder::value))
          .addAttribute(
              software.amazon.awssdk.enhanced.dynamodb.EnhancedType.listOf(String.class),
              a -> a.name("tags").getter(Reading::tags).setter(Reading.Builder::tags))
          .addAttribute(
              Long.class,
              a -> a.name("version").getter(Reading::version).setter(Reading.Builder::version))
          .build();

  static DynamoDbLocal local;
  static DynamoDbClient client;
  static DynamoDbTable<Reading> table;

  @BeforeAll
  static void start() {
    local = DynamoDbLocal.start();
    client = LocalClients.client(local.endpoint());
    DynamoDbEnhancedClient enhanced =
        DynamoDbEnhancedClient.builder().dynamoDbClient(client).build();
    table = enhanced.table("readings", SCHEMA);
    table.createTable();
  }

  @AfterAll
  static void stop() {
    client.close();
    local.close();
  }

  static Reading reading(String sensor, long time, double value) {
    return Reading.builder()
        .sensor(sensor)
        .time(time)
        .value(value)
        .tags(List.of("a", "b"))
        .version(1L)
        .build();
  }

  @Test
  void putGetQueryAndConditionalWritesRoundTrip() {
    for (int i = 0; i < 10; i++) {
      table.putItem(reading("s1", i, i * 1.5));
    }
    Reading back = table.getItem(Key.builder().partitionValue("s1").sortValue(4).build());
    assertThat(back.value()).isEqualTo(6.0);
    assertThat(back.tags()).containsExactly("a", "b");
    List<Reading> recent =
        table
            .query(
                r ->
                    r.queryConditional(
                            QueryConditional.sortGreaterThan(
                                Key.builder().partitionValue("s1").sortValue(6).build()))
                        .scanIndexForward(false))
            .items()
            .stream()
            .toList();
    assertThat(recent).extracting(Reading::time).containsExactly(9L, 8L, 7L);
    Expression onlyVersion1 =
        Expression.builder()
            .expression("version = :v")
            .putExpressionValue(
                ":v", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN("1"))
            .build();
    table.putItem(
        r ->
            r.item(Reading.builder().sensor("s1").time(4).value(7).version(2L).build())
                .conditionExpression(onlyVersion1));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> table.putItem(r -> r.item(reading("s1", 4, 8)).conditionExpression(onlyVersion1)))
        .isInstanceOf(ConditionalCheckFailedException.class);
  }

  @Test
  void enhancedTransactionsCommitAtomically() {
    DynamoDbEnhancedClient enhanced =
        DynamoDbEnhancedClient.builder().dynamoDbClient(client).build();
    enhanced.transactWriteItems(
        TransactWriteItemsEnhancedRequest.builder()
            .addPutItem(table, reading("s2", 1, 1))
            .addPutItem(table, reading("s2", 2, 2))
            .build());
    assertThat(
            table
                .query(QueryConditional.keyEqualTo(Key.builder().partitionValue("s2").build()))
                .items()
                .stream()
                .count())
        .isEqualTo(2);
  }
}
