package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CreateTable, DescribeTable, ListTables, DeleteTable and UpdateTable against dynalite. */
class TableConformanceIT extends ConformanceSupport {

  private static final String INDEXED_TABLE =
      "{'TableName':'%s',"
          + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
          + "{'AttributeName':'sk','KeyType':'RANGE'}],"
          + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
          + "{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'g','AttributeType':'S'},"
          + "{'AttributeName':'l','AttributeType':'B'}],"
          + "'ProvisionedThroughput':{'ReadCapacityUnits':2,'WriteCapacityUnits':3},"
          + "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g',"
          + "'KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"
          + "'Projection':{'ProjectionType':'KEYS_ONLY'},"
          + "'ProvisionedThroughput':{'ReadCapacityUnits':4,'WriteCapacityUnits':5}}],"
          + "'LocalSecondaryIndexes':[{'IndexName':'byL','KeySchema':[{'AttributeName':'pk',"
          + "'KeyType':'HASH'},{'AttributeName':'l','KeyType':'RANGE'}],"
          + "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['x','y']}}]}";

  @Test
  void createTableWithGlobalAndLocalIndexesIsDescribedAlike() {
    createTable(INDEXED_TABLE.formatted("tbl_indexes"));
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_indexes'}");
    describe.assertSameStatusAndError();
    assertThat(description(describe.oursBody(), "Table"))
        .as(describe.describe("Table"))
        .isEqualTo(description(describe.dynaliteBody(), "Table"));
    JsonNode ours = describe.oursBody().get("Table");
    assertThat(ours.at("/GlobalSecondaryIndexes/0/IndexStatus").asText()).isEqualTo("ACTIVE");
    assertThat(ours.at("/GlobalSecondaryIndexes/0/IndexArn").asText())
        .isEqualTo("arn:aws:dynamodb:us-east-1:000000000000:table/tbl_indexes/index/byG");
  }

  @Test
  void onDemandTableIsDescribedAlike() {
    createHashTable("tbl_on_demand");
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_on_demand'}").assertSame();
    assertThat(describe.oursBody().at("/Table/BillingModeSummary/BillingMode").asText())
        .isEqualTo("PAY_PER_REQUEST");
    assertThat(describe.oursBody().at("/Table/ProvisionedThroughput/ReadCapacityUnits").asInt())
        .isZero();
  }

  @Test
  void tableStatisticsAreMaintainedOnOurSide() {
    createHashRangeTable("tbl_stats");
    put("tbl_stats", "{'pk':{'S':'a'},'sk':{'N':'1'},'v':{'S':'xyz'}}");
    put("tbl_stats", "{'pk':{'S':'a'},'sk':{'N':'2'}}");
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_stats'}").assertSame();
    // AWS updates ItemCount/TableSizeBytes about every six hours (DescribeTable API reference);
    // dynalite never does (readme TODO "size info for tables and indexes"); we keep them exact.
    assertThat(describe.dynaliteBody().at("/Table/ItemCount").asInt()).isZero();
    assertThat(describe.oursBody().at("/Table/ItemCount").asInt()).isEqualTo(2);
    // (pk 2+1, sk 2+2, v 1+3) + (pk 2+1, sk 2+2): names and values in UTF-8 bytes
    assertThat(describe.oursBody().at("/Table/TableSizeBytes").asInt()).isEqualTo(18);
    // DeletionProtectionEnabled is part of AWS's TableDescription since 2023; dynalite predates it
    assertThat(describe.oursBody().at("/Table/DeletionProtectionEnabled").isBoolean()).isTrue();
    assertThat(describe.dynaliteBody().at("/Table/DeletionProtectionEnabled").isMissingNode())
        .isTrue();
  }

  @Test
  void createExistingTableIsResourceInUse() {
    createHashTable("tbl_twice");
    Exchange e =
        both(
                "CreateTable",
                "{'TableName':'tbl_twice','BillingMode':'PAY_PER_REQUEST',"
                    + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
                    + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]}")
            .assertSameStatusAndType();
    assertThat(e.ours().errorType()).isEqualTo("ResourceInUseException");
    // AWS: "Table already exists: <name>" (DynamoDB API reference, CreateTable
    // ResourceInUseException); dynalite sends an empty message
    assertThat(e.ours().message()).isEqualTo("Table already exists: tbl_twice");
    assertThat(e.dynalite().message()).isEmpty();
  }

  static Stream<Arguments> invalidCreateTables() {
    String keys =
        "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]";
    String rangeKeys =
        "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
            + "{'AttributeName':'sk','KeyType':'RANGE'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'sk','AttributeType':'S'},{'AttributeName':'x','AttributeType':'S'}]";
    return Stream.of(
        Arguments.of(
            "short table name", "{'TableName':'ab','BillingMode':'PAY_PER_REQUEST'," + keys + "}"),
        Arguments.of(
            "bad table name", "{'TableName':'a b c','BillingMode':'PAY_PER_REQUEST'," + keys + "}"),
        Arguments.of("no throughput", "{'TableName':'tbl_bad1'," + keys + "}"),
        Arguments.of(
            "throughput with on-demand",
            "{'TableName':'tbl_bad2','BillingMode':'PAY_PER_REQUEST',"
                + "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1},"
                + keys
                + "}"),
        Arguments.of(
            "key not defined",
            "{'TableName':'tbl_bad3','BillingMode':'PAY_PER_REQUEST',"
                + "'KeySchema':[{'AttributeName':'id','KeyType':'HASH'}],"
                + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]}"),
        Arguments.of(
            "unused definition",
            "{'TableName':'tbl_bad4','BillingMode':'PAY_PER_REQUEST',"
                + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
                + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
                + "{'AttributeName':'q','AttributeType':'S'}]}"),
        Arguments.of(
            "short index name",
            "{'TableName':'tbl_bad5','BillingMode':'PAY_PER_REQUEST',"
                + rangeKeys
                + ",'GlobalSecondaryIndexes':[{'IndexName':'gi','KeySchema':[{'AttributeName':'x',"
                + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}]}"),
        Arguments.of(
            "LSI with another hash key",
            "{'TableName':'tbl_bad6','BillingMode':'PAY_PER_REQUEST',"
                + rangeKeys
                + ",'LocalSecondaryIndexes':[{'IndexName':'lsi','KeySchema':[{'AttributeName':'x',"
                + "'KeyType':'HASH'},{'AttributeName':'sk','KeyType':'RANGE'}],"
                + "'Projection':{'ProjectionType':'ALL'}}]}"),
        Arguments.of(
            "LSI on a hash-only table",
            "{'TableName':'tbl_bad7','BillingMode':'PAY_PER_REQUEST',"
                + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
                + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
                + "{'AttributeName':'x','AttributeType':'S'}],"
                + "'LocalSecondaryIndexes':[{'IndexName':'lsi','KeySchema':[{'AttributeName':'pk',"
                + "'KeyType':'HASH'},{'AttributeName':'x','KeyType':'RANGE'}],"
                + "'Projection':{'ProjectionType':'ALL'}}]}"),
        Arguments.of(
            "duplicate index names",
            "{'TableName':'tbl_bad8','BillingMode':'PAY_PER_REQUEST',"
                + rangeKeys
                + ",'GlobalSecondaryIndexes':[{'IndexName':'idx','KeySchema':[{'AttributeName':'x',"
                + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}},"
                + "{'IndexName':'idx','KeySchema':[{'AttributeName':'sk',"
                + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}]}"),
        Arguments.of(
            "NonKeyAttributes without INCLUDE",
            "{'TableName':'tbl_bad9','BillingMode':'PAY_PER_REQUEST',"
                + rangeKeys
                + ",'GlobalSecondaryIndexes':[{'IndexName':'idx','KeySchema':[{'AttributeName':'x',"
                + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL',"
                + "'NonKeyAttributes':['a']}}]}"),
        Arguments.of(
            "range key first",
            "{'TableName':'tbl_bad10','BillingMode':'PAY_PER_REQUEST',"
                + "'KeySchema':[{'AttributeName':'pk','KeyType':'RANGE'}],"
                + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]}"),
        Arguments.of(
            "bad attribute type",
            "{'TableName':'tbl_bad11','BillingMode':'PAY_PER_REQUEST',"
                + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
                + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'BOOL'}]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidCreateTables")
  void invalidCreateTableIsRejectedAlike(String name, String request) {
    both("CreateTable", request).assertSameValidationError();
  }

  @ParameterizedTest
  @ValueSource(strings = {"DescribeTable", "DeleteTable", "UpdateTable", "CreateTable"})
  void missingTableNameIsRequired(String op) {
    both(op, "{}")
        .assertError(
            "ValidationException",
            "The parameter 'TableName' is required but was not present in the request");
  }

  @ParameterizedTest
  @ValueSource(strings = {"DescribeTable", "DeleteTable"})
  void missingTableIsNamedInTheError(String op) {
    both(op, "{'TableName':'tbl_never_created'}")
        .assertError(
            "ResourceNotFoundException",
            "Requested resource not found: Table: tbl_never_created not found");
  }

  @Test
  void listTablesPagesAlike() {
    for (String suffix : new String[] {"a", "b", "c", "d", "e"}) {
      createHashTable("list_" + suffix);
    }
    both("ListTables", "{}").assertSame();
    for (int limit = 1; limit <= 6; limit++) {
      both("ListTables", "{'Limit':" + limit + ",'ExclusiveStartTableName':'list_'}").assertSame();
      both("ListTables", "{'Limit':" + limit + ",'ExclusiveStartTableName':'list_b'}").assertSame();
    }
    // paging to the end yields every list_ table once
    String start = "list_";
    StringBuilder seen = new StringBuilder();
    for (int page = 0; page < 10 && start != null; page++) {
      Exchange e =
          both("ListTables", "{'Limit':2,'ExclusiveStartTableName':'" + start + "'}").assertSame();
      e.oursBody().get("TableNames").forEach(n -> seen.append(n.asText()).append(' '));
      JsonNode last = e.oursBody().get("LastEvaluatedTableName");
      start = last == null || !last.asText().startsWith("list_") ? null : last.asText();
    }
    assertThat(seen.toString()).startsWith("list_a list_b list_c list_d list_e ");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 101})
  void listTablesLimitIsValidated(int limit) {
    both("ListTables", "{'Limit':" + limit + "}").assertSameValidationError();
  }

  @Test
  void deleteTableRemovesTableAndItems() {
    createHashRangeTable("tbl_delete");
    put("tbl_delete", "{'pk':{'S':'a'},'sk':{'N':'1'}}");
    Exchange delete = both("DeleteTable", "{'TableName':'tbl_delete'}");
    delete.assertSameStatusAndError();
    assertThat(description(delete.oursBody(), "TableDescription"))
        .isEqualTo(description(delete.dynaliteBody(), "TableDescription"));
    assertThat(delete.oursBody().at("/TableDescription/TableStatus").asText())
        .isEqualTo("DELETING");
    // AWS keeps a DELETING table visible for a while, and so does dynalite until its
    // deleteTableMs timer fires; ours is gone at once (local use)
    awaitDynaliteDeleted("tbl_delete");
    both("DescribeTable", "{'TableName':'tbl_delete'}").assertSame();
    both("GetItem", "{'TableName':'tbl_delete','Key':{'pk':{'S':'a'},'sk':{'N':'1'}}}")
        .assertError("ResourceNotFoundException", "Requested resource not found");
    // the name is free again and the new table is empty
    createHashRangeTable("tbl_delete");
    both("Scan", "{'TableName':'tbl_delete'}").assertSame();
  }

  private void awaitDynaliteDeleted(String table) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Wire.Response r = dynalite("DescribeTable", "{'TableName':'" + table + "'}");
      if (r.status() == 400) {
        return;
      }
      sleep(20);
    }
    throw new AssertionError("dynalite still describes " + table + " 30 seconds after DeleteTable");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void updateTableThroughputIsDescribedAlike() {
    createTable(INDEXED_TABLE.formatted("tbl_update"));
    Exchange update =
        both(
            "UpdateTable",
            "{'TableName':'tbl_update',"
                + "'ProvisionedThroughput':{'ReadCapacityUnits':7,'WriteCapacityUnits':8}}");
    update.assertSameStatusAndError();
    awaitDynaliteActive("tbl_update");
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_update'}");
    assertThat(description(describe.oursBody(), "Table"))
        .as(describe.describe("Table"))
        .isEqualTo(description(describe.dynaliteBody(), "Table"));
    assertThat(describe.oursBody().at("/Table/ProvisionedThroughput/ReadCapacityUnits").asInt())
        .isEqualTo(7);
    assertThat(
            describe.oursBody().at("/Table/ProvisionedThroughput/LastIncreaseDateTime").isNumber())
        .isTrue();
  }

  @Test
  void updateTableDecreaseIsCounted() {
    createTable(INDEXED_TABLE.formatted("tbl_decrease"));
    ok(
        "UpdateTable",
        "{'TableName':'tbl_decrease',"
            + "'ProvisionedThroughput':{'ReadCapacityUnits':1,'WriteCapacityUnits':1}}");
    awaitDynaliteActive("tbl_decrease");
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_decrease'}");
    assertThat(description(describe.oursBody(), "Table"))
        .as(describe.describe("Table"))
        .isEqualTo(description(describe.dynaliteBody(), "Table"));
    assertThat(
            describe.oursBody().at("/Table/ProvisionedThroughput/NumberOfDecreasesToday").asInt())
        .isEqualTo(1);
    assertThat(
            describe.oursBody().at("/Table/ProvisionedThroughput/LastDecreaseDateTime").isNumber())
        .isTrue();
  }

  @Test
  void updateGlobalIndexThroughputIsDescribedAlike() {
    createTable(INDEXED_TABLE.formatted("tbl_update_gsi"));
    ok(
        "UpdateTable",
        "{'TableName':'tbl_update_gsi','GlobalSecondaryIndexUpdates':[{'Update':{"
            + "'IndexName':'byG','ProvisionedThroughput':{'ReadCapacityUnits':9,"
            + "'WriteCapacityUnits':10}}}]}");
    awaitDynaliteActive("tbl_update_gsi");
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_update_gsi'}");
    assertThat(description(describe.oursBody(), "Table"))
        .as(describe.describe("Table"))
        .isEqualTo(description(describe.dynaliteBody(), "Table"));
    assertThat(
            describe
                .oursBody()
                .at("/Table/GlobalSecondaryIndexes/0/ProvisionedThroughput/WriteCapacityUnits")
                .asInt())
        .isEqualTo(10);
  }

  @Test
  void updateTableToTheSameThroughputIsRejectedAlike() {
    createTable(INDEXED_TABLE.formatted("tbl_same"));
    both(
            "UpdateTable",
            "{'TableName':'tbl_same',"
                + "'ProvisionedThroughput':{'ReadCapacityUnits':2,'WriteCapacityUnits':3}}")
        .assertSameValidationError();
  }

  @Test
  void updateTableThroughputOnDemandIsRejectedAlike() {
    createHashTable("tbl_on_demand_update");
    both(
            "UpdateTable",
            "{'TableName':'tbl_on_demand_update',"
                + "'ProvisionedThroughput':{'ReadCapacityUnits':2,'WriteCapacityUnits':3}}")
        .assertSameValidationError();
  }

  @Test
  void switchingToOnDemandIsDescribedAlike() {
    createTable(INDEXED_TABLE.formatted("tbl_to_on_demand"));
    ok("UpdateTable", "{'TableName':'tbl_to_on_demand','BillingMode':'PAY_PER_REQUEST'}");
    awaitDynaliteActive("tbl_to_on_demand");
    Exchange describe = both("DescribeTable", "{'TableName':'tbl_to_on_demand'}");
    describe.assertSame();
  }

  @Test
  void createGlobalIndexOnlyOnOurSide() {
    createHashRangeTable("tbl_add_gsi");
    put("tbl_add_gsi", "{'pk':{'S':'a'},'sk':{'N':'1'},'g':{'S':'x'}}");
    String request =
        "{'TableName':'tbl_add_gsi','AttributeDefinitions':[{'AttributeName':'g',"
            + "'AttributeType':'S'}],'GlobalSecondaryIndexUpdates':[{'Create':{'IndexName':'byG',"
            + "'KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],"
            + "'Projection':{'ProjectionType':'ALL'}}}]}";
    Exchange e = both("UpdateTable", request);
    // AWS creates the index online (UpdateTable API reference, GlobalSecondaryIndexUpdates.Create);
    // dynalite ignores Create (readme: GSI creation via UpdateTable is not supported) and answers
    // OK
    assertThat(e.ours().status()).isEqualTo(200);
    assertThat(e.oursBody().at("/TableDescription/GlobalSecondaryIndexes/0/IndexName").asText())
        .isEqualTo("byG");
    assertThat(e.dynaliteBody().at("/TableDescription/GlobalSecondaryIndexes").isMissingNode())
        .isTrue();
    Wire.Response query =
        ours(
            "Query",
            "{'TableName':'tbl_add_gsi','IndexName':'byG','KeyConditionExpression':'g = :g',"
                + "'ExpressionAttributeValues':{':g':{'S':'x'}}}");
    assertThat(query.body().get("Count").asInt()).as(query.toString()).isEqualTo(1);
  }
}
