package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The legacy parameters that older SDKs and KCL's lease code still send: Expected with
 * ConditionalOperator, AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter and
 * ScanFilter.
 */
class LegacyParametersConformanceIT extends ConformanceSupport {
  private static final String TABLE = "legacy";
  private static final String ITEM =
      "{'pk':{'S':'%s'},'sk':{'N':'1'},'s':{'S':'text'},'n':{'N':'5'},'ss':{'SS':['a','b']},"
          + "'ns':{'NS':['1','2']},'l':{'L':[{'S':'x'}]},'m':{'M':{'k':{'S':'v'}}},'t':{'BOOL':true}}";

  @BeforeAll
  void tables() {
    createHashRangeTable(TABLE);
    for (int i = 0; i < 12; i++) {
      put(
          TABLE,
          "{'pk':{'S':'q'},'sk':{'N':'"
              + i
              + "'},'n':{'N':'"
              + (i % 4)
              + "'},'s':{'S':'s"
              + (char) ('a' + i)
              + "'}"
              + (i % 3 == 0 ? ",'opt':{'BOOL':true}" : "")
              + "}");
    }
  }

  static Stream<Arguments> expectations() {
    return Stream.of(
        Arguments.of("{'s':{'Value':{'S':'text'}}}", ""),
        Arguments.of("{'s':{'Value':{'S':'other'}}}", ""),
        Arguments.of("{'s':{'Exists':true,'Value':{'S':'text'}}}", ""),
        Arguments.of("{'nothing':{'Exists':false}}", ""),
        Arguments.of("{'s':{'Exists':false}}", ""),
        Arguments.of("{'n':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'4'}]}}", ""),
        Arguments.of("{'n':{'ComparisonOperator':'LE','AttributeValueList':[{'N':'4'}]}}", ""),
        Arguments.of("{'n':{'ComparisonOperator':'NE','AttributeValueList':[{'N':'5'}]}}", ""),
        Arguments.of(
            "{'n':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'N':'1'},{'N':'5'}]}}",
            ""),
        Arguments.of(
            "{'s':{'ComparisonOperator':'IN','AttributeValueList':[{'S':'x'},{'S':'text'}]}}", ""),
        Arguments.of(
            "{'s':{'ComparisonOperator':'BEGINS_WITH','AttributeValueList':[{'S':'te'}]}}", ""),
        Arguments.of(
            "{'ss':{'ComparisonOperator':'CONTAINS','AttributeValueList':[{'S':'b'}]}}", ""),
        Arguments.of(
            "{'ss':{'ComparisonOperator':'NOT_CONTAINS','AttributeValueList':[{'S':'b'}]}}", ""),
        Arguments.of("{'nothing':{'ComparisonOperator':'NULL'}}", ""),
        Arguments.of("{'s':{'ComparisonOperator':'NOT_NULL'}}", ""),
        Arguments.of(
            "{'s':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'no'}]},"
                + "'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'5'}]}}",
            ",'ConditionalOperator':'AND'"),
        // invalid combinations
        Arguments.of("{'s':{'Exists':true}}", ""),
        Arguments.of("{'s':{'Exists':false,'Value':{'S':'text'}}}", ""),
        Arguments.of("{'n':{'ComparisonOperator':'GT'}}", ""),
        Arguments.of(
            "{'n':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'1'},{'N':'2'}]}}", ""),
        Arguments.of("{'n':{'ComparisonOperator':'NULL','AttributeValueList':[{'N':'1'}]}}", ""),
        Arguments.of("{'n':{'ComparisonOperator':'LIKE','AttributeValueList':[{'N':'1'}]}}", ""),
        Arguments.of(
            "{'n':{'ComparisonOperator':'EQ','Exists':true,'AttributeValueList':[{'N':'5'}]}}", ""),
        Arguments.of("{'n':{'Value':{'N':'5'},'AttributeValueList':[{'N':'5'}]}}", ""),
        Arguments.of("{'l':{'ComparisonOperator':'LT','AttributeValueList':[{'L':[]}]}}", ""),
        Arguments.of("{'s':{'Value':{'S':'text'}}}", ",'ConditionalOperator':'OR'"),
        Arguments.of(
            "{'s':{'Value':{'S':'text'}}}", ",'ConditionExpression':'attribute_exists(s)'"));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("expectations")
  void expectedDecidesAlike(String expected, String extra) {
    String pk = "e" + Integer.toHexString((expected + extra).hashCode());
    put(TABLE, ITEM.formatted(pk));
    both(
            "DeleteItem",
            "{'TableName':'"
                + TABLE
                + "','Key':{'pk':{'S':'"
                + pk
                + "'},'sk':{'N':'1'}},'Expected':"
                + expected
                + extra
                + ",'ReturnValues':'ALL_OLD'}")
        .assertSame();
  }

  static Stream<Arguments> attributeUpdates() {
    return Stream.of(
        Arguments.of("{'s':{'Value':{'S':'new'}}}"),
        Arguments.of("{'s':{'Action':'PUT','Value':{'S':'new'}},'n':{'Action':'DELETE'}}"),
        Arguments.of("{'n':{'Action':'ADD','Value':{'N':'-2.5'}}}"),
        Arguments.of("{'fresh':{'Action':'ADD','Value':{'N':'3'}}}"),
        Arguments.of("{'ss':{'Action':'ADD','Value':{'SS':['b','c']}}}"),
        Arguments.of("{'ns':{'Action':'DELETE','Value':{'NS':['1','9']}}}"),
        Arguments.of("{'ss':{'Action':'DELETE','Value':{'SS':['a','b']}}}"),
        Arguments.of("{'l':{'Action':'ADD','Value':{'L':[{'N':'1'}]}}}"),
        Arguments.of("{'nothing':{'Action':'DELETE'}}"),
        // invalid
        Arguments.of("{'pk':{'Value':{'S':'new'}}}"),
        Arguments.of("{'s':{'Action':'PUT'}}"),
        Arguments.of("{'s':{'Action':'ADD','Value':{'S':'x'}}}"),
        Arguments.of("{'n':{'Action':'ADD','Value':{'S':'x'}}}"),
        Arguments.of("{'ss':{'Action':'DELETE','Value':{'NS':['1']}}}"),
        Arguments.of("{'s':{'Action':'DELETE','Value':{'S':'text'}}}"),
        Arguments.of("{'s':{'Action':'DELETE','Value':{'SS':['x']}},'t':{'Value':{'N':'1'}}}"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("attributeUpdates")
  void attributeUpdatesApplyAlike(String updates) {
    String pk = "u" + Integer.toHexString(updates.hashCode());
    put(TABLE, ITEM.formatted(pk));
    for (String returnValues : new String[] {"UPDATED_OLD", "ALL_NEW"}) {
      both(
              "UpdateItem",
              "{'TableName':'"
                  + TABLE
                  + "','Key':{'pk':{'S':'"
                  + pk
                  + "'},'sk':{'N':'1'}},'AttributeUpdates':"
                  + updates
                  + ",'ReturnValues':'"
                  + returnValues
                  + "'}")
          .assertSame();
    }
  }

  static Stream<Arguments> legacyReads() {
    String key = "{'pk':{'S':'q'},'sk':{'N':'3'}}";
    return Stream.of(
        Arguments.of("GetItem", "'Key':" + key + ",'AttributesToGet':['s','n','nothing']"),
        Arguments.of("GetItem", "'Key':" + key + ",'AttributesToGet':['s','s']"),
        Arguments.of(
            "GetItem", "'Key':" + key + ",'AttributesToGet':['s'],'ProjectionExpression':'n'"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'q'}]},"
                + "'sk':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'N':'2'},{'N':'9'}]}}"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'q'}]},"
                + "'sk':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'4'}]}},"
                + "'QueryFilter':{'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'1'}]},"
                + "'opt':{'ComparisonOperator':'NULL'}},'ConditionalOperator':'AND',"
                + "'AttributesToGet':['sk','n'],'Limit':6,'ScanIndexForward':false"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'q'}]}},"
                + "'QueryFilter':{'sk':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'4'}]}}"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'BEGINS_WITH',"
                + "'AttributeValueList':[{'S':'q'}]}}"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'q'}]},"
                + "'sk':{'ComparisonOperator':'NE','AttributeValueList':[{'N':'4'}]}}"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'q'}]}},"
                + "'FilterExpression':'n = :n','ExpressionAttributeValues':{':n':{'N':'1'}}"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'n':{'ComparisonOperator':'IN','AttributeValueList':[{'N':'0'},"
                + "{'N':'3'}]},'s':{'ComparisonOperator':'BEGINS_WITH',"
                + "'AttributeValueList':[{'S':'s'}]}},'ConditionalOperator':'AND'"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'n':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'N':'3'},"
                + "{'N':'1'}]}}"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'n':{'ComparisonOperator':'GT','AttributeValueList':[{'SS':['1']}]}}"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'n':{'ComparisonOperator':'IN','AttributeValueList':[{'N':'1'},"
                + "{'S':'1'}]}}"),
        Arguments.of("Scan", "'ScanFilter':{'n':{'AttributeValueList':[{'N':'1'}]}}"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'1'}]}},"
                + "'ConditionalOperator':'XOR'"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'opt':{'ComparisonOperator':'NULL'}},'AttributesToGet':['sk'],"
                + "'Select':'SPECIFIC_ATTRIBUTES'"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'n':{'ComparisonOperator':'GE','AttributeValueList':[{'N':'2'}]}},"
                + "'Select':'COUNT'"));
  }

  static Stream<Arguments> disjunctions() {
    return Stream.of(
        Arguments.of(
            "DeleteItem",
            "'Key':{'pk':{'S':'q'},'sk':{'N':'5'}},"
                + "'Expected':{'s':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'no'}]},"
                + "'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'1'}]}}"),
        Arguments.of(
            "Query",
            "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'q'}]}},"
                + "'QueryFilter':{'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'9'}]},"
                + "'opt':{'ComparisonOperator':'NOT_NULL'}}"),
        Arguments.of(
            "Scan",
            "'ScanFilter':{'s':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'no'}]},"
                + "'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'2'}]}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("disjunctions")
  void conditionalOperatorOrHoldsWhenAnyConditionHoldsOnOurSide(String op, String body) {
    Exchange e = both(op, "{'TableName':'" + TABLE + "'," + body + ",'ConditionalOperator':'OR'}");
    // AWS: with OR "at least one of the conditions must evaluate to true" (API reference,
    // ConditionalOperator); dynalite gives up as soon as the first condition is false
    assertThat(e.ours().status()).isEqualTo(200);
    if (op.equals("DeleteItem")) {
      assertThat(e.dynalite().errorType()).isEqualTo("ConditionalCheckFailedException");
    } else {
      assertThat(e.oursBody().get("Count").asInt()).isPositive();
      assertThat(e.dynaliteBody().get("Count").asInt()).isZero();
    }
    // undo the delete on our side so that both tables hold the same items again
    if (op.equals("DeleteItem")) {
      ours(
          "PutItem",
          "{'TableName':'"
              + TABLE
              + "','Item':{'pk':{'S':'q'},'sk':{'N':'5'},"
              + "'n':{'N':'1'},'s':{'S':'sf'}}}");
    }
  }

  @Test
  void attributeUpdateActionIsValidatedOnOurSide() {
    put(TABLE, ITEM.formatted("action"));
    Exchange e =
        both(
            "UpdateItem",
            "{'TableName':'"
                + TABLE
                + "','Key':{'pk':{'S':'action'},'sk':{'N':'1'}},"
                + "'AttributeUpdates':{'s':{'Action':'REPLACE','Value':{'S':'x'}}}}");
    // AWS: Action is one of ADD | PUT | DELETE (API reference, AttributeValueUpdate); dynalite
    // does not check it
    assertThat(e.ours().message())
        .isEqualTo(
            "1 validation error detected: Value 'REPLACE' at 'attributeUpdates.s.member.action'"
                + " failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT,"
                + " DELETE]");
    assertThat(e.dynalite().status()).isEqualTo(200);
    put(TABLE, ITEM.formatted("action"));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("legacyReads")
  void legacyReadsAlike(String op, String body) {
    both(op, "{'TableName':'" + TABLE + "'," + body + "}").assertSame();
  }
}
