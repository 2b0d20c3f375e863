package dev.tributary.local.dynamodb;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;

/** Table and item helpers for the endpoint's tests. */
final class Tables {
  private Tables() {}

  /** An on-demand table with a string partition key {@code pk}. */
  static void hashTable(DynamoDbClient client, String name) {
    client.createTable(
        b ->
            b.tableName(name)
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(
                    AttributeDefinition.builder().attributeName("pk").attributeType("S").build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
  }

  static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }

  static Map<String, AttributeValue> key(String pk) {
    return Map.of("pk", s(pk));
  }

  static Map<String, AttributeValue> item(String pk, long value) {
    return Map.of("pk", s(pk), "v", n(value));
  }

  static Map<String, AttributeValue> get(DynamoDbClient client, String table, String pk) {
    Map<String, AttributeValue> item =
        client.getItem(b -> b.tableName(table).key(key(pk)).consistentRead(true)).item();
    return item == null || item.isEmpty() ? null : item;
  }
}
