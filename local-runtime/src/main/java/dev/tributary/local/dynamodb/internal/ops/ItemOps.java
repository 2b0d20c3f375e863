package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.capacity.Capacity;
import dev.tributary.local.dynamodb.internal.expr.Projector;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.List;
import java.util.Map;

/** GetItem, PutItem, UpdateItem and DeleteItem. */
final class ItemOps {

  private ItemOps() {}

  static JsonNode getItem(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    if (!r.has("Key")) {
      r.violation(null, "key", "Member must not be null");
    }
    String capacityMode = Items.capacityMode(r);
    r.checkViolations();
    Map<String, Value> key = r.item("Key");
    Expressions expressions = Expressions.parse(r, Expressions.GET, Expressions.GET_LEGACY);
    boolean consistent = r.bool("ConsistentRead", false);
    ctx.database().lock().readLock().lock();
    try {
      Table table = Items.table(ctx, name);
      Items.validateKey(table.schema(), key);
      Map<String, Value> item = table.get(key);
      ObjectNode out = Json.object();
      if (item != null) {
        Map<String, Value> shown =
            expressions.projection == null ? item : Projector.project(item, expressions.projection);
        out.set("Item", ValueCodec.write(shown));
      }
      ObjectNode consumed =
          new Capacity(name, true)
              .addTable(Capacity.readUnits(item, consistent))
              .render(capacityMode);
      if (consumed != null) {
        out.set("ConsumedCapacity", consumed);
      }
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  static JsonNode putItem(Context ctx, Request r) {
    return write(ctx, r, WriteSpec.Kind.PUT);
  }

  static JsonNode updateItem(Context ctx, Request r) {
    return write(ctx, r, WriteSpec.Kind.UPDATE);
  }

  static JsonNode deleteItem(Context ctx, Request r) {
    return write(ctx, r, WriteSpec.Kind.DELETE);
  }

  private static JsonNode write(Context ctx, Request r, WriteSpec.Kind kind) {
    String capacityMode = Items.capacityMode(r);
    r.enumValue(
        "ReturnItemCollectionMetrics", "returnItemCollectionMetrics", List.of("SIZE", "NONE"));
    WriteSpec spec = WriteSpec.parse(kind, r, "");
    ctx.database().lock().writeLock().lock();
    try {
      Table table = Items.table(ctx, spec.tableName);
      WriteSpec.Plan plan = spec.plan(table);
      Capacity capacity = WriteSpec.commit(plan);
      ObjectNode out = Json.object();
      ObjectNode attributes = spec.returnedAttributes(plan);
      if (attributes != null) {
        out.set("Attributes", attributes);
      }
      ObjectNode consumed = capacity.render(capacityMode);
      if (consumed != null) {
        out.set("ConsumedCapacity", consumed);
      }
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }
}
