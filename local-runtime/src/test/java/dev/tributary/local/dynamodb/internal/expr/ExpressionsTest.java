package dev.tributary.local.dynamodb.internal.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.local.dynamodb.internal.expr.ExpressionException.Kind;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The expression language: parsing, evaluation, updates and projections. */
class ExpressionsTest {
  static Value s(String v) {
    return new Value.S(v);
  }

  static Value n(long v) {
    return new Value.N(BigDecimal.valueOf(v));
  }

  static Map<String, Value> item() {
    Map<String, Value> item = new LinkedHashMap<>();
    item.put("pk", s("a"));
    item.put("count", n(5));
    item.put("name", s("tributary"));
    item.put("tags", new Value.SS(Set.of("x", "y")));
    item.put("labels", new Value.SS(Set.of("p", "q")));
    item.put(
        "doc",
        new Value.M(
            Map.of(
                "vals",
                new Value.L(List.of(n(1), n(2), n(3))),
                "nested",
                new Value.M(Map.of("k", s("v"))))));
    return item;
  }

  static boolean eval(String expression, Map<String, String> names, Map<String, Value> values) {
    return Evaluator.matches(
        Parser.condition(expression, Kind.CONDITION, new Placeholders(names, values)), item());
  }

  static boolean eval(String expression, Map<String, Value> values) {
    return eval(expression, Map.of("#c", "count", "#n", "name"), values);
  }

  @Test
  void comparisonsFunctionsAndPrecedence() {
    assertThat(eval("#c = :v", Map.of(":v", n(5)))).isTrue();
    assertThat(eval("#c <> :v", Map.of(":v", n(5)))).isFalse();
    assertThat(eval("absent <> :v", Map.of(":v", n(5)))).isTrue(); // absent: only <> holds
    assertThat(eval("absent = :v OR absent < :v", Map.of(":v", n(5)))).isFalse();
    assertThat(eval("#c BETWEEN :a AND :b", Map.of(":a", n(1), ":b", n(5)))).isTrue();
    assertThat(eval("#c IN (:a, :b)", Map.of(":a", n(1), ":b", n(5)))).isTrue();
    assertThat(eval("begins_with(#n, :p)", Map.of(":p", s("trib")))).isTrue();
    assertThat(eval("contains(tags, :t) AND contains(#n, :u)", Map.of(":t", s("x"), ":u", s("bu"))))
        .isTrue();
    assertThat(eval("contains(doc.vals, :v)", Map.of(":v", n(2)))).isTrue();
    assertThat(eval("size(doc.vals) = :three AND size(#n) > :three", Map.of(":three", n(3))))
        .isTrue();
    assertThat(eval("attribute_type(doc, :m)", Map.of(":m", s("M")))).isTrue();
    assertThat(
            eval("attribute_exists(doc.nested.k) AND attribute_not_exists(doc.vals[5])", Map.of()))
        .isTrue();
    assertThat(eval("doc.vals[1] = :two", Map.of(":two", n(2)))).isTrue();
    // NOT binds tighter than AND, AND tighter than OR
    assertThat(eval("NOT #c = :v AND #c = :v OR #c = :v", Map.of(":v", n(5)))).isTrue();
    assertThat(eval("NOT (#c = :v OR #c = :v)", Map.of(":v", n(5)))).isFalse();
    assertThat(eval("(#c) = :v", Map.of(":v", n(5)))).isTrue();
    // values of different types are neither equal nor ordered
    assertThat(eval("#c = :v OR #c < :v OR #c > :v", Map.of(":v", s("5")))).isFalse();
  }

  @Test
  void stringsOrderByUtf8BytesNumbersNumerically() {
    assertThat(Values.compare(s("a"), s("b"))).isNegative();
    assertThat(Values.compare(s("\uFFFF"), s("\uD83D\uDE00")))
        .isNegative(); // U+FFFF < U+1F600 in UTF-8
    assertThat(Values.compare(n(10), n(9))).isPositive();
    assertThat(
            Values.compare(
                new Value.N(new BigDecimal("1.50").stripTrailingZeros()),
                new Value.N(new BigDecimal("1.5"))))
        .isZero();
  }

  @Test
  void syntaxErrorsNameTheTokenAndWhatIsNear() {
    assertThatThrownBy(
            () ->
                Parser.condition(
                    "a = = :b", Kind.CONDITION, new Placeholders(null, Map.of(":b", n(1)))))
        .isInstanceOf(DynamoException.class)
        .hasMessage("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :b\"");
    assertThatThrownBy(() -> Parser.condition("a =", Kind.FILTER, new Placeholders(null, null)))
        .hasMessageContaining("Invalid FilterExpression: Syntax error; token: \"<EOF>\"");
    assertThatThrownBy(() -> Parser.condition("", Kind.CONDITION, new Placeholders(null, null)))
        .hasMessage("Invalid ConditionExpression: The expression can not be empty;");
  }

  @Test
  void semanticErrorsFollowDynamoDbsWordsAndOrder() {
    Placeholders none = new Placeholders(Map.of(), Map.of());
    assertThatThrownBy(
            () ->
                Parser.condition(
                    "status = :v", Kind.CONDITION, new Placeholders(null, Map.of(":v", n(1)))))
        .hasMessage(
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
    assertThatThrownBy(() -> Parser.condition("#x = :v", Kind.CONDITION, none))
        .hasMessage(
            "Invalid ConditionExpression: An expression attribute name used in the document path is"
                + " not defined; attribute name: #x");
    assertThatThrownBy(() -> Parser.condition("a = :v", Kind.CONDITION, none))
        .hasMessage(
            "Invalid ConditionExpression: An expression attribute value used in expression is not"
                + " defined; attribute value: :v");
    assertThatThrownBy(() -> Parser.condition("foo(a)", Kind.CONDITION, none))
        .hasMessage("Invalid ConditionExpression: Invalid function name; function: foo");
    assertThatThrownBy(() -> Parser.condition("attribute_exists(a, b)", Kind.CONDITION, none))
        .hasMessageContaining(
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2");
    assertThatThrownBy(() -> Parser.condition("a = a", Kind.CONDITION, none))
        .hasMessageContaining(
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]");
    assertThatThrownBy(
            () ->
                Parser.condition(
                    "a BETWEEN :hi AND :lo",
                    Kind.CONDITION,
                    new Placeholders(null, Map.of(":hi", n(2), ":lo", n(1)))))
        .hasMessageContaining(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound");
    assertThatThrownBy(() -> Parser.condition("size(a)", Kind.CONDITION, none))
        .hasMessageContaining(
            "The function is not allowed to be used this way in an expression; function: size");
    // an unknown function outranks a reserved word
    assertThatThrownBy(() -> Parser.condition("foo(status)", Kind.CONDITION, none))
        .hasMessageContaining("Invalid function name");
  }

  @Test
  void unusedPlaceholdersAreRefused() {
    Placeholders p = new Placeholders(Map.of("#a", "a", "#b", "b"), Map.of(":x", n(1)));
    Parser.condition("#a = :x", Kind.CONDITION, p);
    assertThatThrownBy(p::checkAllUsed)
        .hasMessage("Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}");
  }

  static Map<String, Value> update(String expression, Map<String, Value> values) {
    return Updater.apply(
        Parser.update(expression, new Placeholders(Map.of("#c", "count", "#n", "name"), values)),
        item());
  }

  @Test
  void updatesSetRemoveAddDeleteAndFunctions() {
    Map<String, Value> out =
        update(
            "SET #c = #c + :one, fresh = if_not_exists(fresh, :zero), doc.vals = list_append(doc.vals, :more),"
                + " doc.nested.k = :w REMOVE #n ADD tags :t, tally :one DELETE labels :x",
            Map.of(
                ":one",
                n(1),
                ":zero",
                n(0),
                ":more",
                new Value.L(List.of(n(4))),
                ":w",
                s("w"),
                ":t",
                new Value.SS(Set.of("z")),
                ":x",
                new Value.SS(Set.of("p"))));
    assertThat(out.get("count")).isEqualTo(n(6));
    assertThat(out.get("fresh")).isEqualTo(n(0));
    assertThat(out).doesNotContainKey("name");
    assertThat(out.get("tags")).isEqualTo(new Value.SS(Set.of("x", "y", "z")));
    assertThat(out.get("labels")).isEqualTo(new Value.SS(Set.of("q")));
    assertThat(out.get("tally")).isEqualTo(n(1));
    Value.M doc = (Value.M) out.get("doc");
    assertThat(doc.value().get("vals")).isEqualTo(new Value.L(List.of(n(1), n(2), n(3), n(4))));
    assertThat(((Value.M) doc.value().get("nested")).value().get("k")).isEqualTo(s("w"));
  }

  @Test
  void setValuesAreComputedFromTheItemAsItWas() {
    Map<String, Value> out = update("SET #c = :ten, earlier = #c", Map.of(":ten", n(10)));
    assertThat(out.get("count")).isEqualTo(n(10));
    assertThat(out.get("earlier")).isEqualTo(n(5));
  }

  @Test
  void listElementsAreRemovedByTheirOriginalIndexes() {
    Map<String, Value> out = update("REMOVE doc.vals[0], doc.vals[2]", Map.of());
    assertThat(((Value.M) out.get("doc")).value().get("vals"))
        .isEqualTo(new Value.L(List.of(n(2))));
    Map<String, Value> appended = update("SET doc.vals[10] = :v", Map.of(":v", n(9)));
    assertThat(((Value.M) appended.get("doc")).value().get("vals"))
        .isEqualTo(new Value.L(List.of(n(1), n(2), n(3), n(9))));
  }

  @Test
  void updateErrors() {
    assertThatThrownBy(() -> update("SET a = :v SET b = :v", Map.of(":v", n(1))))
        .hasMessage(
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
    assertThatThrownBy(() -> update("SET doc = :v REMOVE doc.vals", Map.of(":v", n(1))))
        .hasMessage(
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or"
                + " rewrite one of these paths; path one: [doc], path two: [doc, vals]");
    assertThatThrownBy(() -> update("ADD a :s", Map.of(":s", s("x"))))
        .hasMessage(
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING");
    assertThatThrownBy(() -> update("SET a = absent + :one", Map.of(":one", n(1))))
        .hasMessage(
            "The provided expression refers to an attribute that does not exist in the item");
    assertThatThrownBy(() -> update("SET a = #n + :one", Map.of(":one", n(1))).size())
        .isInstanceOf(DynamoException.class);
    assertThatThrownBy(() -> update("SET nothere.x = :one", Map.of(":one", n(1))))
        .hasMessage("The document path provided in the update expression is invalid for update");
    assertThatThrownBy(() -> update("ADD tags :n", Map.of(":n", n(1))))
        .hasMessage("An operand in the update expression has an incorrect data type");
  }

  @Test
  void projectionsKeepRequestedPathsOnly() {
    List<Path> paths =
        Parser.projection("pk, doc.vals[2], doc.nested", new Placeholders(null, null));
    Map<String, Value> out = Projector.project(item(), paths);
    assertThat(out.keySet()).containsExactly("pk", "doc");
    Value.M doc = (Value.M) out.get("doc");
    assertThat(doc.value().get("vals")).isEqualTo(new Value.L(List.of(n(3))));
    assertThat(doc.value().get("nested")).isEqualTo(new Value.M(Map.of("k", s("v"))));
    assertThatThrownBy(() -> Parser.projection("a, a.b", new Placeholders(null, null)))
        .hasMessageContaining("Two document paths overlap");
  }
}
