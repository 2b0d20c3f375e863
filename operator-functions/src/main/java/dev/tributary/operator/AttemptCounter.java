package dev.tributary.operator;

import dev.tributary.state.dynamodb.Position;
import dev.tributary.state.dynamodb.StateTables;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Counts the failed attempts of a record in the state table ({@code A#{job}#{split}}, sort key the
 * position and a scope: {@code prefix} for a source record the stateless prefix failed on, {@code
 * keyed} for a keyed record the keyed stage failed on, whichever slot and slot count ran it), so
 * that the count survives the invocations that retry it. The items expire a week after their last
 * failure.
 */
public final class AttemptCounter {
  private static final Duration KEEP = Duration.ofDays(7);

  private final DynamoDbClient dynamo;
  private final StateTables tables;
  private final String job;

  /** A counter for {@code job}'s records. */
  public AttemptCounter(DynamoDbClient dynamo, StateTables tables, String job) {
    this.dynamo = dynamo;
    this.tables = tables;
    this.job = job;
  }

  /** Counts one more failure of the record at {@code position}; returns the failures so far. */
  public int failed(String split, Position position, String scope) {
    long expires = Instant.now().plus(KEEP).getEpochSecond();
    Map<String, AttributeValue> attributes =
        dynamo
            .updateItem(
                b ->
                    b.tableName(tables.state())
                        .key(
                            Map.of(
                                StateTables.PK,
                                AttributeValue.fromS("A#" + job + "#" + split),
                                StateTables.SK,
                                AttributeValue.fromS(position.encode() + "#" + scope)))
                        .updateExpression("ADD attempts :one SET #ttl = :expires")
                        .expressionAttributeNames(Map.of("#ttl", StateTables.TTL))
                        .expressionAttributeValues(
                            Map.of(
                                ":one",
                                AttributeValue.fromN("1"),
                                ":expires",
                                AttributeValue.fromN(Long.toString(expires))))
                        .returnValues(ReturnValue.UPDATED_NEW))
            .attributes();
    return Integer.parseInt(attributes.get("attempts").n());
  }
}
