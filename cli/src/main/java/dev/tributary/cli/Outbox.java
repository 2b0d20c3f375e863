package dev.tributary.cli;

import dev.tributary.state.dynamodb.StateTables;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads what a job committed: the outbox rows (every sink record, as UTF-8 text, per sink) and the
 * dead-letter rows. Scans the whole table, for checks at the end of a run.
 */
public final class Outbox {
  private Outbox() {}

  /** Every committed sink record, per sink, as text. */
  public static Map<String, List<String>> read(DynamoDbClient dynamo, StateTables tables) {
    Map<String, List<String>> out = new TreeMap<>();
    scan(
        dynamo,
        tables.outbox(),
        item -> {
          AttributeValue records = item.get("r");
          if (records == null || !records.hasL()) {
            return;
          }
          for (AttributeValue r : records.l()) {
            out.computeIfAbsent(r.m().get("s").s(), s -> new ArrayList<>())
                .add(new String(r.m().get("v").b().asByteArray(), StandardCharsets.UTF_8));
          }
        });
    return out;
  }

  /** The dead-letter rows, as DynamoDB items. */
  public static List<Map<String, AttributeValue>> deadLetters(
      DynamoDbClient dynamo, StateTables tables) {
    List<Map<String, AttributeValue>> out = new ArrayList<>();
    scan(dynamo, tables.deadLetters(), out::add);
    return out;
  }

  private static void scan(
      DynamoDbClient dynamo, String table, Consumer<Map<String, AttributeValue>> each) {
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> exclusive = start;
      var page = dynamo.scan(b -> b.tableName(table).exclusiveStartKey(exclusive));
      page.items().forEach(each);
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
  }
}
