package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scan: item order (both endpoints order partitions by dynalite's md5 prefix), paging, parallel
 * segments, filters, Select, indexes, 1 MB pages, capacity and errors.
 */
class ScanConformanceIT extends ConformanceSupport {
  private static final String HASH = "scan_hash";
  private static final String RANGE = "scan_range";
  private static final String BIG = "scan_big";
  private static final int HASH_ITEMS = 80;

  @BeforeAll
  void tables() {
    createTable(
        "{'TableName':'"
            + HASH
            + "','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'g','AttributeType':'N'}],"
            + "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g',"
            + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}]}");
    for (int i = 0; i < HASH_ITEMS; i++) {
      put(
          HASH,
          "{'pk':{'S':'item"
              + i
              + "'},'n':{'N':'"
              + i
              + "'},"
              + (i % 3 == 0 ? "'g':{'N':'" + (i % 4) + "'}," : "")
              + "'tag':{'SS':['t"
              + (i % 5)
              + "','all']}}");
    }
    createTable(
        "{'TableName':'"
            + RANGE
            + "','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
            + "{'AttributeName':'sk','KeyType':'RANGE'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'N'},"
            + "{'AttributeName':'sk','AttributeType':'B'},{'AttributeName':'l','AttributeType':'S'}],"
            + "'LocalSecondaryIndexes':[{'IndexName':'byL','KeySchema':[{'AttributeName':'pk',"
            + "'KeyType':'HASH'},{'AttributeName':'l','KeyType':'RANGE'}],"
            + "'Projection':{'ProjectionType':'ALL'}}]}");
    String[] binaries = {"AA==", "AQ==", "/w==", "AAE=", "gA=="};
    for (int p = -3; p <= 6; p++) {
      for (String b : binaries) {
        put(
            RANGE,
            "{'pk':{'N':'"
                + (p % 2 == 0 ? p : p + ".25")
                + "'},'sk':{'B':'"
                + b
                + "'},'l':{'S':'"
                + b.charAt(0)
                + p
                + "'}}");
      }
    }
    createHashTable(BIG);
    for (int i = 0; i < 14; i++) {
      put(BIG, "{'pk':{'S':'big" + i + "'},'blob':{'S':'" + repeat('b', 100_000) + "'}}");
    }
  }

  private Exchange scan(String table, String body) {
    return both("Scan", "{'TableName':'" + table + "'" + (body.isEmpty() ? "" : ",") + body + "}");
  }

  /** Pages through a scan on both endpoints, comparing every page; returns the items. */
  private List<JsonNode> pageAlike(String table, String body) {
    List<JsonNode> items = new ArrayList<>();
    String start = "";
    for (int page = 0; page < 200; page++) {
      Exchange e = scan(table, body + start).assertSamePage();
      e.oursBody().path("Items").forEach(items::add);
      JsonNode last = e.oursBody().get("LastEvaluatedKey");
      if (last == null) {
        return items;
      }
      start =
          (body.isEmpty() ? "" : ",") + "'ExclusiveStartKey':" + last.toString().replace('"', '\'');
    }
    throw new AssertionError("more than 200 pages");
  }

  @ParameterizedTest
  @ValueSource(strings = {HASH, RANGE})
  void fullScanReturnsTheSameItemsInTheSameOrder(String table) {
    scan(table, "'ReturnConsumedCapacity':'TOTAL'").assertSame();
  }

  @ParameterizedTest(name = "{0} Limit {1}")
  @MethodSource("limits")
  void limitPagesAlike(String table, int limit) {
    List<JsonNode> items =
        pageAlike(table, "'Limit':" + limit + ",'ReturnConsumedCapacity':'TOTAL'");
    assertThat(items).hasSize(table.equals(HASH) ? HASH_ITEMS : 50);
  }

  static Stream<Arguments> limits() {
    return Stream.of(
        Arguments.of(HASH, 1),
        Arguments.of(HASH, 13),
        Arguments.of(HASH, 80),
        Arguments.of(RANGE, 7),
        Arguments.of(RANGE, 49));
  }

  @ParameterizedTest(name = "TotalSegments {0}")
  @ValueSource(ints = {1, 2, 3, 4, 7, 16, 5000})
  void segmentsPartitionTheTableAlike(int total) {
    Set<String> seen = new HashSet<>();
    // 5000 segments: compare a sample, every one of them would take too long
    int step = total > 100 ? 397 : 1;
    for (int segment = 0; segment < total; segment += step) {
      for (JsonNode item :
          pageAlike(HASH, "'Segment':" + segment + ",'TotalSegments':" + total + ",'Limit':9")) {
        assertThat(seen.add(item.at("/pk/S").asText())).as("item in two segments").isTrue();
      }
    }
    if (step == 1) {
      assertThat(seen).hasSize(HASH_ITEMS);
    }
  }

  static Stream<Arguments> filters() {
    return Stream.of(
        Arguments.of("n < :v", ",'ExpressionAttributeValues':{':v':{'N':'17'}}"),
        Arguments.of("contains(tag, :t)", ",'ExpressionAttributeValues':{':t':{'S':'t3'}}"),
        Arguments.of(
            "attribute_exists(g) AND n > :v", ",'ExpressionAttributeValues':{':v':{'N':'40'}}"),
        Arguments.of("begins_with(pk, :p)", ",'ExpressionAttributeValues':{':p':{'S':'item1'}}"),
        Arguments.of("size(tag) = :two", ",'ExpressionAttributeValues':{':two':{'N':'2'}}"),
        Arguments.of(
            "n IN (:a, :b, :c)",
            ",'ExpressionAttributeValues':{':a':{'N':'1'},':b':{'N':'50'},':c':{'N':'99'}}"),
        Arguments.of("NOT attribute_type(n, :t)", ",'ExpressionAttributeValues':{':t':{'S':'N'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("filters")
  void filteredPagesAlike(String filter, String values) {
    pageAlike(
        HASH,
        "'FilterExpression':'"
            + filter
            + "'"
            + values
            + ",'Limit':11,'ReturnConsumedCapacity':'TOTAL'");
    scan(HASH, "'FilterExpression':'" + filter + "'" + values + ",'Select':'COUNT'").assertSame();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "'ProjectionExpression':'pk, tag'",
        "'ProjectionExpression':'#n','ExpressionAttributeNames':{'#n':'n'},'Limit':5",
        "'Select':'COUNT'",
        "'Select':'ALL_ATTRIBUTES','Limit':4"
      })
  void selectAndProjectionAlike(String select) {
    scan(HASH, select).assertSame();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("indexScans")
  void indexScansPageAlike(String table, String index) {
    pageAlike(table, "'IndexName':'" + index + "','Limit':4,'ReturnConsumedCapacity':'INDEXES'");
  }

  static Stream<Arguments> indexScans() {
    return Stream.of(Arguments.of(HASH, "byG"), Arguments.of(RANGE, "byL"));
  }

  @Test
  void oneMegabytePagesAlike() {
    List<JsonNode> items = pageAlike(BIG, "'ReturnConsumedCapacity':'TOTAL'");
    assertThat(items).hasSize(14);
    Exchange first = scan(BIG, "'Select':'COUNT'").assertSame();
    // the item that crosses 1 MB is included
    assertThat(first.oursBody().get("ScannedCount").asInt()).isEqualTo(11);
  }

  @Test
  void consistentScanCostsFullUnitsOnOurSide() {
    Exchange e = scan(HASH, "'ConsistentRead':true,'ReturnConsumedCapacity':'TOTAL'");
    e.assertSameExcept("ConsumedCapacity");
    // AWS: a strongly consistent Scan costs 1 unit per 4 KB, twice an eventually consistent one
    // (developer guide, Scan.md "Read consistency for Scan"); dynalite drops ConsistentRead
    double eventual =
        number(
            scan(HASH, "'ReturnConsumedCapacity':'TOTAL'").oursBody(),
            "/ConsumedCapacity/CapacityUnits");
    assertThat(number(e.oursBody(), "/ConsumedCapacity/CapacityUnits")).isEqualTo(2 * eventual);
    assertThat(number(e.dynaliteBody(), "/ConsumedCapacity/CapacityUnits")).isEqualTo(eventual);
  }

  @Test
  void emptyTableScanCostsTheMinimumOnOurSide() {
    createHashTable("scan_empty");
    scan("scan_empty", "'ReturnConsumedCapacity':'TOTAL'").assertSamePage();
  }

  static Stream<Arguments> invalidScans() {
    return Stream.of(
        Arguments.of("Segment without TotalSegments", "'Segment':1"),
        Arguments.of("TotalSegments without Segment", "'TotalSegments':2"),
        Arguments.of("Segment not below TotalSegments", "'Segment':2,'TotalSegments':2"),
        Arguments.of("TotalSegments 0", "'Segment':0,'TotalSegments':0"),
        Arguments.of("negative Segment", "'Segment':-1,'TotalSegments':2"),
        Arguments.of("Limit 0", "'Limit':0"),
        Arguments.of(
            "start key of another segment",
            "'Segment':0,'TotalSegments':4096,'ExclusiveStartKey':{'pk':{'S':'item5'}}"),
        Arguments.of("start key of another table", "'ExclusiveStartKey':{'id':{'S':'x'}}"),
        Arguments.of(
            "start key with extra attribute", "'ExclusiveStartKey':{'pk':{'S':'x'},'n':{'N':'1'}}"),
        Arguments.of(
            "index start key missing",
            "'IndexName':'byG','ExclusiveStartKey':{'pk':{'S':'item3'}}"),
        Arguments.of("unknown index", "'IndexName':'nope'"),
        Arguments.of("bad filter", "'FilterExpression':'n = '"),
        Arguments.of(
            "unused name", "'ProjectionExpression':'pk','ExpressionAttributeNames':{'#a':'a'}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidScans")
  void invalidScansAreRejectedAlike(String name, String body) {
    Exchange e = scan(HASH, body).assertSameStatusAndType();
    assertThat(e.ours().errorType()).isEqualTo("ValidationException");
    if (!name.equals("bad filter")) {
      // syntax errors are worded differently (see ItemConformanceIT), the rest alike
      e.assertSameStatusAndError();
    }
  }

  static Stream<Arguments> scanRules() {
    return Stream.of(
        // API reference, Scan.Segment: "If you provide Segment, you must also provide
        // TotalSegments"; dynalite tests `data.Segment` for truthiness, so Segment 0 slips through
        Arguments.of(
            "'Segment':0",
            "The TotalSegments parameter is required but was not present in the request when"
                + " Segment parameter is present"),
        // API reference, Scan.TotalSegments: "Maximum value of 1000000"; dynalite has no bound
        Arguments.of(
            "'Segment':0,'TotalSegments':1000001",
            "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy"
                + " constraint: Member must have value less than or equal to 1000000"),
        // API reference, Scan.ConsistentRead: "ConsistentRead is not supported on global
        // secondary indexes"; dynalite drops ConsistentRead from Scan requests
        Arguments.of(
            "'IndexName':'byG','ConsistentRead':true",
            "Consistent reads are not supported on global secondary indexes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scanRules")
  void scanRulesAreEnforcedOnOurSide(String body, String message) {
    Exchange e = scan(HASH, body);
    assertThat(e.ours().errorType()).isEqualTo("ValidationException");
    assertThat(e.ours().message()).isEqualTo(message);
    assertThat(e.dynalite().status()).isEqualTo(200);
  }

  @Test
  void startKeyNeedNotExist() {
    // paging resumes after the position of the key, whether or not an item has it
    pageAlike(HASH, "'Limit':20,'ExclusiveStartKey':{'pk':{'S':'no such item'}}");
  }
}
