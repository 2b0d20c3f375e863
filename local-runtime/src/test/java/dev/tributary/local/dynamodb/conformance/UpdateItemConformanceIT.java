package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** UpdateItem: every action and function, nested paths, ReturnValues, errors, capacity. */
class UpdateItemConformanceIT extends ConformanceSupport {
  private static final String BASE =
      "{'pk':{'S':'%s'},'sk':{'N':'1'},'n':{'N':'10'},'s':{'S':'text'},"
          + "'ss':{'SS':['a','b','c']},'ns':{'NS':['1','2']},'bs':{'BS':['AQ==']},"
          + "'l':{'L':[{'S':'x'},{'N':'1'},{'M':{'k':{'S':'v'}}}]},"
          + "'m':{'M':{'a':{'N':'1'},'b':{'M':{'c':{'S':'deep'}}},'l':{'L':[]}}}}";

  @BeforeAll
  void tables() {
    createHashRangeTable("upd");
    createTable(
        "{'TableName':'upd_gsi','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'g','AttributeType':'S'}],"
            + "'GlobalSecondaryIndexes':[{'IndexName':'byG','KeySchema':[{'AttributeName':'g',"
            + "'KeyType':'HASH'}],'Projection':{'ProjectionType':'KEYS_ONLY'}}]}");
  }

  private Exchange update(String pk, String expression, String extra) {
    return both(
        "UpdateItem",
        "{'TableName':'upd','Key':{'pk':{'S':'"
            + pk
            + "'},'sk':{'N':'1'}},'UpdateExpression':'"
            + expression
            + "'"
            + extra
            + "}");
  }

  static Stream<Arguments> updates() {
    return Stream.of(
        Arguments.of("SET n = :v", ",'ExpressionAttributeValues':{':v':{'N':'5'}}"),
        Arguments.of("SET n = n + :v", ",'ExpressionAttributeValues':{':v':{'N':'2.5'}}"),
        Arguments.of("SET n = n - :v", ",'ExpressionAttributeValues':{':v':{'N':'20'}}"),
        Arguments.of("SET n = :v - n", ",'ExpressionAttributeValues':{':v':{'N':'1'}}"),
        Arguments.of(
            "SET newN = if_not_exists(newN, :z) + :one",
            ",'ExpressionAttributeValues':{':z':{'N':'0'},':one':{'N':'1'}}"),
        Arguments.of(
            "SET n = if_not_exists(n, :z) + :one",
            ",'ExpressionAttributeValues':{':z':{'N':'0'},':one':{'N':'1'}}"),
        Arguments.of(
            "SET l = list_append(l, :a)",
            ",'ExpressionAttributeValues':{':a':{'L':[{'S':'end'}]}}"),
        Arguments.of(
            "SET l = list_append(:a, l)",
            ",'ExpressionAttributeValues':{':a':{'L':[{'S':'start'}]}}"),
        Arguments.of(
            "SET nl = list_append(if_not_exists(nl, :e), :a)",
            ",'ExpressionAttributeValues':{':e':{'L':[]},':a':{'L':[{'N':'1'}]}}"),
        Arguments.of("SET m.b.c = :v", ",'ExpressionAttributeValues':{':v':{'S':'changed'}}"),
        Arguments.of("SET m.newKey = :v", ",'ExpressionAttributeValues':{':v':{'BOOL':true}}"),
        Arguments.of("SET l[0] = :v", ",'ExpressionAttributeValues':{':v':{'S':'first'}}"),
        Arguments.of("SET l[10] = :v", ",'ExpressionAttributeValues':{':v':{'S':'appended'}}"),
        Arguments.of("SET l[2].k = :v", ",'ExpressionAttributeValues':{':v':{'S':'w'}}"),
        Arguments.of("SET #a = s, s = #a", ",'ExpressionAttributeNames':{'#a':'a2'}"),
        Arguments.of("SET copy = m", ""),
        Arguments.of(
            "SET a = :v, b = :w REMOVE s ADD n :one DELETE ss :d",
            ",'ExpressionAttributeValues':{':v':{'S':'1'},':w':{'NULL':true},':one':{'N':'1'},"
                + "':d':{'SS':['a']}}"),
        Arguments.of("REMOVE s, m.b.c, l[1]", ""),
        Arguments.of("REMOVE l[9], nothing, m.nothing", ""),
        Arguments.of("ADD n :v", ",'ExpressionAttributeValues':{':v':{'N':'-10'}}"),
        Arguments.of("ADD newNumber :v", ",'ExpressionAttributeValues':{':v':{'N':'3'}}"),
        Arguments.of("ADD ss :v", ",'ExpressionAttributeValues':{':v':{'SS':['c','d']}}"),
        Arguments.of("ADD ns :v", ",'ExpressionAttributeValues':{':v':{'NS':['3','1']}}"),
        Arguments.of("ADD bs :v", ",'ExpressionAttributeValues':{':v':{'BS':['Ag==']}}"),
        Arguments.of("ADD newSet :v", ",'ExpressionAttributeValues':{':v':{'SS':['z']}}"),
        Arguments.of("DELETE ss :v", ",'ExpressionAttributeValues':{':v':{'SS':['a','zz']}}"),
        Arguments.of("DELETE ss :v", ",'ExpressionAttributeValues':{':v':{'SS':['a','b','c']}}"),
        Arguments.of("DELETE ns :v", ",'ExpressionAttributeValues':{':v':{'NS':['2']}}"),
        Arguments.of("DELETE nothing :v", ",'ExpressionAttributeValues':{':v':{'SS':['a']}}"),
        Arguments.of("SET s = :v", ",'ExpressionAttributeValues':{':v':{'S':''}}"),
        Arguments.of("set n = :v", ",'ExpressionAttributeValues':{':v':{'N':'1e3'}}"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("updates")
  void updatesApplyAlike(String expression, String placeholders) {
    String pk = "u" + Integer.toHexString(expression.hashCode());
    put("upd", BASE.formatted(pk));
    update(pk, expression, placeholders + ",'ReturnValues':'ALL_NEW'").assertSame();
    both("GetItem", "{'TableName':'upd','Key':{'pk':{'S':'" + pk + "'},'sk':{'N':'1'}}}")
        .assertSame();
  }

  @Test
  void updateCreatesTheItemWhenMissing() {
    update(
            "created",
            "SET a = :a ADD c :one",
            ",'ExpressionAttributeValues':{':a':{'S':'x'},':one':{'N':'1'}},'ReturnValues':'ALL_NEW'")
        .assertSame();
    // without an update expression the item is created with its key only
    both(
            "UpdateItem",
            "{'TableName':'upd','Key':{'pk':{'S':'keyonly'},'sk':{'N':'1'}},'ReturnValues':'ALL_NEW'}")
        .assertSame();
  }

  @ParameterizedTest
  @ValueSource(strings = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"})
  void returnValuesAlike(String returnValues) {
    String pk = "rv_" + returnValues;
    put("upd", BASE.formatted(pk));
    update(
            pk,
            "SET m.b.c = :v, l[0] = :v, added = :v REMOVE s ADD n :one",
            ",'ExpressionAttributeValues':{':v':{'S':'new'},':one':{'N':'1'}},'ReturnValues':'"
                + returnValues
                + "'")
        .assertSame();
    // on a missing item the "old" values are absent
    update(
            pk + "_missing",
            "SET a = :v",
            ",'ExpressionAttributeValues':{':v':{'S':'new'}},'ReturnValues':'" + returnValues + "'")
        .assertSame();
  }

  static Stream<Arguments> failingUpdates() {
    return Stream.of(
        Arguments.of("SET pk = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("REMOVE sk", ""),
        Arguments.of("SET n = s + :v", ",'ExpressionAttributeValues':{':v':{'N':'1'}}"),
        Arguments.of("SET n = nothing + :v", ",'ExpressionAttributeValues':{':v':{'N':'1'}}"),
        Arguments.of("SET l = list_append(l, :v)", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET nothing.deeper = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET s[0] = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("ADD s :v", ",'ExpressionAttributeValues':{':v':{'N':'1'}}"),
        Arguments.of("ADD l :v", ",'ExpressionAttributeValues':{':v':{'L':[{'S':'x'}]}}"),
        Arguments.of("ADD ss :v", ",'ExpressionAttributeValues':{':v':{'NS':['1']}}"),
        Arguments.of("DELETE ss :v", ",'ExpressionAttributeValues':{':v':{'S':'a'}}"),
        Arguments.of("DELETE ns :v", ",'ExpressionAttributeValues':{':v':{'SS':['a']}}"),
        Arguments.of("SET a = :v SET b = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET a = :v REMOVE a", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET m.a = :v, m = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET l[0] = :v, l.x = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of(
            "SET a = if_not_exists(:v, b)", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET a = nofun(b)", ""),
        Arguments.of("SET a = size(b)", ""),
        Arguments.of("SET a = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'},':w':{'S':'y'}}"),
        Arguments.of("SET #a = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"),
        Arguments.of("SET a = :v", ",'ExpressionAttributeValues':{':v':{'SS':[]}}"),
        Arguments.of("ADD n :v", ",'ExpressionAttributeValues':{':v':{'N':'1e126'}}"),
        Arguments.of(
            "REMOVE n",
            ",'ConditionExpression':'n = :v','ExpressionAttributeValues':{':v':{'N':'11'}}"),
        Arguments.of("SET comment = :v", ",'ExpressionAttributeValues':{':v':{'S':'x'}}"));
  }

  @Test
  void removedListIndexesReferToTheOriginalList() {
    put(
        "upd",
        "{'pk':{'S':'related'},'sk':{'N':'1'},'RelatedItems':{'L':[{'S':'Chisel'},{'S':'Hammer'},"
            + "{'S':'Nails'},{'S':'Screwdriver'},{'S':'Hacksaw'}]}}");
    Exchange e =
        update("related", "REMOVE RelatedItems[1], RelatedItems[2]", ",'ReturnValues':'ALL_NEW'");
    e.assertBothOk();
    // AWS removes Hammer and Nails, the elements at the indexes of the list before the update
    // (developer guide, Expressions.UpdateExpressions "Removing elements from a list");
    // dynalite removes one after the other, so its second index points past the shift
    assertThat(e.oursBody().at("/Attributes/RelatedItems/L").toString())
        .isEqualTo("[{\"S\":\"Chisel\"},{\"S\":\"Screwdriver\"},{\"S\":\"Hacksaw\"}]");
    assertThat(e.dynaliteBody().at("/Attributes/RelatedItems/L").toString())
        .isEqualTo("[{\"S\":\"Chisel\"},{\"S\":\"Nails\"},{\"S\":\"Hacksaw\"}]");
  }

  @Test
  void arithmeticOverflowIsRejectedOnOurSide() {
    put("upd", BASE.formatted("overflow"));
    Exchange e =
        update(
            "overflow",
            "SET n = :a + :b",
            ",'ExpressionAttributeValues':{':a':{'N':'9e125'},':b':{'N':'9e125'}}");
    // AWS numbers stop below 1E+126 (developer guide, "Data types", Number) and a result outside
    // the range fails like a stored one; dynalite stores 1.8E+126
    assertThat(e.ours().status()).isEqualTo(400);
    assertThat(e.ours().message())
        .isEqualTo(
            "Number overflow. Attempting to store a number with magnitude larger than supported"
                + " range");
    assertThat(e.dynalite().status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("failingUpdates")
  void failingUpdatesAreRejectedAlike(String expression, String placeholders) {
    String pk = "f" + Integer.toHexString((expression + placeholders).hashCode());
    put("upd", BASE.formatted(pk));
    update(pk, expression, placeholders).assertSame();
    both("GetItem", "{'TableName':'upd','Key':{'pk':{'S':'" + pk + "'},'sk':{'N':'1'}}}")
        .assertSame();
  }

  @Test
  void updateOfAnIndexKeyToAnotherTypeIsRejectedAlike() {
    both(
            "UpdateItem",
            "{'TableName':'upd_gsi','Key':{'pk':{'S':'a'}},'UpdateExpression':'SET g = :v',"
                + "'ExpressionAttributeValues':{':v':{'N':'1'}}}")
        .assertSameValidationError();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TOTAL", "INDEXES"})
  void updateConsumesAlike(String mode) {
    put("upd", BASE.formatted("cap_" + mode));
    // grows the item from about 120 bytes to about 2.1 KB: the larger size counts
    update(
            "cap_" + mode,
            "SET big = :v",
            ",'ExpressionAttributeValues':{':v':{'S':'"
                + repeat('b', 2000)
                + "'}},'ReturnConsumedCapacity':'"
                + mode
                + "'")
        .assertSame();
    update("cap_" + mode, "REMOVE big", ",'ReturnConsumedCapacity':'" + mode + "'").assertSame();
  }

  @Test
  void updatedItemOverTheLimitIsRejectedAlike() {
    put("upd", BASE.formatted("huge"));
    update(
            "huge",
            "SET a = :v, b = :v",
            ",'ExpressionAttributeValues':{':v':{'S':'" + repeat('h', 210_000) + "'}}")
        .assertError(
            "ValidationException", "Item size to update has exceeded the maximum allowed size");
  }
}
