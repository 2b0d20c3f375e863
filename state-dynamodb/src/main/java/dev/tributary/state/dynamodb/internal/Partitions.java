package dev.tributary.state.dynamodb.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/** Reads a whole partition of the state table. */
public final class Partitions {
  private Partitions() {}

  /**
   * Every item of partition {@code pk} of {@code table} in sort-key order, by strongly consistent
   * Query pages (each item read committed, not all at one moment), with each page's read units to
   * {@code units}.
   */
  public static List<Map<String, AttributeValue>> read(
      DynamoDbClient client, String table, String pk, DoubleConsumer units) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          client.query(
              b ->
                  b.tableName(table)
                      .keyConditionExpression("pk = :pk")
                      .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                      .consistentRead(true)
                      .exclusiveStartKey(from)
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      if (page.consumedCapacity() != null && page.consumedCapacity().capacityUnits() != null) {
        units.accept(page.consumedCapacity().capacityUnits());
      }
      items.addAll(page.items());
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return items;
  }
}
