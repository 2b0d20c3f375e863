package dev.tributary.local.dynamodb;

import static dev.tributary.local.dynamodb.Tables.key;
import static dev.tributary.local.dynamodb.Tables.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Consumed capacity against the worked examples of the DynamoDB developer guide, "Read/write
 * capacity mode" and "Item sizes and formats" (each test names its example). Items are built to an
 * exact size: attribute names plus values, as the guide counts them.
 */
class CapacityIT {
  static DynamoDbLocal local;
  static DynamoDbClient client;

  @BeforeAll
  static void start() {
    local = DynamoDbLocal.start();
    client = LocalClients.client(local.endpoint());
    Tables.hashTable(client, "cap");
    client.createTable(
        b ->
            b.tableName("cap-gsi")
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                .attributeDefinitions(
                    AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                    AttributeDefinition.builder().attributeName("g").attributeType("S").build())
                .globalSecondaryIndexes(
                    GlobalSecondaryIndex.builder()
                        .indexName("by-g")
                        .keySchema(
                            KeySchemaElement.builder()
                                .attributeName("g")
                                .keyType(KeyType.HASH)
                                .build())
                        .projection(
                            Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build())
                        .build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
  }

  @AfterAll
  static void stop() {
    client.close();
    local.close();
  }

  /** An item of exactly {@code bytes}: "pk" + a one-letter key + "b" + a string. */
  static Map<String, AttributeValue> sized(String pk, int bytes) {
    int overhead = "pk".length() + pk.length() + "b".length();
    return Map.of("pk", s(pk), "b", s("x".repeat(bytes - overhead)));
  }

  static void put(String table, Map<String, AttributeValue> item) {
    client.putItem(b -> b.tableName(table).item(item));
  }

  static double getUnits(String pk, boolean consistent) {
    return client
        .getItem(
            b ->
                b.tableName("cap")
                    .key(key(pk))
                    .consistentRead(consistent)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))
        .consumedCapacity()
        .capacityUnits();
  }

  @Test
  void getItemRoundsTheItemUpToFourKilobytes() {
    // "an item of 3.5 KB ... rounds up to 4 KB": 1 unit strongly consistent, 0.5 eventually
    put("cap", sized("g", 3584));
    assertThat(getUnits("g", true)).isEqualTo(1.0);
    assertThat(getUnits("g", false)).isEqualTo(0.5);
    // "a 10 KB item ... rounds up to 12 KB": 3 units
    put("cap", sized("h", 10 * 1024));
    assertThat(getUnits("h", true)).isEqualTo(3.0);
    // "If you perform a read operation on an item that does not exist, ... one read capacity unit"
    assertThat(getUnits("missing", true)).isEqualTo(1.0);
    assertThat(getUnits("missing", false)).isEqualTo(0.5);
  }

  @Test
  void batchGetItemRoundsEachItemOnItsOwn() {
    // "a 1.5 KB item and a 6.5 KB item ... 12 KB (4 KB + 8 KB), not 8 KB"
    put("cap", sized("p", 1536));
    put("cap", sized("q", 6656));
    List<ConsumedCapacity> consumed =
        client
            .batchGetItem(
                b ->
                    b.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                        .requestItems(
                            Map.of(
                                "cap",
                                KeysAndAttributes.builder()
                                    .keys(key("p"), key("q"))
                                    .consistentRead(true)
                                    .build())))
            .consumedCapacity();
    assertThat(consumed).singleElement().extracting(ConsumedCapacity::capacityUnits).isEqualTo(3.0);
  }

  @Test
  void queryAddsUpTheItemsThenRoundsOnceAndCountsFilteredOnesToo() {
    Tables.hashTable(client, "cap-noop");
    client.createTable(
        b ->
            b.tableName("cap-q")
                .keySchema(
                    KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                    KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .attributeDefinitions(
                    AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                    AttributeDefinition.builder().attributeName("sk").attributeType("N").build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    // "10 items ... 40.8 KB ... rounded up to 44 KB": 11 units strongly consistent
    int total = 41779; // 40.8 KB
    for (int i = 0; i < 10; i++) {
      int size = i < 9 ? total / 10 : total - 9 * (total / 10);
      int overhead = "pk".length() + 1 + "sk".length() + 2 + "seq".length() + 2 + "b".length();
      int v = i;
      client.putItem(
          b ->
              b.tableName("cap-q")
                  .item(
                      Map.of(
                          "pk",
                          s("a"),
                          "sk",
                          Tables.n(v),
                          "seq",
                          Tables.n(v),
                          "b",
                          s("x".repeat(size - overhead)))));
    }
    var strong =
        client.query(
            b ->
                b.tableName("cap-q")
                    .keyConditionExpression("pk = :a")
                    .expressionAttributeValues(Map.of(":a", s("a")))
                    .consistentRead(true)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertThat(strong.consumedCapacity().capacityUnits()).isEqualTo(11.0);
    // a filter, a projection or Select COUNT change nothing ("uses the same quantity of read
    // capacity")
    var counted =
        client.query(
            b ->
                b.tableName("cap-q")
                    .keyConditionExpression("pk = :a")
                    .filterExpression("seq > :five")
                    .expressionAttributeValues(Map.of(":a", s("a"), ":five", Tables.n(5)))
                    .select(Select.COUNT)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertThat(counted.count()).isEqualTo(4);
    assertThat(counted.consumedCapacity().capacityUnits()).isEqualTo(5.5);
    // "Queries that do not return results consume the minimum number of read capacity units"
    var empty =
        client.query(
            b ->
                b.tableName("cap-q")
                    .keyConditionExpression("pk = :z")
                    .expressionAttributeValues(Map.of(":z", s("none")))
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    assertThat(empty.consumedCapacity().capacityUnits()).isEqualTo(0.5);
  }

  static double putUnits(String table, Map<String, AttributeValue> item) {
    return client
        .putItem(
            b -> b.tableName(table).item(item).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))
        .consumedCapacity()
        .capacityUnits();
  }

  @Test
  void writesCountTheLargerOfTheOldAndNewItemInKilobytes() {
    // a 1.5 KB item costs 2 write units
    assertThat(putUnits("cap", sized("w", 1536))).isEqualTo(2.0);
    // "the item size that matters is the larger of the two": replacing 3 KB by 0.5 KB costs 3
    put("cap", sized("r", 3072));
    assertThat(putUnits("cap", sized("r", 512))).isEqualTo(3.0);
    // "based on the size of the deleted item"
    put("cap", sized("d", 2560));
    assertThat(
            client
                .deleteItem(
                    b ->
                        b.tableName("cap")
                            .key(key("d"))
                            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))
                .consumedCapacity()
                .capacityUnits())
        .isEqualTo(3.0);
    // deleting a missing item costs one unit
    assertThat(
            client
                .deleteItem(
                    b ->
                        b.tableName("cap")
                            .key(key("never"))
                            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL))
                .consumedCapacity()
                .capacityUnits())
        .isEqualTo(1.0);
  }

  @Test
  void batchWriteItemRoundsEachItemOnItsOwn() {
    // "a 500-byte item and a 3.5 KB item ... 5 KB (1 KB + 4 KB)"
    List<WriteRequest> writes = new ArrayList<>();
    writes.add(
        WriteRequest.builder()
            .putRequest(PutRequest.builder().item(sized("bw1", 500)).build())
            .build());
    writes.add(
        WriteRequest.builder()
            .putRequest(PutRequest.builder().item(sized("bw2", 3584)).build())
            .build());
    var consumed =
        client
            .batchWriteItem(
                b ->
                    b.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                        .requestItems(Map.of("cap", writes)))
            .consumedCapacity();
    assertThat(consumed).singleElement().extracting(ConsumedCapacity::capacityUnits).isEqualTo(5.0);
  }

  @Test
  void transactionsCostTwiceTheUnits() {
    // "3 x 500 B items written -> 6 WCU; 3 read -> 6 RCU"
    List<TransactWriteItem> writes = new ArrayList<>();
    List<TransactGetItem> reads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String pk = "t" + i;
      writes.add(
          TransactWriteItem.builder()
              .put(Put.builder().tableName("cap").item(sized(pk, 500)).build())
              .build());
      reads.add(
          TransactGetItem.builder()
              .get(Get.builder().tableName("cap").key(key(pk)).build())
              .build());
    }
    assertThat(
            client
                .transactWriteItems(
                    b ->
                        b.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                            .transactItems(writes))
                .consumedCapacity())
        .singleElement()
        .extracting(ConsumedCapacity::capacityUnits)
        .isEqualTo(6.0);
    assertThat(
            client
                .transactGetItems(
                    b ->
                        b.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).transactItems(reads))
                .consumedCapacity())
        .singleElement()
        .extracting(ConsumedCapacity::capacityUnits)
        .isEqualTo(6.0);
  }

  static ConsumedCapacity update(String pk, String expression, Map<String, AttributeValue> values) {
    return client
        .updateItem(
            b -> {
              b.tableName("cap-gsi")
                  .key(key(pk))
                  .updateExpression(expression)
                  .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES);
              if (!values.isEmpty()) {
                b.expressionAttributeValues(values);
              }
            })
        .consumedCapacity();
  }

  static Double gsiUnits(ConsumedCapacity c) {
    return c.globalSecondaryIndexes() == null || !c.globalSecondaryIndexes().containsKey("by-g")
        ? 0.0
        : c.globalSecondaryIndexes().get("by-g").capacityUnits();
  }

  @Test
  void globalSecondaryIndexWritesFollowTheGuidesFiveCases() {
    // a new item that defines the indexed attribute: 1 index write
    ConsumedCapacity created = update("i1", "SET g = :a", Map.of(":a", s("A")));
    assertThat(gsiUnits(created)).isEqualTo(1.0);
    assertThat(created.table().capacityUnits()).isEqualTo(1.0);
    assertThat(created.capacityUnits()).isEqualTo(2.0);
    // the indexed key changes A -> B: delete plus put, 2 index writes
    assertThat(gsiUnits(update("i1", "SET g = :b", Map.of(":b", s("B"))))).isEqualTo(2.0);
    // only a non-projected attribute changes (KEYS_ONLY): no index write
    assertThat(gsiUnits(update("i1", "SET extra = :x", Map.of(":x", s("x"))))).isEqualTo(0.0);
    // the indexed attribute is removed: 1 index write
    assertThat(gsiUnits(update("i1", "REMOVE g", Map.of()))).isEqualTo(1.0);
    // the item is in the index neither before nor after: none
    assertThat(gsiUnits(update("i1", "SET extra = :y", Map.of(":y", s("y"))))).isEqualTo(0.0);
  }
}
