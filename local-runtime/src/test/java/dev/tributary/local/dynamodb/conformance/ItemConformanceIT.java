package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** PutItem, GetItem and DeleteItem: values, projections, conditions, ReturnValues, capacity. */
class ItemConformanceIT extends ConformanceSupport {
  /** Every attribute type, nested, with numbers in non-canonical spellings. */
  private static final String RICH_ITEM =
      "{'pk':{'S':'rich'},'sk':{'N':'1'},"
          + "'s':{'S':'text'},'n':{'N':'0001.2300'},'neg':{'N':'-0'},'big':{'N':'1E+3'},"
          + "'small':{'N':'-12.5e-3'},'b':{'B':'AAEC'},'t':{'BOOL':true},'z':{'NULL':true},"
          + "'ss':{'SS':['x','y']},'ns':{'NS':['1','2.50','-3']},'bs':{'BS':['AQ==','Ag==']},"
          + "'l':{'L':[{'S':'a'},{'N':'2'},{'L':[{'BOOL':false}]},{'M':{'z':{'S':'deep'}}}]},"
          + "'m':{'M':{'x':{'S':'1'},'y':{'M':{'q':{'N':'7'}}},'e':{'M':{}}}},"
          + "'empty':{'S':''},'emptyList':{'L':[]}}";

  @BeforeAll
  void tables() {
    createHashRangeTable("items");
    put("items", RICH_ITEM);
    put("items", "{'pk':{'S':'big'},'sk':{'N':'1'},'v':{'S':'" + repeat('x', 10_000) + "'}}");
    createTable(
        "{'TableName':'items_gsi','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'g','AttributeType':'S'}],"
            + "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g',"
            + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'ALL'}}]}");
  }

  @Test
  void everyAttributeTypeRoundTrips() {
    Exchange get =
        both("GetItem", "{'TableName':'items','Key':{'pk':{'S':'rich'},'sk':{'N':'1'}}}")
            .assertSame();
    // numbers come back in DynamoDB's canonical form
    assertThat(get.oursBody().at("/Item/n/N").asText()).isEqualTo("1.23");
    assertThat(get.oursBody().at("/Item/big/N").asText()).isEqualTo("1000");
    assertThat(get.oursBody().at("/Item/neg/N").asText()).isEqualTo("0");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s",
        "s, n, b",
        "m.x",
        "m.y.q, l[1]",
        "l[3].z, l[2][0]",
        "#s, #m.#x",
        "l[7], nothing, m.nothing",
        "ss, ns, bs, t, z",
        "m, m.x",
        "l[0], l[1], l[0]"
      })
  void getItemProjectsAlike(String projection) {
    String names =
        projection.contains("#") ? ",'ExpressionAttributeNames':{'#s':'s','#m':'m','#x':'x'}" : "";
    both(
            "GetItem",
            "{'TableName':'items','Key':{'pk':{'S':'rich'},'sk':{'N':'1'}},"
                + "'ProjectionExpression':'"
                + projection
                + "'"
                + names
                + "}")
        .assertSame();
  }

  static Stream<Arguments> reads() {
    return Stream.of(
        Arguments.of("rich", "TOTAL", false),
        Arguments.of("rich", "TOTAL", true),
        Arguments.of("rich", "INDEXES", true),
        Arguments.of("big", "TOTAL", false),
        Arguments.of("big", "INDEXES", true),
        Arguments.of("missing", "TOTAL", false),
        Arguments.of("missing", "TOTAL", true),
        Arguments.of("rich", "NONE", true));
  }

  @ParameterizedTest(name = "{0} {1} consistent={2}")
  @MethodSource("reads")
  void getItemConsumesAlike(String pk, String mode, boolean consistent) {
    Exchange get =
        both(
                "GetItem",
                "{'TableName':'items','Key':{'pk':{'S':'"
                    + pk
                    + "'},'sk':{'N':'1'}},'ConsistentRead':"
                    + consistent
                    + ",'ReturnConsumedCapacity':'"
                    + mode
                    + "','ProjectionExpression':'pk'}")
            .assertSame();
    if (!mode.equals("NONE")) {
      // a projection does not lower the cost: the whole item is read (developer guide)
      double expected = (pk.equals("big") ? 3 : 1) * (consistent ? 1.0 : 0.5);
      assertThat(number(get.oursBody(), "/ConsumedCapacity/CapacityUnits")).isEqualTo(expected);
      // our Capacity shape also names the kind of units (AWS API reference, Capacity)
      assertThat(number(get.oursBody(), "/ConsumedCapacity/ReadCapacityUnits")).isEqualTo(expected);
      assertThat(get.dynaliteBody().at("/ConsumedCapacity/ReadCapacityUnits").isMissingNode())
          .isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"NONE", "ALL_OLD"})
  void putItemReturnsOldItemAlike(String returnValues) {
    String item = "{'pk':{'S':'put_rv_" + returnValues + "'},'sk':{'N':'1'},'v':{'N':'%d'}}";
    String request = "{'TableName':'items','Item':%s,'ReturnValues':'" + returnValues + "'}";
    both("PutItem", request.formatted(item.formatted(1))).assertSame();
    Exchange second = both("PutItem", request.formatted(item.formatted(2))).assertSame();
    assertThat(second.oursBody().has("Attributes")).isEqualTo(returnValues.equals("ALL_OLD"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", "SOMETHING"})
  void putItemRejectsOtherReturnValuesAlike(String returnValues) {
    both(
            "PutItem",
            "{'TableName':'items','Item':{'pk':{'S':'x'},'sk':{'N':'1'}},'ReturnValues':'"
                + returnValues
                + "'}")
        .assertSameValidationError();
  }

  static Stream<Arguments> conditions() {
    return Stream.of(
        Arguments.of("attribute_not_exists(pk)", ""),
        Arguments.of("attribute_exists(pk)", ""),
        Arguments.of("attribute_exists(m.y.q)", ""),
        Arguments.of("attribute_not_exists(l[9])", ""),
        Arguments.of("s = :v", ",'ExpressionAttributeValues':{':v':{'S':'text'}}"),
        Arguments.of("s <> :v", ",'ExpressionAttributeValues':{':v':{'S':'text'}}"),
        Arguments.of("n < :v", ",'ExpressionAttributeValues':{':v':{'N':'1.3'}}"),
        Arguments.of("n >= :v", ",'ExpressionAttributeValues':{':v':{'N':'1.3'}}"),
        Arguments.of("s > :v", ",'ExpressionAttributeValues':{':v':{'N':'1'}}"),
        Arguments.of(
            "n BETWEEN :a AND :b", ",'ExpressionAttributeValues':{':a':{'N':'1'},':b':{'N':'2'}}"),
        Arguments.of(
            "s IN (:a, :b)", ",'ExpressionAttributeValues':{':a':{'S':'no'},':b':{'S':'text'}}"),
        Arguments.of("begins_with(s, :p)", ",'ExpressionAttributeValues':{':p':{'S':'te'}}"),
        Arguments.of("contains(ss, :p)", ",'ExpressionAttributeValues':{':p':{'S':'y'}}"),
        Arguments.of("contains(l, :p)", ",'ExpressionAttributeValues':{':p':{'S':'a'}}"),
        Arguments.of("contains(s, :p)", ",'ExpressionAttributeValues':{':p':{'S':'ex'}}"),
        Arguments.of("size(l) = :n", ",'ExpressionAttributeValues':{':n':{'N':'4'}}"),
        Arguments.of(
            "size(s) > :n AND size(m) = :m",
            ",'ExpressionAttributeValues':{':n':{'N':'3'},':m':{'N':'3'}}"),
        Arguments.of("attribute_type(ns, :t)", ",'ExpressionAttributeValues':{':t':{'S':'NS'}}"),
        Arguments.of("attribute_type(z, :t)", ",'ExpressionAttributeValues':{':t':{'S':'S'}}"),
        Arguments.of(
            "NOT (t = :t) OR #n = :n",
            ",'ExpressionAttributeNames':{'#n':'n'},'ExpressionAttributeValues':{':t':{'BOOL':true},':n':{'N':'1.23'}}"),
        Arguments.of(
            "m.y.q = :q AND l[2][0] = :f",
            ",'ExpressionAttributeValues':{':q':{'N':'7'},':f':{'BOOL':false}}"),
        Arguments.of("ss = :s", ",'ExpressionAttributeValues':{':s':{'SS':['y','x']}}"),
        Arguments.of("nothing < :v", ",'ExpressionAttributeValues':{':v':{'N':'1'}}"),
        Arguments.of("(s = :v)", ",'ExpressionAttributeValues':{':v':{'S':'text'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conditions")
  void conditionalDeleteDecidesAlike(String condition, String placeholders) {
    String key = "{'pk':{'S':'cond'},'sk':{'N':'1'}}";
    put("items", RICH_ITEM.replace("'rich'", "'cond'"));
    Exchange delete =
        both(
                "DeleteItem",
                "{'TableName':'items','Key':"
                    + key
                    + ",'ConditionExpression':'"
                    + condition
                    + "'"
                    + placeholders
                    + ",'ReturnValues':'ALL_OLD'}")
            .assertSame();
    both("GetItem", "{'TableName':'items','Key':" + key + "}").assertSame();
    if (delete.ours().status() == 400) {
      assertThat(delete.ours().message()).isEqualTo("The conditional request failed");
    }
  }

  @Test
  void conditionFailureReturnsTheItemOnlyOnOurSide() {
    put("items", "{'pk':{'S':'ccf'},'sk':{'N':'1'},'v':{'N':'3'}}");
    Exchange e =
        both(
                "PutItem",
                "{'TableName':'items','Item':{'pk':{'S':'ccf'},'sk':{'N':'1'}},"
                    + "'ConditionExpression':'attribute_not_exists(pk)',"
                    + "'ReturnValuesOnConditionCheckFailure':'ALL_OLD'}")
            .assertError("ConditionalCheckFailedException", "The conditional request failed");
    // AWS returns the item with ReturnValuesOnConditionCheckFailure=ALL_OLD (API reference,
    // ConditionalCheckFailedException.Item); dynalite ignores the parameter
    assertThat(e.oursBody().at("/Item/v/N").asText()).isEqualTo("3");
    assertThat(e.dynaliteBody().has("Item")).isFalse();
  }

  static Stream<Arguments> writes() {
    String small = "{'pk':{'S':'w'},'sk':{'N':'1'},'v':{'S':'x'}}";
    String kb = "{'pk':{'S':'w'},'sk':{'N':'1'},'v':{'S':'" + "y".repeat(1500) + "'}}";
    return Stream.of(
        Arguments.of("PutItem", "'Item':" + small, "TOTAL"),
        Arguments.of("PutItem", "'Item':" + kb, "TOTAL"),
        Arguments.of("PutItem", "'Item':" + small, "INDEXES"),
        Arguments.of("DeleteItem", "'Key':{'pk':{'S':'w'},'sk':{'N':'1'}}", "TOTAL"),
        Arguments.of("DeleteItem", "'Key':{'pk':{'S':'w'},'sk':{'N':'1'}}", "INDEXES"));
  }

  @ParameterizedTest(name = "{0} {2} {1}")
  @MethodSource("writes")
  void writesConsumeAlike(String op, String body, String mode) {
    put("items", "{'pk':{'S':'w'},'sk':{'N':'1'},'v':{'S':'" + "z".repeat(2500) + "'}}");
    both(op, "{'TableName':'items'," + body + ",'ReturnConsumedCapacity':'" + mode + "'}")
        .assertSame();
    // the next write sees what the first one left
    both(op, "{'TableName':'items'," + body + ",'ReturnConsumedCapacity':'" + mode + "'}")
        .assertSame();
  }

  @Test
  void indexWritesAreChargedOnlyOnOurSide() {
    Exchange e =
        both(
            "PutItem",
            "{'TableName':'items_gsi','Item':{'pk':{'S':'a'},'g':{'S':'x'}},"
                + "'ReturnConsumedCapacity':'INDEXES'}");
    e.assertBothOk();
    // AWS charges the GSI write on top of the table write (developer guide, GSI.md "Provisioned
    // throughput considerations for writes"); dynalite never adds index capacity
    assertThat(number(e.oursBody(), "/ConsumedCapacity/CapacityUnits")).isEqualTo(2.0);
    assertThat(number(e.oursBody(), "/ConsumedCapacity/GlobalSecondaryIndexes/byG/CapacityUnits"))
        .isEqualTo(1.0);
    assertThat(number(e.dynaliteBody(), "/ConsumedCapacity/CapacityUnits")).isEqualTo(1.0);
    assertThat(e.dynaliteBody().at("/ConsumedCapacity/GlobalSecondaryIndexes").isMissingNode())
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"NONE", "ALL_OLD"})
  void deleteItemReturnValuesAlike(String returnValues) {
    put("items", "{'pk':{'S':'del_rv'},'sk':{'N':'1'},'v':{'N':'5'}}");
    Exchange e =
        both(
                "DeleteItem",
                "{'TableName':'items','Key':{'pk':{'S':'del_rv'},'sk':{'N':'1'}},'ReturnValues':'"
                    + returnValues
                    + "'}")
            .assertSame();
    assertThat(e.oursBody().has("Attributes")).isEqualTo(returnValues.equals("ALL_OLD"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"})
  void deleteItemRejectsOtherReturnValuesOnOurSide(String returnValues) {
    put("items", "{'pk':{'S':'del_rv2'},'sk':{'N':'1'},'v':{'N':'5'}}");
    Exchange e =
        both(
            "DeleteItem",
            "{'TableName':'items','Key':{'pk':{'S':'del_rv2'},'sk':{'N':'1'}},'ReturnValues':'"
                + returnValues
                + "'}");
    // AWS answers "ReturnValues can only be ALL_OLD or NONE" (a live DeleteItem call reported in
    // boto/boto3#4339); dynalite silently ignores the value and deletes
    assertThat(e.ours().status()).isEqualTo(400);
    assertThat(e.ours().message()).isEqualTo("ReturnValues can only be ALL_OLD or NONE");
    assertThat(e.dynalite().status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'L':[{'S':'a'},{'N':'2'},{'L':[{'BOOL':false}]},{'M':{'z':{'S':'deep'}}}]}",
        "{'M':{'x':{'S':'1'},'y':{'M':{'q':{'N':'7'}}},'e':{'M':{}}}}"
      })
  void documentEqualityHoldsOnOurSide(String value) {
    put("items", RICH_ITEM.replace("'rich'", "'doc_eq'"));
    String path = value.startsWith("{'L'") ? "l" : "m";
    Exchange e =
        both(
            "DeleteItem",
            "{'TableName':'items','Key':{'pk':{'S':'doc_eq'},'sk':{'N':'1'}},"
                + "'ConditionExpression':'"
                + path
                + " = :v','ExpressionAttributeValues':{':v':"
                + value
                + "}}");
    // AWS: "EQ is supported for all data types, including lists and maps" (API reference,
    // Condition.ComparisonOperator); dynalite compares lists and maps by JavaScript reference
    assertThat(e.ours().status()).isEqualTo(200);
    assertThat(e.dynalite().errorType()).isEqualTo("ConditionalCheckFailedException");
  }

  static Stream<Arguments> invalidItems() {
    return Stream.of(
        Arguments.of("missing range key", "{'pk':{'S':'a'}}"),
        Arguments.of("wrong key type", "{'pk':{'N':'1'},'sk':{'N':'1'}}"),
        Arguments.of("empty string key", "{'pk':{'S':''},'sk':{'N':'1'}}"),
        Arguments.of("empty string set", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'SS':[]}}"),
        Arguments.of("empty number set", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'NS':[]}}"),
        Arguments.of(
            "duplicate string set", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'SS':['a','a']}}"),
        Arguments.of(
            "duplicate number set", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'NS':['1','1.0']}}"),
        Arguments.of("NULL false", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'NULL':false}}"),
        Arguments.of("two types", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'S':'a','N':'1'}}"),
        Arguments.of("no type", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{}}"),
        Arguments.of("bad number", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'N':'abc'}}"),
        Arguments.of("empty number", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'N':''}}"),
        Arguments.of("number overflow", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'N':'1e126'}}"),
        Arguments.of("number underflow", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'N':'1e-131'}}"),
        Arguments.of(
            "39 digits",
            "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'N':'123456789012345678901234567890123456789'}}"),
        Arguments.of(
            "nested empty set", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'M':{'y':{'SS':[]}}}}"),
        Arguments.of("hash key too long", "{'pk':{'S':'" + "h".repeat(2049) + "'},'sk':{'N':'1'}}"),
        Arguments.of(
            "item too large",
            "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'S':'" + "x".repeat(409_600) + "'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidItems")
  void invalidItemsAreRejectedAlike(String name, String item) {
    both("PutItem", "{'TableName':'items','Item':" + item + "}").assertSameValidationError();
  }

  @Test
  void itemOfExactlyTheLimitIsAccepted() {
    // pk(2+1) + sk(2+2) + x(1+n) = 409600 bytes
    String item = "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'S':'" + "x".repeat(409_600 - 9) + "'}}";
    both("PutItem", "{'TableName':'items','Item':" + item + "}").assertSame();
  }

  @Test
  void itemSizeCountsUtf8BytesOnOurSide() {
    // 3-byte UTF-8 characters, each one UTF-16 unit: 136,530 of them are 409,590 UTF-8 bytes
    // plus the key; AWS counts "UTF-8 binary encoding" (developer guide, "Item sizes"), dynalite
    // counts JavaScript string length
    String item = "{'pk':{'S':'utf8'},'sk':{'N':'1'},'x':{'S':'" + "\u20ac".repeat(136_530) + "'}}";
    Exchange e = both("PutItem", "{'TableName':'items','Item':" + item + "}");
    assertThat(e.ours().status()).isEqualTo(400);
    assertThat(e.ours().message()).isEqualTo("Item size has exceeded the maximum allowed size");
    assertThat(e.dynalite().status()).isEqualTo(200);
  }

  @Test
  void keySizeCountsUtf8BytesOnOurSide() {
    // 700 three-byte characters: 2100 UTF-8 bytes, over the 2048-byte hash key limit (developer
    // guide, ServiceQuotas "Partition key length"), but 700 JavaScript characters for dynalite
    String pk = "\u20ac".repeat(700);
    Exchange e =
        both("PutItem", "{'TableName':'items','Item':{'pk':{'S':'" + pk + "'},'sk':{'N':'1'}}}");
    assertThat(e.ours().message())
        .isEqualTo(
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum"
                + " size limit of2048 bytes");
    assertThat(e.dynalite().status()).isEqualTo(200);
  }

  @Test
  void stringsCompareByUtf8BytesOnOurSide() {
    // U+1F600 is F0 9F 98 80 in UTF-8 but D83D DE00 in UTF-16; U+FFFD is EF BF BD / FFFD. AWS
    // "collates and compares strings using the bytes of the underlying UTF-8 string encoding"
    // (developer guide, HowItWorks.NamingRulesDataTypes, String); dynalite uses JavaScript's <
    put("items", "{'pk':{'S':'utf8cmp'},'sk':{'N':'1'},'s':{'S':'\ud83d\ude00'}}");
    Exchange e =
        both(
            "DeleteItem",
            "{'TableName':'items','Key':{'pk':{'S':'utf8cmp'},'sk':{'N':'1'}},"
                + "'ConditionExpression':'s < :v','ExpressionAttributeValues':{':v':{'S':'\ufffd'}}}");
    assertThat(e.ours().errorType()).isEqualTo("ConditionalCheckFailedException");
    assertThat(e.dynalite().status()).isEqualTo(200);
    // dynalite deleted it; put it back there so both hold the same items
    put("items", "{'pk':{'S':'utf8cmp'},'sk':{'N':'1'},'s':{'S':'\ud83d\ude00'}}");
  }

  static Stream<Arguments> invalidKeys() {
    return Stream.of(
        Arguments.of("missing range key", "{'pk':{'S':'a'}}"),
        Arguments.of("extra attribute", "{'pk':{'S':'a'},'sk':{'N':'1'},'x':{'S':'a'}}"),
        Arguments.of("wrong type", "{'pk':{'S':'a'},'sk':{'S':'1'}}"),
        Arguments.of("wrong name", "{'pk':{'S':'a'},'sx':{'N':'1'}}"),
        Arguments.of("empty string", "{'pk':{'S':''},'sk':{'N':'1'}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidKeys")
  void invalidKeysAreRejectedAlike(String name, String key) {
    both("GetItem", "{'TableName':'items','Key':" + key + "}").assertSameValidationError();
    both("DeleteItem", "{'TableName':'items','Key':" + key + "}").assertSameValidationError();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GetItem", "DeleteItem", "UpdateItem"})
  void unknownTableIsNotFoundAlike(String op) {
    both(op, "{'TableName':'no_such_table','Key':{'pk':{'S':'a'}}}")
        .assertError("ResourceNotFoundException", "Requested resource not found");
  }

  static Stream<Arguments> expressionErrors() {
    return Stream.of(
        Arguments.of("attribute_exists(#a)", ""),
        Arguments.of("a = :a", ""),
        Arguments.of("attribute_exists(pk)", ",'ExpressionAttributeNames':{'#a':'a'}"),
        Arguments.of("attribute_exists(pk)", ",'ExpressionAttributeValues':{':a':{'S':'a'}}"),
        Arguments.of("size = :a", ",'ExpressionAttributeValues':{':a':{'S':'a'}}"),
        Arguments.of("nofun(a)", ""),
        Arguments.of("attribute_exists(a, b)", ""),
        Arguments.of("begins_with(a)", ""),
        Arguments.of("((a = :a))", ",'ExpressionAttributeValues':{':a':{'S':'a'}}"),
        Arguments.of("attribute_exists(a)", ",'ExpressionAttributeNames':{}"),
        Arguments.of("attribute_exists(a)", ",'ExpressionAttributeNames':{'a':'b'}"),
        Arguments.of("", ""),
        Arguments.of("a = :a", ",'ExpressionAttributeValues':{':a':{'S':'a','N':'1'}}"),
        Arguments.of(
            "a BETWEEN :b AND :a", ",'ExpressionAttributeValues':{':a':{'N':'1'},':b':{'N':'2'}}"),
        Arguments.of("a IN (:a)", ",'ExpressionAttributeValues':{':a':{'S':'a'}}"),
        Arguments.of("attribute_type(a, :t)", ",'ExpressionAttributeValues':{':t':{'S':'X'}}"),
        Arguments.of("a.b[1] = :a", ",'ExpressionAttributeValues':{':a':{'S':'a'}}"));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("expressionErrors")
  void conditionExpressionErrorsAlike(String condition, String placeholders) {
    both(
            "PutItem",
            "{'TableName':'items','Item':{'pk':{'S':'expr'},'sk':{'N':'1'}},"
                + "'ConditionExpression':'"
                + condition
                + "'"
                + placeholders
                + "}")
        .assertSame();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a = ", "a = = :a", "attribute_exists(pk", "a ==:a"})
  void syntaxErrorsUseAwsWording(String condition) {
    Exchange e =
        both(
                "PutItem",
                "{'TableName':'items','Item':{'pk':{'S':'expr'},'sk':{'N':'1'}},"
                    + "'ConditionExpression':'"
                    + condition
                    + "','ExpressionAttributeValues':{':a':{'S':'a'}}}")
            .assertSameStatusAndType();
    // AWS: 'Invalid ConditionExpression: Syntax error; token: "<t>", near: "<n>"' (the message
    // every AWS SDK user sees); dynalite reports pegjs's "Expected ... but ... found."
    assertThat(e.ours().message()).startsWith("Invalid ConditionExpression: Syntax error; token: ");
    assertThat(e.ours().message()).contains(", near: ");
    assertThat(e.dynalite().message()).startsWith("Invalid ConditionExpression: Syntax error; ");
    assertThat(e.dynalite().message()).contains("found.");
  }

  @ParameterizedTest
  @ValueSource(strings = {"size", "name", "value", "timestamp", "count"})
  void reservedWordsAreRejectedAlike(String word) {
    both(
            "GetItem",
            "{'TableName':'items','Key':{'pk':{'S':'rich'},'sk':{'N':'1'}},'ProjectionExpression':'"
                + word
                + "'}")
        .assertSame();
  }
}
