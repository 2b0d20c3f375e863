package dev.tributary.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.*;

class SmokeIT {
  @Test
  void basics() {
    try (DynamoDbLocal local = DynamoDbLocal.start();
        DynamoDbClient c = LocalClients.client(local.endpoint())) {
      c.createTable(
          b ->
              b.tableName("tbl")
                  .keySchema(
                      KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                      KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                  .attributeDefinitions(
                      AttributeDefinition.builder().attributeName("pk").attributeType("S").build(),
                      AttributeDefinition.builder().attributeName("sk").attributeType("N").build())
                  .billingMode(BillingMode.PAY_PER_REQUEST));
      for (int n = 0; n < 5; n++) {
        int i = n;
        c.putItem(
            b ->
                b.tableName("tbl")
                    .item(
                        Map.of(
                            "pk", AttributeValue.fromS("a"),
                            "sk", AttributeValue.fromN(String.valueOf(i)),
                            "v", AttributeValue.fromS("x" + i))));
      }
      GetItemResponse g =
          c.getItem(
              b ->
                  b.tableName("tbl")
                      .key(Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN("3")))
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      System.out.println(g);
      QueryResponse q =
          c.query(
              b ->
                  b.tableName("tbl")
                      .keyConditionExpression("pk = :p AND sk > :s")
                      .expressionAttributeValues(
                          Map.of(":p", AttributeValue.fromS("a"), ":s", AttributeValue.fromN("1")))
                      .limit(2));
      System.out.println(q);
      assertThat(q.items()).hasSize(2);
      UpdateItemResponse u =
          c.updateItem(
              b ->
                  b.tableName("tbl")
                      .key(Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN("3")))
                      .updateExpression("SET n = if_not_exists(n, :z) + :one")
                      .expressionAttributeValues(
                          Map.of(
                              ":z", AttributeValue.fromN("0"), ":one", AttributeValue.fromN("1")))
                      .returnValues(ReturnValue.ALL_NEW));
      System.out.println(u);
      try {
        c.transactWriteItems(
            b ->
                b.transactItems(
                    TransactWriteItem.builder()
                        .conditionCheck(
                            ConditionCheck.builder()
                                .tableName("tbl")
                                .key(
                                    Map.of(
                                        "pk", AttributeValue.fromS("a"),
                                        "sk", AttributeValue.fromN("3")))
                                .conditionExpression("n = :two")
                                .expressionAttributeValues(
                                    Map.of(":two", AttributeValue.fromN("2")))
                                .build())
                        .build()));
      } catch (TransactionCanceledException e) {
        System.out.println(e.getMessage() + " " + e.cancellationReasons());
      }
      System.out.println(c.describeTable(b -> b.tableName("tbl")).table());
      System.out.println(c.scan(b -> b.tableName("tbl")).count());
    }
  }
}
