package dev.tributary.local.dynamodb.internal.ops;

import dev.tributary.local.dynamodb.internal.expr.Condition;
import dev.tributary.local.dynamodb.internal.expr.Evaluator;
import dev.tributary.local.dynamodb.internal.expr.Operand;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.KeyAttribute;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key condition of a Query, split into the partition key value and the sort key predicate, with
 * DynamoDB's messages for conditions it cannot index.
 */
final class KeyConditions {
  /** One condition on one key attribute. */
  record KeyCondition(String op, List<Value> values) {
    boolean matches(Value v) {
      return switch (op) {
        case "=", "<", "<=", ">", ">=" -> Evaluator.compare(op, v, values.get(0));
        case "BETWEEN" ->
            Evaluator.compare(">=", v, values.get(0)) && Evaluator.compare("<=", v, values.get(1));
        case "begins_with" -> beginsWith(v, values.get(0));
        default -> false;
      };
    }
  }

  private static boolean beginsWith(Value v, Value prefix) {
    if (v instanceof Value.S s && prefix instanceof Value.S p) {
      return s.value().startsWith(p.value());
    }
    return v instanceof Value.B b && prefix instanceof Value.B p && b.value().startsWith(p.value());
  }

  final Value hash;
  final KeyCondition range;

  private KeyConditions(Value hash, KeyCondition range) {
    this.hash = hash;
    this.range = range;
  }

  private static final Map<String, String> FLIPPED =
      Map.of("=", "=", "<", ">", "<=", ">=", ">", "<", ">=", "<=");

  /**
   * Splits a key condition expression (or translated KeyConditions) into per-attribute conditions.
   */
  static Map<String, KeyCondition> split(Condition condition) {
    Map<String, KeyCondition> out = new LinkedHashMap<>();
    collect(condition, out);
    if (out.size() != 1 && out.size() != 2) {
      throw DynamoException.validation("Conditions can be of length 1 or 2 only");
    }
    return out;
  }

  private static void collect(Condition c, Map<String, KeyCondition> out) {
    if (c instanceof Condition.And and) {
      collect(and.left(), out);
      collect(and.right(), out);
      return;
    }
    if (c instanceof Condition.Or) {
      throw DynamoException.validation("Invalid operator used in KeyConditionExpression: OR");
    }
    if (c instanceof Condition.Not) {
      throw DynamoException.validation("Invalid operator used in KeyConditionExpression: NOT");
    }
    if (c instanceof Condition.In) {
      throw DynamoException.validation("Invalid operator used in KeyConditionExpression: IN");
    }
    List<Operand> args;
    String op;
    if (c instanceof Condition.Compare cmp) {
      if (cmp.op().equals("<>")) {
        throw DynamoException.validation("Invalid operator used in KeyConditionExpression: <>");
      }
      args = List.of(cmp.left(), cmp.right());
      op = cmp.op();
    } else if (c instanceof Condition.Between b) {
      if (!(b.value() instanceof Operand.PathRef)) {
        throw DynamoException.validation(
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key"
                + " attribute as its first operand");
      }
      args = List.of(b.value(), b.low(), b.high());
      op = "BETWEEN";
    } else {
      Condition.Function f = (Condition.Function) c;
      if (!f.name().equals("begins_with")) {
        throw DynamoException.validation(
            "Invalid operator used in KeyConditionExpression: " + f.name());
      }
      if (!(f.args().get(0) instanceof Operand.PathRef)) {
        throw DynamoException.validation(
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key"
                + " attribute as its first operand");
      }
      args = f.args();
      op = "begins_with";
    }
    String attribute = null;
    int position = 0;
    List<Value> values = new java.util.ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      Operand a = args.get(i);
      if (a instanceof Operand.PathRef ref) {
        if (attribute != null) {
          throw DynamoException.validation(
              "Invalid condition in KeyConditionExpression: Multiple attribute names used in one"
                  + " condition");
        }
        if (!ref.path().isTopLevel()) {
          throw DynamoException.validation(
              "KeyConditionExpressions cannot have conditions on nested attributes");
        }
        attribute = ref.path().head();
        position = i;
      } else if (a instanceof Operand.Size) {
        throw DynamoException.validation(
            "KeyConditionExpressions cannot contain nested operations");
      } else {
        values.add(((Operand.Literal) a).value());
      }
    }
    if (attribute == null) {
      throw DynamoException.validation(
          "Invalid condition in KeyConditionExpression: No key attribute specified");
    }
    if (out.containsKey(attribute)) {
      throw DynamoException.validation(
          "KeyConditionExpressions must only contain one condition per key");
    }
    if (position != 0) {
      op = FLIPPED.get(op);
    }
    out.put(attribute, new KeyCondition(op, values));
  }

  /** Matches the conditions with the (table or index) key schema. */
  static KeyConditions resolve(
      Map<String, KeyCondition> conditions, KeyAttribute hash, KeyAttribute range) {
    if (range == null && conditions.size() > 1) {
      throw DynamoException.validation("Query key condition not supported");
    }
    KeyCondition h = conditions.get(hash.name());
    if (h == null) {
      throw DynamoException.validation("Query condition missed key schema element: " + hash.name());
    }
    KeyCondition r = range == null ? null : conditions.get(range.name());
    if (conditions.size() == 2 && r == null) {
      throw DynamoException.validation(
          "Query condition missed key schema element: " + range.name());
    }
    for (Map.Entry<String, KeyCondition> e : conditions.entrySet()) {
      String type = e.getKey().equals(hash.name()) ? hash.type() : range.type();
      for (Value v : e.getValue().values()) {
        if (!v.type().equals(type)) {
          throw DynamoException.validation(
              "One or more parameter values were invalid: Condition parameter type does not match"
                  + " schema type");
        }
      }
    }
    if (!h.op().equals("=")) {
      throw DynamoException.validation("Query key condition not supported");
    }
    return new KeyConditions(h.values().get(0), r);
  }
}
