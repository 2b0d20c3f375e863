package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Query: key conditions, direction, paging (Limit, ExclusiveStartKey, 1 MB pages), indexes,
 * filters, Select and projections, capacity and errors.
 */
class QueryConformanceIT extends ConformanceSupport {
  private static final String NUMBERS = "q_numbers";
  private static final String STRINGS = "q_strings";
  private static final String BIG = "q_big";

  @BeforeAll
  void tables() {
    createTable(
        "{'TableName':'"
            + NUMBERS
            + "','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
            + "{'AttributeName':'sk','KeyType':'RANGE'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'sk','AttributeType':'N'},{'AttributeName':'g','AttributeType':'S'},"
            + "{'AttributeName':'gr','AttributeType':'N'},{'AttributeName':'l','AttributeType':'S'}],"
            + "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g',"
            + "'KeyType':'HASH'},{'AttributeName':'gr','KeyType':'RANGE'}],"
            + "'Projection':{'ProjectionType':'INCLUDE','NonKeyAttributes':['v']}},"
            + "{'IndexName':'byGAll','KeySchema':[{'AttributeName':'g','KeyType':'HASH'}],"
            + "'Projection':{'ProjectionType':'ALL'}}],"
            + "'LocalSecondaryIndexes':[{'IndexName':'byL','KeySchema':[{'AttributeName':'pk',"
            + "'KeyType':'HASH'},{'AttributeName':'l','KeyType':'RANGE'}],"
            + "'Projection':{'ProjectionType':'KEYS_ONLY'}}]}");
    for (int i = -5; i <= 30; i++) {
      String n = i % 4 == 0 ? i + ".5" : String.valueOf(i);
      StringBuilder item =
          new StringBuilder("{'pk':{'S':'p1'},'sk':{'N':'" + n + "'},'v':{'N':'" + i + "'}");
      if (i % 2 == 0) {
        // equal GSI keys repeat: their order depends on the table key's hash
        item.append(",'g':{'S':'g")
            .append(Math.abs(i % 3))
            .append("'},'gr':{'N':'")
            .append(i % 5)
            .append("'}");
      }
      if (i % 3 != 0) {
        item.append(",'l':{'S':'l").append(String.format("%02d", 40 - i)).append("'}");
      }
      item.append(",'pad':{'S':'").append(repeat('p', 100 + i * 7)).append("'}}");
      put(NUMBERS, item.toString());
    }
    put(NUMBERS, "{'pk':{'S':'p2'},'sk':{'N':'1'},'g':{'S':'g1'},'gr':{'N':'1'}}");
    createTable(
        "{'TableName':'"
            + STRINGS
            + "','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
            + "{'AttributeName':'sk','KeyType':'RANGE'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'sk','AttributeType':'S'}]}");
    for (String sk :
        new String[] {
          "a", "ab", "abc", "abd", "b", "ba", "c", "Z", "a b", "\u00e9", "\u00e9t\u00e9", "~"
        }) {
      put(STRINGS, "{'pk':{'S':'s'},'sk':{'S':'" + sk + "'},'x':{'N':'" + sk.length() + "'}}");
    }
    createHashRangeTable(BIG);
    for (int i = 0; i < 15; i++) {
      put(
          BIG,
          "{'pk':{'S':'big'},'sk':{'N':'" + i + "'},'blob':{'S':'" + repeat('b', 100_000) + "'}}");
    }
  }

  private Exchange query(String table, String body) {
    return both("Query", "{'TableName':'" + table + "'," + body + "}");
  }

  static Stream<Arguments> numberConditions() {
    return Stream.of(
        Arguments.of("pk = :p", ""),
        Arguments.of("pk = :p AND sk = :a", ",':a':{'N':'3'}"),
        Arguments.of("pk = :p AND sk = :a", ",':a':{'N':'4.5'}"),
        Arguments.of("pk = :p AND sk < :a", ",':a':{'N':'3'}"),
        Arguments.of("pk = :p AND sk <= :a", ",':a':{'N':'3'}"),
        Arguments.of("pk = :p AND sk > :a", ",':a':{'N':'25'}"),
        Arguments.of("pk = :p AND sk >= :a", ",':a':{'N':'25'}"),
        Arguments.of("pk = :p AND sk BETWEEN :a AND :b", ",':a':{'N':'-2'},':b':{'N':'8.5'}"),
        Arguments.of("pk = :p AND sk BETWEEN :a AND :b", ",':a':{'N':'8'},':b':{'N':'8'}"),
        Arguments.of("sk > :a AND pk = :p", ",':a':{'N':'28'}"),
        Arguments.of(":a < sk AND pk = :p", ",':a':{'N':'28'}"),
        Arguments.of(":p = pk AND :a >= sk", ",':a':{'N':'-3'}"),
        Arguments.of("(pk = :p) AND (sk < :a)", ",':a':{'N':'-3'}"));
  }

  @ParameterizedTest(name = "[{index}] {0} {1} forward={2}")
  @MethodSource("numberConditionsBothWays")
  void numberKeyConditionsSelectAlike(String condition, String values, boolean forward) {
    query(
            NUMBERS,
            "'KeyConditionExpression':'"
                + condition
                + "','ExpressionAttributeValues':{':p':{'S':'p1'}"
                + values
                + "},'ScanIndexForward':"
                + forward
                + ",'ReturnConsumedCapacity':'TOTAL'")
        .assertSamePage();
  }

  static Stream<Arguments> numberConditionsBothWays() {
    return numberConditions()
        .flatMap(
            a ->
                Stream.of(
                    Arguments.of(a.get()[0], a.get()[1], true),
                    Arguments.of(a.get()[0], a.get()[1], false)));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("stringConditions")
  void stringKeyConditionsSelectAlike(String condition, String value) {
    for (boolean forward : new boolean[] {true, false}) {
      query(
              STRINGS,
              "'KeyConditionExpression':'pk = :p AND "
                  + condition
                  + "','ExpressionAttributeValues':{':p':{'S':'s'},':a':{'S':'"
                  + value
                  + "'}"
                  + (condition.contains(":b") ? ",':b':{'S':'b'}" : "")
                  + "},'ScanIndexForward':"
                  + forward)
          .assertSame();
    }
  }

  static Stream<Arguments> stringConditions() {
    return Stream.of(
        Arguments.of("begins_with(sk, :a)", "a"),
        Arguments.of("begins_with(sk, :a)", "ab"),
        Arguments.of("begins_with(sk, :a)", "\u00e9"),
        Arguments.of("begins_with(sk, :a)", "zz"),
        Arguments.of("sk < :a", "b"),
        Arguments.of("sk > :a", "a"),
        Arguments.of("sk >= :a", "\u00e9"),
        Arguments.of("sk BETWEEN :a AND :b", "Z"),
        Arguments.of("sk BETWEEN :a AND :b", "ab"));
  }

  /** Pages through a query on both endpoints and compares every page. */
  private List<JsonNode> pageAlike(String table, String body) {
    List<JsonNode> pages = new ArrayList<>();
    String start = "";
    for (int page = 0; page < 100; page++) {
      Exchange e = query(table, body + start).assertSamePage();
      pages.add(e.oursBody());
      JsonNode last = e.oursBody().get("LastEvaluatedKey");
      if (last == null) {
        return pages;
      }
      start = ",'ExclusiveStartKey':" + last.toString().replace('"', '\'');
    }
    throw new AssertionError("more than 100 pages");
  }

  @ParameterizedTest(name = "Limit {0} forward={1}")
  @MethodSource("limits")
  void limitPagesAlike(int limit, boolean forward) {
    List<JsonNode> pages =
        pageAlike(
            NUMBERS,
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'p1'}},"
                + "'Limit':"
                + limit
                + ",'ScanIndexForward':"
                + forward
                + ",'ReturnConsumedCapacity':'TOTAL'");
    int items = pages.stream().mapToInt(p -> p.get("Count").asInt()).sum();
    assertThat(items).isEqualTo(36);
  }

  static Stream<Arguments> limits() {
    return Stream.of(
        Arguments.of(1, true),
        Arguments.of(7, true),
        Arguments.of(7, false),
        Arguments.of(36, true),
        Arguments.of(37, false));
  }

  @Test
  void filterAppliesAfterTheLimitAlike() {
    List<JsonNode> pages =
        pageAlike(
            NUMBERS,
            "'KeyConditionExpression':'pk = :p AND sk > :a','FilterExpression':'v > :v AND"
                + " attribute_exists(g)','ExpressionAttributeValues':{':p':{'S':'p1'},"
                + "':a':{'N':'0'},':v':{'N':'10'}},'Limit':5,'ReturnConsumedCapacity':'TOTAL'");
    assertThat(pages.get(0).get("ScannedCount").asInt()).isEqualTo(5);
    assertThat(pages.get(0).get("Count").asInt()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "'Select':'COUNT'",
        "'Select':'COUNT','FilterExpression':'v < :v','ExpressionAttributeValues':{':p':{'S':'p1'},':v':{'N':'3'}}",
        "'Select':'SPECIFIC_ATTRIBUTES','ProjectionExpression':'v, sk, nothing'",
        "'ProjectionExpression':'g, gr, #p','ExpressionAttributeNames':{'#p':'pad'}",
        "'Select':'ALL_ATTRIBUTES','Limit':3"
      })
  void selectAndProjectionAlike(String select) {
    String values =
        select.contains("ExpressionAttributeValues")
            ? ""
            : ",'ExpressionAttributeValues':{':p':{'S':'p1'}}";
    query(
            NUMBERS,
            "'KeyConditionExpression':'pk = :p',"
                + select
                + values
                + ",'ReturnConsumedCapacity':'TOTAL'")
        .assertSamePage();
    query(NUMBERS, "'KeyConditionExpression':'pk = :p'," + select + values).assertSame();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("indexQueries")
  void indexQueriesPageAlike(String index, String condition, String select) {
    List<JsonNode> pages =
        pageAlike(
            NUMBERS,
            "'IndexName':'"
                + index
                + "','KeyConditionExpression':'"
                + condition
                + "','ExpressionAttributeValues':{':h':{'S':'"
                + (index.equals("byL") ? "p1" : "g1")
                + "'}"
                + (condition.contains(":r")
                    ? ",':r':{'" + (index.equals("byL") ? "S':'l20" : "N':'1") + "'}"
                    : "")
                + "},'Limit':3"
                + select
                + ",'ReturnConsumedCapacity':'INDEXES'");
    assertThat(pages).isNotEmpty();
  }

  static Stream<Arguments> indexQueries() {
    return Stream.of(
        Arguments.of("byG", "g = :h AND gr >= :r", ""),
        Arguments.of("byG", "g = :h AND gr >= :r", ",'ScanIndexForward':false"),
        Arguments.of("byGAll", "g = :h", ""),
        Arguments.of("byL", "pk = :h AND l > :r", ""),
        Arguments.of("byL", "pk = :h AND l > :r", ",'Select':'ALL_PROJECTED_ATTRIBUTES'"),
        Arguments.of("byL", "pk = :h AND l <= :r", ",'ConsistentRead':true"));
  }

  @Test
  void localIndexFetchesTheTableItemAlike() {
    // a KEYS_ONLY LSI with Select ALL_ATTRIBUTES reads the table items too, and pays for both
    Exchange e =
        query(
                NUMBERS,
                "'IndexName':'byL','KeyConditionExpression':'pk = :h AND l > :r',"
                    + "'ExpressionAttributeValues':{':h':{'S':'p1'},':r':{'S':'l20'}},"
                    + "'Select':'ALL_ATTRIBUTES','ReturnConsumedCapacity':'INDEXES'")
            .assertSame();
    assertThat(e.oursBody().at("/Items/0/pad").isMissingNode()).isFalse();
    assertThat(number(e.oursBody(), "/ConsumedCapacity/Table/CapacityUnits")).isPositive();
  }

  @Test
  void oneMegabytePagesAlike() {
    List<JsonNode> pages =
        pageAlike(
            BIG,
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'big'}},"
                + "'ReturnConsumedCapacity':'TOTAL'");
    // the item that crosses 1 MB is included (dynalite measured this against DynamoDB)
    assertThat(pages.get(0).get("Count").asInt()).isEqualTo(11);
    assertThat(pages).hasSize(2);
    pageAlike(
        BIG,
        "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'big'}},"
            + "'Select':'COUNT','ScanIndexForward':false");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void emptyResultCostsTheMinimumOnOurSide(boolean consistent) {
    Exchange e =
        query(
            NUMBERS,
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'none'}},"
                + "'ConsistentRead':"
                + consistent
                + ",'ReturnConsumedCapacity':'TOTAL'");
    e.assertSameExcept("ConsumedCapacity");
    // AWS: "Queries that do not return results consume the minimum number of read capacity
    // units for that type of read operation" (API reference, Query); dynalite charges 0
    assertThat(number(e.oursBody(), "/ConsumedCapacity/CapacityUnits"))
        .isEqualTo(consistent ? 1.0 : 0.5);
    assertThat(number(e.dynaliteBody(), "/ConsumedCapacity/CapacityUnits")).isZero();
  }

  static Stream<Arguments> invalidQueries() {
    return Stream.of(
        Arguments.of("no key condition", "'ExpressionAttributeValues':{':p':{'S':'p1'}}"),
        Arguments.of(
            "range only",
            "'KeyConditionExpression':'sk = :a','ExpressionAttributeValues':{':a':{'N':'1'}}"),
        Arguments.of(
            "non-key attribute",
            "'KeyConditionExpression':'pk = :p AND v = :a',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'N':'1'}}"),
        Arguments.of(
            "OR",
            "'KeyConditionExpression':'pk = :p OR sk = :a',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'N':'1'}}"),
        Arguments.of(
            "not equal",
            "'KeyConditionExpression':'pk = :p AND sk <> :a',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'N':'1'}}"),
        Arguments.of(
            "hash range",
            "'KeyConditionExpression':'pk > :p','ExpressionAttributeValues':{':p':{'S':'p1'}}"),
        Arguments.of(
            "twice the same key",
            "'KeyConditionExpression':'pk = :p AND pk = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'}}"),
        Arguments.of(
            "begins_with on a number",
            "'KeyConditionExpression':'pk = :p AND begins_with(sk, :a)',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'N':'1'}}"),
        Arguments.of(
            "wrong value type",
            "'KeyConditionExpression':'pk = :p AND sk = :a',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'S':'1'}}"),
        Arguments.of(
            "filter on a key",
            "'KeyConditionExpression':'pk = :p','FilterExpression':'sk > :a',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'N':'1'}}"),
        Arguments.of(
            "consistent GSI",
            "'IndexName':'byG','ConsistentRead':true,'KeyConditionExpression':'g = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'g1'}}"),
        Arguments.of(
            "unknown index",
            "'IndexName':'nope','KeyConditionExpression':'g = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'g1'}}"),
        Arguments.of(
            "ALL_ATTRIBUTES on a GSI",
            "'IndexName':'byG','Select':'ALL_ATTRIBUTES','KeyConditionExpression':'g = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'g1'}}"),
        Arguments.of(
            "limit 0",
            "'Limit':0,'KeyConditionExpression':'pk = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'}}"),
        Arguments.of(
            "start key of another partition",
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'p1'}},"
                + "'ExclusiveStartKey':{'pk':{'S':'p2'},'sk':{'N':'1'}}"),
        Arguments.of(
            "start key outside the range",
            "'KeyConditionExpression':'pk = :p AND sk > :a',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':a':{'N':'5'}},"
                + "'ExclusiveStartKey':{'pk':{'S':'p1'},'sk':{'N':'1'}}"),
        Arguments.of(
            "start key missing a part",
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'p1'}},"
                + "'ExclusiveStartKey':{'pk':{'S':'p1'}}"),
        Arguments.of(
            "index start key without the table key",
            "'IndexName':'byG','KeyConditionExpression':'g = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'g1'}},"
                + "'ExclusiveStartKey':{'g':{'S':'g1'},'gr':{'N':'1'}}"),
        Arguments.of(
            "nested key path",
            "'KeyConditionExpression':'pk.x = :p','ExpressionAttributeValues':{':p':{'S':'p1'}}"),
        Arguments.of(
            "unused value",
            "'KeyConditionExpression':'pk = :p',"
                + "'ExpressionAttributeValues':{':p':{'S':'p1'},':q':{'S':'x'}}"),
        Arguments.of(
            "both key condition kinds",
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'p1'}},"
                + "'KeyConditions':{'pk':{'ComparisonOperator':'EQ',"
                + "'AttributeValueList':[{'S':'p1'}]}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidQueries")
  void invalidQueriesAreRejectedAlike(String name, String body) {
    query(NUMBERS, body).assertSameValidationError();
  }

  static Stream<Arguments> selectRules() {
    return Stream.of(
        Arguments.of(
            "'Select':'COUNT','ProjectionExpression':'v'",
            "1 validation error detected: Cannot specify the ProjectionExpression when choosing to"
                + " get only the Count"),
        Arguments.of(
            "'Select':'ALL_ATTRIBUTES','ProjectionExpression':'v'",
            "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
        Arguments.of(
            "'Select':'ALL_PROJECTED_ATTRIBUTES'",
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
        // rejected by DynamoDB too, with a wording nobody has published: only the type is checked
        Arguments.of("'Select':'SPECIFIC_ATTRIBUTES'", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("selectRules")
  void selectRulesAreEnforcedOnOurSide(String select, String message) {
    Exchange e =
        query(
            NUMBERS,
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'p1'}},"
                + select);
    // AWS: "If you use the ProjectionExpression parameter, then the value for Select can only be
    // SPECIFIC_ATTRIBUTES" and ALL_PROJECTED_ATTRIBUTES needs an index (API reference,
    // Query.Select; wording as captured from DynamoDB by other emulators' conformance tests);
    // dynalite does not check Select at all
    assertThat(e.ours().errorType()).isEqualTo("ValidationException");
    if (message != null) {
      assertThat(e.ours().message()).isEqualTo(message);
    }
    assertThat(e.dynalite().status()).isEqualTo(200);
  }

  @Test
  void unknownTableIsNotFoundAlike() {
    query(
            "no_such_table",
            "'KeyConditionExpression':'pk = :p','ExpressionAttributeValues':{':p':{'S':'p1'}}")
        .assertError("ResourceNotFoundException", "Requested resource not found");
  }
}
