package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.capacity.Capacity;
import dev.tributary.local.dynamodb.internal.expr.Evaluator;
import dev.tributary.local.dynamodb.internal.expr.Path;
import dev.tributary.local.dynamodb.internal.expr.Projector;
import dev.tributary.local.dynamodb.internal.expr.Updater;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.IndexSchema;
import dev.tributary.local.dynamodb.internal.storage.IndexWrite;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.storage.WriteResult;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parsed write: PutItem, UpdateItem, DeleteItem, or a transaction's Put, Update, Delete or
 * ConditionCheck. Parsing validates everything that does not need the stored item; {@link #plan}
 * then checks the condition against the stored item and computes the new one; {@link #commit}
 * stores it. Single writes do both under the write lock; transactions plan every action before
 * committing any.
 */
final class WriteSpec {
  enum Kind {
    PUT,
    UPDATE,
    DELETE,
    CONDITION_CHECK
  }

  final Kind kind;
  final String tableName;
  final Map<String, Value> key;
  final Map<String, Value> item;
  final Expressions expressions;
  final String returnValues;
  final boolean returnOldOnFailure;

  private WriteSpec(
      Kind kind,
      String tableName,
      Map<String, Value> key,
      Map<String, Value> item,
      Expressions expressions,
      String returnValues,
      boolean returnOldOnFailure) {
    this.kind = kind;
    this.tableName = tableName;
    this.key = key;
    this.item = item;
    this.expressions = expressions;
    this.returnValues = returnValues;
    this.returnOldOnFailure = returnOldOnFailure;
  }

  static WriteSpec parse(Kind kind, Request r, String pathPrefix) {
    String tableName = r.tableName("TableName", pathPrefix + "tableName");
    Map<String, Value> key = null;
    Map<String, Value> item = null;
    if (kind == Kind.PUT) {
      if (!r.has("Item")) {
        r.violation(null, pathPrefix + "item", "Member must not be null");
      }
    } else if (!r.has("Key")) {
      r.violation(null, pathPrefix + "key", "Member must not be null");
    }
    String returnValues =
        r.enumValue(
            "ReturnValues",
            pathPrefix + "returnValues",
            List.of("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"));
    String onFailure =
        r.enumValue(
            "ReturnValuesOnConditionCheckFailure",
            pathPrefix + "returnValuesOnConditionCheckFailure",
            List.of("ALL_OLD", "NONE"));
    if (kind == Kind.UPDATE
        && r.string("UpdateExpression") == null
        && !r.has("AttributeUpdates")
        && pathPrefix.startsWith("transact")) {
      r.violation(null, pathPrefix + "updateExpression", "Member must not be null");
    }
    if (kind == Kind.CONDITION_CHECK && r.string("ConditionExpression") == null) {
      r.violation(null, pathPrefix + "conditionExpression", "Member must not be null");
    }
    r.checkViolations();
    if (kind == Kind.PUT) {
      item = r.item("Item");
    } else {
      key = r.item("Key");
    }
    if (returnValues != null
        && !returnValues.equals("NONE")
        && (kind == Kind.PUT || kind == Kind.DELETE)
        && !returnValues.equals("ALL_OLD")) {
      throw DynamoException.validation("ReturnValues can only be ALL_OLD or NONE");
    }
    List<String> expressions = kind == Kind.UPDATE ? Expressions.UPDATE : Expressions.WRITE;
    List<String> legacy =
        kind == Kind.UPDATE ? Expressions.UPDATE_LEGACY : Expressions.WRITE_LEGACY;
    Expressions parsed = Expressions.parse(r, expressions, legacy);
    return new WriteSpec(
        kind, tableName, key, item, parsed, returnValues, "ALL_OLD".equals(onFailure));
  }

  /** The outcome of planning: the stored item and what replaces it (null to delete). */
  record Plan(
      WriteSpec spec,
      Table table,
      Map<String, Value> key,
      Map<String, Value> old,
      Map<String, Value> next) {}

  /** The key of the item this write targets, validated against the table. */
  Map<String, Value> targetKey(Table table) {
    if (kind == Kind.PUT) {
      Items.validateItem(table.schema(), item, "Item size has exceeded the maximum allowed size");
      return Items.keyOf(table.schema(), item);
    }
    Items.validateKey(table.schema(), key);
    return key;
  }

  /** Validates against the table, checks the condition and computes the new item. */
  Plan plan(Table table) {
    return plan(table, targetKey(table));
  }

  /** The same for the key {@link #targetKey} answered (the write validated already). */
  Plan plan(Table table, Map<String, Value> k) {
    if (kind == Kind.UPDATE) {
      if (expressions.update != null) {
        Items.checkUpdatePaths(table.schema(), Updater.paths(expressions.update));
        checkIndexTypes(table);
      }
    }
    Map<String, Value> old = table.get(k);
    if (expressions.condition != null
        && !Evaluator.matches(expressions.condition, old == null ? Map.of() : old)) {
      throw DynamoException.conditionFailed(returnOldOnFailure ? old : null);
    }
    Map<String, Value> next;
    switch (kind) {
      case PUT -> next = item;
      case DELETE -> next = null;
      case CONDITION_CHECK -> next = old;
      default -> {
        Map<String, Value> base = old == null ? new LinkedHashMap<>(k) : old;
        if (expressions.update != null) {
          next = Updater.apply(expressions.update, base);
        } else if (expressions.attributeUpdates != null) {
          next = Items.applyAttributeUpdates(table.schema(), expressions.attributeUpdates, base);
        } else {
          next = base;
        }
        Items.validateItem(
            table.schema(), next, "Item size to update has exceeded the maximum allowed size");
      }
    }
    return new Plan(this, table, k, old, next);
  }

  private void checkIndexTypes(Table table) {
    for (var set : expressions.update.sets()) {
      if (!set.path().isTopLevel()
          || !(set.value()
              instanceof dev.tributary.local.dynamodb.internal.expr.Operand.Literal lit)
          || lit.value() == null) {
        continue;
      }
      for (IndexSchema index : table.schema().indexes()) {
        for (var keyAttr : index.keys()) {
          if (keyAttr.name().equals(set.path().head())
              && !keyAttr.type().equals(lit.value().type())) {
            throw DynamoException.validation(
                "One or more parameter values were invalid: Type mismatch for Index Key "
                    + keyAttr.name()
                    + " Expected: "
                    + keyAttr.type()
                    + " Actual: "
                    + lit.value().type()
                    + " IndexName: "
                    + index.name());
          }
        }
      }
    }
  }

  /** Stores a plan's outcome; returns the write capacity it consumed (untimed by transactions). */
  static Capacity commit(Plan plan) {
    Capacity capacity = new Capacity(plan.table().schema().name(), false);
    if (plan.spec().kind == Kind.CONDITION_CHECK) {
      return capacity.addTable(Capacity.writeUnits(plan.old()));
    }
    WriteResult result =
        plan.next() == null ? plan.table().delete(plan.key()) : plan.table().put(plan.next());
    capacity.addTable(
        plan.next() == null
            ? Capacity.writeUnits(result.old())
            : Capacity.writeUnits(result.old(), plan.next()));
    for (Map.Entry<String, IndexWrite> e : result.indexWrites().entrySet()) {
      if (e.getValue().units() > 0) {
        IndexSchema index = plan.table().schema().index(e.getKey());
        capacity.addIndex(e.getKey(), index.global(), e.getValue().units());
      }
    }
    return capacity;
  }

  /** The response Attributes for ReturnValues, or null. */
  ObjectNode returnedAttributes(Plan plan) {
    if (returnValues == null || returnValues.equals("NONE")) {
      return null;
    }
    Map<String, Value> old = plan.old();
    Map<String, Value> next = plan.next();
    Map<String, Value> result =
        switch (returnValues) {
          case "ALL_OLD" -> old;
          case "ALL_NEW" -> next;
          case "UPDATED_OLD" -> old == null ? null : Projector.project(old, updatedPaths());
          case "UPDATED_NEW" -> next == null ? null : Projector.project(next, updatedPaths());
          default -> null;
        };
    return result == null || result.isEmpty() ? null : ValueCodec.write(result);
  }

  private List<Path> updatedPaths() {
    if (expressions.update != null) {
      return Updater.paths(expressions.update);
    }
    List<Path> paths = new ArrayList<>();
    if (expressions.attributeUpdates != null) {
      expressions.attributeUpdates.fieldNames().forEachRemaining(n -> paths.add(Path.of(n)));
    }
    return paths;
  }
}
