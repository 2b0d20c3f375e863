package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** BatchGetItem and BatchWriteItem: results (in any order), capacity, limits and errors. */
class BatchConformanceIT extends ConformanceSupport {
  private static final String ONE = "batch_one";
  private static final String TWO = "batch_two";
  private static final String LARGE = "batch_large";

  @BeforeAll
  void tables() {
    createHashRangeTable(ONE);
    createHashTable(TWO);
    createHashTable(LARGE);
    StringBuilder puts = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      puts.append(i == 0 ? "" : ",")
          .append("{'PutRequest':{'Item':{'pk':{'S':'a'},'sk':{'N':'")
          .append(i)
          .append("'},'v':{'S':'")
          .append(repeat('v', i * 300))
          .append("'},'m':{'M':{'x':{'N':'")
          .append(i)
          .append("'}}}}}}");
    }
    ok("BatchWriteItem", "{'RequestItems':{'" + ONE + "':[" + puts + "]}}");
    for (int i = 0; i < 10; i++) {
      put(TWO, "{'pk':{'S':'k" + i + "'},'n':{'N':'" + i + "'}}");
      put(LARGE, "{'pk':{'S':'l" + i + "'},'blob':{'S':'" + repeat('x', 300_000) + "'}}");
    }
  }

  private static String keys(int from, int to) {
    StringBuilder keys = new StringBuilder();
    for (int i = from; i < to; i++) {
      keys.append(i == from ? "" : ",")
          .append("{'pk':{'S':'a'},'sk':{'N':'")
          .append(i)
          .append("'}}");
    }
    return keys.toString();
  }

  static Stream<Arguments> gets() {
    return Stream.of(
        Arguments.of("'" + ONE + "':{'Keys':[" + keys(0, 20) + "]}", "TOTAL"),
        Arguments.of(
            "'"
                + ONE
                + "':{'Keys':["
                + keys(15, 25)
                + "],'ConsistentRead':true},'"
                + TWO
                + "':{'Keys':[{'pk':{'S':'k1'}},{'pk':{'S':'missing'}}]}",
            "INDEXES"),
        Arguments.of(
            "'"
                + ONE
                + "':{'Keys':["
                + keys(0, 5)
                + "],'ProjectionExpression':'sk, m.x, #v','ExpressionAttributeNames':{'#v':'v'}}",
            "TOTAL"),
        Arguments.of(
            "'" + ONE + "':{'Keys':[" + keys(3, 6) + "],'AttributesToGet':['pk','v']}", "NONE"),
        Arguments.of(
            "'" + TWO + "':{'Keys':[{'pk':{'S':'gone'}}],'ConsistentRead':true}", "TOTAL"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("gets")
  void batchGetReturnsTheSameItemsAndCapacity(String requestItems, String capacity) {
    both(
            "BatchGetItem",
            "{'RequestItems':{" + requestItems + "},'ReturnConsumedCapacity':'" + capacity + "'}")
        .assertSameIgnoringOrder();
  }

  @Test
  void batchWriteMixesPutsAndDeletesAcrossTables() {
    Exchange write =
        both(
                "BatchWriteItem",
                "{'RequestItems':{'"
                    + TWO
                    + "':[{'PutRequest':{'Item':{'pk':{'S':'w1'},'big':{'S':'"
                    + repeat('w', 1500)
                    + "'}}}},{'DeleteRequest':{'Key':{'pk':{'S':'k9'}}}},"
                    + "{'DeleteRequest':{'Key':{'pk':{'S':'never'}}}}],'"
                    + ONE
                    + "':[{'PutRequest':{'Item':{'pk':{'S':'b'},'sk':{'N':'1'}}}}]},"
                    + "'ReturnConsumedCapacity':'TOTAL'}")
            .assertSameIgnoringOrder();
    assertThat(write.oursBody().get("UnprocessedItems").isEmpty()).isTrue();
    both("Scan", "{'TableName':'" + TWO + "'}").assertSame();
    both(
            "Query",
            "{'TableName':'"
                + ONE
                + "','KeyConditionExpression':'pk = :b',"
                + "'ExpressionAttributeValues':{':b':{'S':'b'}}}")
        .assertSame();
  }

  @Test
  void batchGetOverTheResponseLimitIsSplitDifferently() {
    StringBuilder keys = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      keys.append(i == 0 ? "" : ",").append("{'pk':{'S':'l").append(i).append("'}}");
    }
    Exchange e =
        both(
            "BatchGetItem",
            "{'RequestItems':{'"
                + LARGE
                + "':{'Keys':["
                + keys
                + "]}},"
                + "'ReturnConsumedCapacity':'TOTAL'}");
    e.assertBothOk();
    // AWS returns up to 16 MB (API reference, BatchGetItem), so all ten 300 KB items come back;
    // dynalite stops near 1.4 MB and returns the rest as UnprocessedKeys, each charged 1 unit
    assertThat(e.oursBody().at("/Responses/" + LARGE).size()).isEqualTo(10);
    assertThat(e.oursBody().get("UnprocessedKeys").isEmpty()).isTrue();
    assertThat(number(e.oursBody(), "/ConsumedCapacity/0/CapacityUnits")).isEqualTo(10 * 37.0);
    int returned = e.dynaliteBody().at("/Responses/" + LARGE).size();
    assertThat(returned).isLessThan(10);
    assertThat(e.dynaliteBody().at("/UnprocessedKeys/" + LARGE + "/Keys").size())
        .isEqualTo(10 - returned);
    assertThat(number(e.dynaliteBody(), "/ConsumedCapacity/0/CapacityUnits"))
        .isEqualTo(returned * 37.0 + (10 - returned));
  }

  @Test
  void batchWriteOfMoreThan25RequestsInTotalIsRejectedOnOurSide() {
    StringBuilder one = new StringBuilder();
    StringBuilder two = new StringBuilder();
    for (int i = 0; i < 15; i++) {
      one.append(i == 0 ? "" : ",")
          .append("{'PutRequest':{'Item':{'pk':{'S':'c'},'sk':{'N':'")
          .append(i)
          .append("'}}}}");
      two.append(i == 0 ? "" : ",")
          .append("{'PutRequest':{'Item':{'pk':{'S':'c")
          .append(i)
          .append("'}}}}");
    }
    Exchange e =
        both(
            "BatchWriteItem",
            "{'RequestItems':{'" + ONE + "':[" + one + "],'" + TWO + "':[" + two + "]}}");
    // AWS: "The BatchWriteItem operation can contain up to 25 individual put or delete
    // requests" in total (API reference, BatchWriteItem); dynalite counts 25 per table
    assertThat(e.ours().status()).isEqualTo(400);
    assertThat(e.ours().message())
        .isEqualTo("Too many items requested for the BatchWriteItem call");
    assertThat(e.dynalite().status()).isEqualTo(200);
    // undo dynalite's writes so that both endpoints hold the same items again
    ok(
        "BatchWriteItem",
        "{'RequestItems':{'"
            + ONE
            + "':["
            + one.toString().replace("PutRequest", "DeleteRequest").replace("'Item'", "'Key'")
            + "]}}");
    ok(
        "BatchWriteItem",
        "{'RequestItems':{'"
            + TWO
            + "':["
            + two.toString().replace("PutRequest", "DeleteRequest").replace("'Item'", "'Key'")
            + "]}}");
    both("Scan", "{'TableName':'" + TWO + "'}").assertSame();
  }

  static Stream<Arguments> invalidBatchGets() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      many.append(i == 0 ? "" : ",").append("{'pk':{'S':'k").append(i).append("'}}");
    }
    StringBuilder sixty = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sixty.append(i == 0 ? "" : ",").append("{'pk':{'S':'k").append(i).append("'}}");
    }
    return Stream.of(
        Arguments.of("no tables", "{'RequestItems':{}}"),
        Arguments.of("no keys", "{'RequestItems':{'" + TWO + "':{'Keys':[]}}}"),
        Arguments.of(
            "unknown table", "{'RequestItems':{'batch_nope':{'Keys':[{'pk':{'S':'a'}}]}}}"),
        Arguments.of(
            "duplicate keys",
            "{'RequestItems':{'" + TWO + "':{'Keys':[{'pk':{'S':'a'}},{'pk':{'S':'a'}}]}}}"),
        Arguments.of("101 keys", "{'RequestItems':{'" + TWO + "':{'Keys':[" + many + "]}}}"),
        Arguments.of(
            "120 keys over two tables",
            "{'RequestItems':{'"
                + TWO
                + "':{'Keys':["
                + sixty
                + "]},'"
                + LARGE
                + "':{'Keys':["
                + sixty
                + "]}}}"),
        Arguments.of("wrong key", "{'RequestItems':{'" + TWO + "':{'Keys':[{'id':{'S':'a'}}]}}}"),
        Arguments.of(
            "mixed projection parameters",
            "{'RequestItems':{'"
                + TWO
                + "':{'Keys':[{'pk':{'S':'a'}}],'AttributesToGet':['pk'],"
                + "'ProjectionExpression':'pk'}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidBatchGets")
  void invalidBatchGetsAreRejectedAlike(String name, String body) {
    both("BatchGetItem", body).assertSameStatusAndError();
  }

  static Stream<Arguments> invalidBatchWrites() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 26; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{'DeleteRequest':{'Key':{'pk':{'S':'k")
          .append(i)
          .append("'}}}}");
    }
    return Stream.of(
        Arguments.of("no tables", "{'RequestItems':{}}"),
        Arguments.of("26 requests", "{'RequestItems':{'" + TWO + "':[" + many + "]}}"),
        Arguments.of(
            "unknown table",
            "{'RequestItems':{'batch_nope':[{'DeleteRequest':{'Key':{'pk':{'S':'a'}}}}]}}"),
        Arguments.of(
            "duplicate keys",
            "{'RequestItems':{'"
                + TWO
                + "':[{'PutRequest':{'Item':{'pk':{'S':'a'}}}},"
                + "{'DeleteRequest':{'Key':{'pk':{'S':'a'}}}}]}}"),
        Arguments.of(
            "missing key attribute",
            "{'RequestItems':{'" + ONE + "':[{'PutRequest':{'Item':{'pk':{'S':'a'}}}}]}}"),
        Arguments.of(
            "wrong key type",
            "{'RequestItems':{'" + TWO + "':[{'DeleteRequest':{'Key':{'pk':{'N':'1'}}}}]}}"),
        Arguments.of("empty write request", "{'RequestItems':{'" + TWO + "':[{}]}}"),
        Arguments.of(
            "empty string key",
            "{'RequestItems':{'" + TWO + "':[{'PutRequest':{'Item':{'pk':{'S':''}}}}]}}"),
        Arguments.of(
            "item too large",
            "{'RequestItems':{'"
                + TWO
                + "':[{'PutRequest':{'Item':{'pk':{'S':'a'},'x':{'S':'"
                + "x".repeat(409_600)
                + "'}}}}]}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidBatchWrites")
  void invalidBatchWritesAreRejectedAlike(String name, String body) {
    both("BatchWriteItem", body).assertSameStatusAndError();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TOTAL", "INDEXES"})
  void batchWriteConsumesAlike(String mode) {
    StringBuilder puts = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      puts.append(i == 0 ? "" : ",")
          .append("{'PutRequest':{'Item':{'pk':{'S':'cap")
          .append(mode)
          .append(i)
          .append("'},'v':{'S':'")
          .append(repeat('c', i * 700))
          .append("'}}}}");
    }
    both(
            "BatchWriteItem",
            "{'RequestItems':{'"
                + TWO
                + "':["
                + puts
                + "]},'ReturnConsumedCapacity':'"
                + mode
                + "'}")
        .assertSameIgnoringOrder();
  }
}
