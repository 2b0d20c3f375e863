package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.local.dynamodb.internal.expr.Condition;
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

/**
 * The expressions of one request, parsed once: condition, update, key condition, filter and
 * projection, from the expression parameters or from their legacy counterparts (Expected,
 * AttributeUpdates, KeyConditions, QueryFilter/ScanFilter, AttributesToGet), which become the same
 * syntax trees. Legacy AttributeUpdates keep their own semantics and are kept apart.
 */
final class Expressions {
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
        if (!key.matches("#[0-9a-zA-Z_]+")) {
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
        if (!v.getKey().matches(":[0-9a-zA-Z_]+")) {
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
    if (r.has("Expected")) {
      e.condition = legacyConditions(r.get("Expected"), r.string("ConditionalOperator"), true);
    }
    if (r.has("QueryFilter")) {
      e.filter = legacyConditions(r.get("QueryFilter"), r.string("ConditionalOperator"), false);
    }
    if (r.has("ScanFilter")) {
      e.filter = legacyConditions(r.get("ScanFilter"), r.string("ConditionalOperator"), false);
    }
    if (r.has("KeyConditions")) {
      e.keyCondition = legacyConditions(r.get("KeyConditions"), null, false);
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

  /** Translates Expected / QueryFilter / ScanFilter / KeyConditions into one condition. */
  private static Condition legacyConditions(JsonNode map, String operator, boolean expected) {
    Condition result = null;
    Iterator<Map.Entry<String, JsonNode>> it = map.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Condition c = legacyCondition(e.getKey(), e.getValue(), expected);
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

  private static Condition legacyCondition(String attribute, JsonNode spec, boolean expected) {
    Operand.PathRef path = new Operand.PathRef(Path.of(attribute));
    String op = Request.string(spec, "ComparisonOperator");
    List<Operand> args = new ArrayList<>();
    JsonNode list = spec.get("AttributeValueList");
    if (list != null) {
      for (JsonNode v : list) {
        args.add(new Operand.Literal(":legacy", ValueCodec.value(v)));
      }
    }
    if (op == null) {
      if (!expected) {
        throw DynamoException.validation(
            "One or more parameter values were invalid: ComparisonOperator must be specified");
      }
      JsonNode exists = spec.get("Exists");
      JsonNode value = spec.get("Value");
      if (exists != null && !exists.asBoolean()) {
        if (value != null) {
          throw DynamoException.validation(
              "One or more parameter values were invalid: Value cannot be used when Exists is"
                  + " false for Attribute: "
                  + attribute);
        }
        return new Condition.Function("attribute_not_exists", List.of(path));
      }
      if (value == null) {
        throw DynamoException.validation(
            "One or more parameter values were invalid: Value must be provided when Exists is true"
                + " for Attribute: "
                + attribute);
      }
      return new Condition.Compare(
          "=", path, new Operand.Literal(":legacy", ValueCodec.value(value)));
    }
    if (spec.has("Value") && args.isEmpty()) {
      args.add(new Operand.Literal(":legacy", ValueCodec.value(spec.get("Value"))));
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
      case "BETWEEN" -> {
        if (args.size() != 2) {
          throw argCount(op);
        }
        yield new Condition.Between(path, args.get(0), args.get(1));
      }
      default ->
          throw DynamoException.validation(
              "1 validation error detected: Value '"
                  + op
                  + "' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy"
                  + " enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE,"
                  + " LE, BEGINS_WITH, GE, CONTAINS]");
    };
  }

  private static Condition compare(String op, Operand.PathRef path, List<Operand> args, String name) {
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
