package dev.tributary.state.dynamodb;

import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * The DynamoDB tables of one job. All three have a string partition key {@code pk} and a string
 * sort key {@code sk}; docs/protocol.md lists what each holds.
 *
 * @param state keyed state, timers, checkpoints and attempt counters (every commit writes here)
 * @param outbox committed sink records, waiting for the publisher
 * @param deadLetters records set aside after too many failed attempts, with their payload
 */
public record StateTables(String state, String outbox, String deadLetters) {
  /** The partition key attribute of every table. */
  public static final String PK = "pk";

  /** The sort key attribute of every table. */
  public static final String SK = "sk";

  /** The TTL attribute of every table (epoch seconds). */
  public static final String TTL = "expiresAt";

  /** Validates the names. */
  public StateTables {
    Objects.requireNonNull(state, "state table name");
    Objects.requireNonNull(outbox, "outbox table name");
    Objects.requireNonNull(deadLetters, "dead-letter table name");
  }

  /**
   * Tables named {@code <prefix>-state}, {@code <prefix>-outbox}, {@code <prefix>-dead-letters}.
   */
  public static StateTables withPrefix(String prefix) {
    return new StateTables(prefix + "-state", prefix + "-outbox", prefix + "-dead-letters");
  }

  /** The three names. */
  public List<String> names() {
    return List.of(state, outbox, deadLetters);
  }

  /** Creates the tables that do not exist yet (on-demand, TTL on {@value #TTL}); for local runs. */
  public void createIfMissing(DynamoDbClient client) {
    for (String name : names()) {
      try {
        client.createTable(
            b ->
                b.tableName(name)
                    .keySchema(
                        KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build())
                    .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PK).attributeType("S").build(),
                        AttributeDefinition.builder().attributeName(SK).attributeType("S").build())
                    .billingMode(BillingMode.PAY_PER_REQUEST));
        client.updateTimeToLive(
            b ->
                b.tableName(name).timeToLiveSpecification(t -> t.attributeName(TTL).enabled(true)));
      } catch (ResourceInUseException exists) {
        // created before
      }
    }
  }

  /**
   * Checks that every table exists with the expected key schema, failing with a message that names
   * the table, what is wrong and the fix.
   */
  public void validate(DynamoDbClient client) {
    for (String name : names()) {
      DescribeTableResponse response;
      try {
        response = client.describeTable(b -> b.tableName(name));
      } catch (ResourceNotFoundException e) {
        throw new IllegalStateException(
            "DynamoDB table '"
                + name
                + "' does not exist; create it with partition key '"
                + PK
                + "' (S) and sort key '"
                + SK
                + "' (S) (the StreamJob CDK construct does), or call StateTables.createIfMissing"
                + " for a local run",
            e);
      } catch (DynamoDbException e) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        if (e.statusCode() == 403 || "AccessDeniedException".equals(code)) {
          throw new IllegalStateException(
              "no permission to describe DynamoDB table '"
                  + name
                  + "': "
                  + e.awsErrorDetails().errorMessage()
                  + "; grant dynamodb:DescribeTable and the item actions on it",
              e);
        }
        throw e;
      }
      TableDescription table = response.table();
      List<KeySchemaElement> keys = table.keySchema();
      boolean ok =
          keys.size() == 2
              && keys.get(0).attributeName().equals(PK)
              && keys.get(0).keyType() == KeyType.HASH
              && keys.get(1).attributeName().equals(SK)
              && keys.get(1).keyType() == KeyType.RANGE
              && table.attributeDefinitions().stream()
                  .filter(d -> d.attributeName().equals(PK) || d.attributeName().equals(SK))
                  .allMatch(d -> d.attributeTypeAsString().equals("S"));
      if (!ok) {
        throw new IllegalStateException(
            "DynamoDB table '"
                + name
                + "' has key schema "
                + keys
                + "; Tributary expects partition key '"
                + PK
                + "' (S) and sort key '"
                + SK
                + "' (S). Recreate the table with that schema");
      }
    }
  }
}
