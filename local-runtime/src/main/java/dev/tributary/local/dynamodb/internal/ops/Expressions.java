package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.local.dynamodb.internal.expr.Condition;
import dev.tributary.local.dynamodb.internal.expr.Evaluator;
import dev.tributary.local.dynamodb.internal.expr.ExpressionException.Kind;
import dev.tributary.local.dynamodb.internal.expr.Operand;
import dev.tributary.local.dynamodb.internal.expr.Parser;
import dev.tributary.local.dynamodb.internal.expr.Path;
import dev.tributary.local.dynamodb.internal.expr.Placeholders;
import dev.tributary.local.dynamodb.internal.expr.Update;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The expressions of one request, parsed once: condition, update, key condition, filter and
 * projection, from the expression parameters or from their legacy counterparts (Expected,
 * AttributeUpdates, KeyConditions, QueryFilter/ScanFilter, AttributesToGet), which become the same
 * syntax trees. Legacy AttributeUpdates keep their own semantics and are kept apart.
 */
final class Expressions {
  private static final Pattern NAME_KEY = Pattern.compile("#[0-9a-zA-Z_]+");
  private static final Pattern VALUE_KEY = Pattern.compile(":[0-9a-zA-Z_]+");
  Condition condition;
  Update update;
  JsonNode attributeUpdates;
  Condition keyCondition;
  Condition filter;
  List<Path> projection;

  private Expressions() {}

  /** The expression and legacy parameters each operation accepts. */
  static final List<String> GET = List.of("ProjectionExpression");

  static final List<String> GET_LEGACY = List.of("AttributesToGet");
  static final List<String> WRITE = List.of("ConditionExpression");
  static final List<String> WRITE_LEGACY = List.of("Expected");
  static final List<String> UPDATE = List.of("UpdateExpression", "ConditionExpression");
  static final List<String> UPDATE_LEGACY = List.of("AttributeUpdates", "Expected");
  static final List<String> QUERY =
      List.of("ProjectionExpression", "FilterExpression", "KeyConditionExpression");
  static final List<String> QUERY_LEGACY =
      List.of("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions");
  static final List<String> SCAN = List.of("ProjectionExpression", "FilterExpression");
  static final List<String> SCAN_LEGACY =
      List.of("AttributesToGet", "ScanFilter", "ConditionalOperator");

  static Expressions parse(Request r, List<String> expressionParams, List<String> legacyParams) {
    Expressions e = new Expressions();
    Map<String, String> names = r.stringMap("ExpressionAttributeNames");
    Map<String, Value> values = null;
    JsonNode valueNode = r.get("ExpressionAttributeValues");
    if (names != null) {
      if (names.isEmpty()) {
        throw DynamoException.validation("ExpressionAttributeNames must not be empty");
      }
      for (String key : names.keySet()) {
        if (!NAME_KEY.matcher(key).matches()) {
          throw DynamoException.validation(
              "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
        }
      }
    }
    if (valueNode != null) {
      values = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = valueNode.fields();
      if (!it.hasNext()) {
        throw DynamoException.validation("ExpressionAttributeValues must not be empty");
      }
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> v = it.next();
        if (!VALUE_KEY.matcher(v.getKey()).matches()) {
          throw DynamoException.validation(
              "ExpressionAttributeValues contains invalid key: Syntax error; key: \""
                  + v.getKey()
                  + "\"");
        }
        try {
          values.put(v.getKey(), ValueCodec.value(v.getValue()));
        } catch (DynamoException ex) {
          throw DynamoException.validation(
              "ExpressionAttributeValues contains invalid value: "
                  + ex.getMessage()
                  + " for key "
                  + v.getKey());
        }
      }
    }
    List<String> exprParams = new ArrayList<>();
    for (String param : expressionParams) {
      if (r.string(param) != null) {
        exprParams.add(param);
      }
    }
    if (!exprParams.isEmpty()) {
      List<String> nonExprParams = new ArrayList<>();
      for (String param : legacyParams) {
        boolean keyConditionsAlone =
            param.equals("KeyConditions") && r.string("KeyConditionExpression") == null;
        if (r.has(param) && !keyConditionsAlone) {
          nonExprParams.add(param);
        }
      }
      if (!nonExprParams.isEmpty()) {
        throw DynamoException.validation(
            "Can not use both expression and non-expression parameters in the same request:"
                + " Non-expression parameters: {"
                + String.join(", ", nonExprParams)
                + "} Expression parameters: {"
                + String.join(", ", exprParams)
                + "}");
      }
    }
    if (names != null && exprParams.isEmpty()) {
      throw DynamoException.validation(
          "ExpressionAttributeNames can only be specified when using expressions");
    }
    List<String> valueExprs = new ArrayList<>(expressionParams);
    valueExprs.remove("ProjectionExpression");
    if (!valueExprs.isEmpty()
        && values != null
        && valueExprs.stream().allMatch(param -> r.string(param) == null)) {
      throw DynamoException.validation(
          "ExpressionAttributeValues can only be specified when using expressions: "
              + String.join(" and ", valueExprs)
              + (valueExprs.size() > 1 ? " are" : " is")
              + " null");
    }
    String updateExpression = r.string("UpdateExpression");
    String conditionExpression = r.string("ConditionExpression");
    String keyConditionExpression = r.string("KeyConditionExpression");
    String filterExpression = r.string("FilterExpression");
    String projectionExpression = r.string("ProjectionExpression");
    Placeholders placeholders = new Placeholders(names, values);
    if (updateExpression != null) {
      e.update = Parser.update(updateExpression, placeholders);
    }
    if (conditionExpression != null) {
      e.condition = Parser.condition(conditionExpression, Kind.CONDITION, placeholders);
    }
    if (keyConditionExpression != null) {
      e.keyCondition = Parser.condition(keyConditionExpression, Kind.KEY_CONDITION, placeholders);
    }
    if (filterExpression != null) {
      e.filter = Parser.condition(filterExpression, Kind.FILTER, placeholders);
    }
    if (projectionExpression != null) {
      e.projection = Parser.projection(projectionExpression, placeholders);
    }
    placeholders.checkAllUsed();
    String conditionalOperator = r.string("ConditionalOperator");
    if (conditionalOperator != null && !List.of("OR", "AND").contains(conditionalOperator)) {
      throw DynamoException.validation(
          "1 validation error detected: Value '"
              + conditionalOperator
              + "' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum"
              + " value set: [OR, AND]");
    }
    if (r.has("AttributeUpdates")) {
      checkAttributeUpdates(r.get("AttributeUpdates"));
    }
    if (r.has("Expected")) {
      e.condition = legacyConditions(r.get("Expected"), "Expected", conditionalOperator);
    }
    if (r.has("QueryFilter")) {
      e.filter = legacyConditions(r.get("QueryFilter"), "QueryFilter", conditionalOperator);
    }
    if (r.has("ScanFilter")) {
      e.filter = legacyConditions(r.get("ScanFilter"), "ScanFilter", conditionalOperator);
    }
    if (r.has("KeyConditions")) {
      e.keyCondition = legacyConditions(r.get("KeyConditions"), "KeyConditions", null);
    }
    if (r.has("AttributesToGet")) {
      e.projection = new ArrayList<>();
      Set<String> seen = new LinkedHashSet<>();
      for (JsonNode a : r.get("AttributesToGet")) {
        if (!seen.add(a.asText())) {
          throw DynamoException.validation(
              "One or more parameter values were invalid: Duplicate value in attribute name: "
                  + a.asText());
        }
        e.projection.add(Path.of(a.asText()));
      }
    }
    if (r.has("AttributeUpdates")) {
      e.attributeUpdates = r.get("AttributeUpdates");
    }
    return e;
  }

  private static final List<String> COMPARISON_OPERATORS =
      List.of(
          "IN",
          "NULL",
          "BETWEEN",
          "LT",
          "NOT_CONTAINS",
          "EQ",
          "GT",
          "NOT_NULL",
          "NE",
          "LE",
          "BEGINS_WITH",
          "GE",
          "CONTAINS");

  /** The value types each legacy ComparisonOperator accepts in a filter or key condition. */
  private static final Map<String, List<String>> OPERAND_TYPES =
      Map.ofEntries(
          Map.entry("EQ", List.of("S", "N", "B", "SS", "NS", "BS")),
          Map.entry("NE", List.of("S", "N", "B", "SS", "NS", "BS")),
          Map.entry("LE", List.of("S", "N", "B")),
          Map.entry("LT", List.of("S", "N", "B")),
          Map.entry("GE", List.of("S", "N", "B")),
          Map.entry("GT", List.of("S", "N", "B")),
          Map.entry("CONTAINS", List.of("S", "N", "B")),
          Map.entry("NOT_CONTAINS", List.of("S", "N", "B")),
          Map.entry("BEGINS_WITH", List.of("S", "B")),
          Map.entry("IN", List.of("S", "N", "B")),
          Map.entry("BETWEEN", List.of("S", "N", "B")));

  /** Key conditions a Query cannot serve from the key order. */
  private static final Set<String> NOT_INDEXABLE =
      Set.of("NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN");

  private static final String INVALID = "One or more parameter values were invalid: ";

  /**
   * Checks AttributeUpdates before anything is read, in DynamoDB's order: a missing Value only for
   * DELETE, DELETE with a value only for sets, ADD only for numbers, sets and lists.
   */
  private static void checkAttributeUpdates(JsonNode updates) {
    Iterator<Map.Entry<String, JsonNode>> it = updates.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String action = Request.string(e.getValue(), "Action");
      if (action != null && !List.of("ADD", "PUT", "DELETE").contains(action)) {
        throw DynamoException.validation(
            "1 validation error detected: Value '"
                + action
                + "' at 'attributeUpdates."
                + e.getKey()
                + ".member.action' failed to satisfy constraint: Member must satisfy enum value"
                + " set: [ADD, PUT, DELETE]");
      }
      JsonNode valueNode = e.getValue().get("Value");
      Value value = valueNode == null || valueNode.isNull() ? null : ValueCodec.value(valueNode);
      if (value == null && !"DELETE".equals(action)) {
        throw DynamoException.validation(
            INVALID + "Only DELETE action is allowed when no attribute value is specified");
      }
      if (value != null
          && "DELETE".equals(action)
          && !List.of("SS", "NS", "BS").contains(value.type())) {
        throw DynamoException.validation(
            INVALID + "DELETE action with value is not supported for the type " + value.type());
      }
      if (value != null
          && "ADD".equals(action)
          && !List.of("L", "SS", "NS", "BS", "N").contains(value.type())) {
        throw DynamoException.validation(
            INVALID + "ADD action is not supported for the type " + value.type());
      }
    }
  }

  /**
   * Translates Expected / QueryFilter / ScanFilter / KeyConditions ({@code parameter}) into one
   * condition, after DynamoDB's checks of the parameter: operator names first, then each
   * attribute's operator, operands and types.
   */
  private static Condition legacyConditions(JsonNode map, String parameter, String operator) {
    boolean expected = parameter.equals("Expected");
    String path = Character.toLowerCase(parameter.charAt(0)) + parameter.substring(1);
    Iterator<Map.Entry<String, JsonNode>> names = map.fields();
    while (names.hasNext()) {
      Map.Entry<String, JsonNode> e = names.next();
      String op = Request.string(e.getValue(), "ComparisonOperator");
      String at = path + "." + e.getKey() + ".member.comparisonOperator";
      if (op == null && !expected) {
        throw DynamoException.validation(
            "1 validation error detected: Value null at '"
                + at
                + "' failed to satisfy constraint: Member must not be null");
      }
      if (op != null && !COMPARISON_OPERATORS.contains(op)) {
        throw DynamoException.validation(
            "1 validation error detected: Value '"
                + op
                + "' at '"
                + at
                + "' failed to satisfy constraint: Member must satisfy enum value set: "
                + COMPARISON_OPERATORS);
      }
    }
    Condition result = null;
    Iterator<Map.Entry<String, JsonNode>> it = map.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (expected) {
        checkExpected(e.getKey(), e.getValue());
      } else {
        checkCondition(e.getValue(), parameter.equals("KeyConditions"));
      }
    }
    it = map.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Condition c = legacyCondition(e.getKey(), e.getValue());
      if (result == null) {
        result = c;
      } else if ("OR".equals(operator)) {
        result = new Condition.Or(result, c);
      } else {
        result = new Condition.And(result, c);
      }
    }
    return result;
  }

  private static List<Value> operands(JsonNode spec) {
    List<Value> values = new ArrayList<>();
    JsonNode list = spec.get("AttributeValueList");
    if (list != null) {
      list.forEach(v -> values.add(ValueCodec.value(v)));
    } else if (spec.hasNonNull("Value")) {
      values.add(ValueCodec.value(spec.get("Value")));
    }
    return values;
  }

  private static void checkExpected(String attribute, JsonNode spec) {
    if (spec.has("AttributeValueList") && spec.has("Value")) {
      throw DynamoException.validation(
          INVALID
              + "Value and AttributeValueList cannot be used together for Attribute: "
              + attribute);
    }
    String op = Request.string(spec, "ComparisonOperator");
    if (op != null) {
      if (spec.has("Exists")) {
        throw DynamoException.validation(
            INVALID
                + "Exists and ComparisonOperator cannot be used together for Attribute: "
                + attribute);
      }
      if (!op.equals("NULL")
          && !op.equals("NOT_NULL")
          && !spec.has("AttributeValueList")
          && !spec.has("Value")) {
        throw DynamoException.validation(
            INVALID
                + "Value or AttributeValueList must be used with ComparisonOperator: "
                + op
                + " for Attribute: "
                + attribute);
      }
      checkOperands(op, operands(spec), false);
    } else if (spec.has("AttributeValueList")) {
      throw DynamoException.validation(
          INVALID
              + "AttributeValueList can only be used with a ComparisonOperator for Attribute: "
              + attribute);
    } else {
      JsonNode exists = spec.get("Exists");
      boolean mustExist = exists == null || exists.isNull() || exists.asBoolean();
      if (mustExist && !spec.hasNonNull("Value")) {
        throw DynamoException.validation(
            INVALID
                + "Value must be provided when Exists is "
                + (exists == null || exists.isNull() ? "null" : "true")
                + " for Attribute: "
                + attribute);
      }
      if (!mustExist && spec.hasNonNull("Value")) {
        throw DynamoException.validation(
            INVALID + "Value cannot be used when Exists is false for Attribute: " + attribute);
      }
    }
  }

  private static void checkCondition(JsonNode spec, boolean keyCondition) {
    String op = Request.string(spec, "ComparisonOperator");
    checkOperands(op, operands(spec), true);
    if (keyCondition && NOT_INDEXABLE.contains(op)) {
      throw DynamoException.validation(
          "Attempted conditional constraint is not an indexable operation");
    }
  }

  /** The number, the sameness and (for filters) the types of an operator's operands. */
  private static void checkOperands(String op, List<Value> values, boolean checkTypes) {
    int n = values.size();
    boolean countOk =
        switch (op) {
          case "NULL", "NOT_NULL" -> n == 0;
          case "IN" -> n > 0;
          case "BETWEEN" -> n == 2;
          default -> n == 1;
        };
    if (!countOk) {
      throw argCount(op);
    }
    if (values.stream().map(Value::type).distinct().count() > 1) {
      throw DynamoException.validation(
          INVALID + "AttributeValues inside AttributeValueList must be of same type");
    }
    if (checkTypes) {
      for (Value v : values) {
        if (!OPERAND_TYPES.getOrDefault(op, List.of()).contains(v.type())) {
          throw DynamoException.validation(
              INVALID
                  + "ComparisonOperator "
                  + op
                  + " is not valid for "
                  + v.type()
                  + " AttributeValue type");
        }
      }
    }
    if (op.equals("BETWEEN") && Evaluator.compare(">", values.get(0), values.get(1))) {
      throw DynamoException.validation(
          "The BETWEEN condition was provided a range where the lower bound is greater than the"
              + " upper bound");
    }
  }

  private static Condition legacyCondition(String attribute, JsonNode spec) {
    Operand.PathRef path = new Operand.PathRef(Path.of(attribute));
    String op = Request.string(spec, "ComparisonOperator");
    List<Operand> args = new ArrayList<>();
    for (Value v : operands(spec)) {
      args.add(new Operand.Literal(":legacy", v));
    }
    if (op == null) {
      JsonNode exists = spec.get("Exists");
      if (exists != null && !exists.isNull() && !exists.asBoolean()) {
        return new Condition.Function("attribute_not_exists", List.of(path));
      }
      return new Condition.Compare("=", path, args.get(0));
    }
    return switch (op) {
      case "EQ" -> compare("=", path, args, op);
      case "NE" -> compare("<>", path, args, op);
      case "LE" -> compare("<=", path, args, op);
      case "LT" -> compare("<", path, args, op);
      case "GE" -> compare(">=", path, args, op);
      case "GT" -> compare(">", path, args, op);
      case "NOT_NULL" -> new Condition.Function("attribute_exists", List.of(path));
      case "NULL" -> new Condition.Function("attribute_not_exists", List.of(path));
      case "CONTAINS" -> new Condition.Function("contains", List.of(path, one(args, op)));
      case "NOT_CONTAINS" ->
          new Condition.Not(new Condition.Function("contains", List.of(path, one(args, op))));
      case "BEGINS_WITH" -> new Condition.Function("begins_with", List.of(path, one(args, op)));
      case "IN" -> new Condition.In(path, args);
      default -> new Condition.Between(path, args.get(0), args.get(1));
    };
  }

  private static Condition compare(
      String op, Operand.PathRef path, List<Operand> args, String name) {
    return new Condition.Compare(op, path, one(args, name));
  }

  private static Operand one(List<Operand> args, String op) {
    if (args.size() != 1) {
      throw argCount(op);
    }
    return args.get(0);
  }

  private static DynamoException argCount(String op) {
    return DynamoException.validation(
        "One or more parameter values were invalid: Invalid number of argument(s) for the "
            + op
            + " ComparisonOperator");
  }
}
