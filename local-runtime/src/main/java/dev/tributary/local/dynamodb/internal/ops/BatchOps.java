package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.capacity.Capacity;
import dev.tributary.local.dynamodb.internal.expr.Projector;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BatchGetItem (at most 100 keys; past 16 MB of response the rest come back as UnprocessedKeys) and
 * BatchWriteItem (at most 25 requests; each one atomic on its own).
 */
final class BatchOps {
  private static final long MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

  private BatchOps() {}

  /** A batch's {@code RequestItems} (at least one table), its violation noted on {@code r}. */
  private static JsonNode requestItems(Request r) {
    JsonNode requestItems = r.get("RequestItems");
    if (requestItems == null || requestItems.size() == 0) {
      r.violation(
          requestItems == null ? null : "{}",
          "requestItems",
          requestItems == null
              ? "Member must not be null"
              : "Member must have length greater than or equal to 1");
    }
    return requestItems;
  }

  static JsonNode batchGetItem(Context ctx, Request r) {
    JsonNode requestItems = requestItems(r);
    String capacityMode = Items.capacityMode(r);
    r.checkViolations();
    record TableRequest(
        String table,
        List<Map<String, Value>> keys,
        Expressions expressions,
        boolean consistent,
        JsonNode raw) {}
    List<TableRequest> tables = new ArrayList<>();
    int total = 0;
    Iterator<Map.Entry<String, JsonNode>> it = requestItems.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      Request tr = new Request("BatchGetItem", (ObjectNode) e.getValue());
      JsonNode keysNode = tr.get("Keys");
      String keysPath = "requestItems." + e.getKey() + ".member.keys";
      if (keysNode == null) {
        throw DynamoException.validation(
            "1 validation error detected: Value null at '"
                + keysPath
                + "' failed to satisfy constraint: Member must not be null");
      }
      if (keysNode.size() < 1 || keysNode.size() > 100) {
        throw DynamoException.validation(
            "1 validation error detected: Value '"
                + Request.valueString(keysNode)
                + "' at '"
                + keysPath
                + "' failed to satisfy constraint: Member must have length "
                + (keysNode.size() < 1
                    ? "greater than or equal to 1"
                    : "less than or equal to 100"));
      }
      List<Map<String, Value>> keys = new ArrayList<>();
      Set<Map<String, Value>> seen = new HashSet<>();
      for (JsonNode k : keysNode) {
        Map<String, Value> key = ValueCodec.item(k);
        if (!seen.add(key)) {
          throw DynamoException.validation("Provided list of item keys contains duplicates");
        }
        keys.add(key);
      }
      total += keys.size();
      tables.add(
          new TableRequest(
              e.getKey(),
              keys,
              Expressions.parse(tr, Expressions.GET, Expressions.GET_LEGACY),
              tr.bool("ConsistentRead", false),
              e.getValue()));
    }
    if (total > 100) {
      throw DynamoException.validation("Too many items requested for the BatchGetItem call");
    }
    ctx.database().lock().readLock().lock();
    try {
      ObjectNode out = Json.object();
      ObjectNode responses = out.putObject("Responses");
      ObjectNode unprocessed = out.putObject("UnprocessedKeys");
      ArrayNode consumed = Json.array();
      long bytes = 0;
      for (TableRequest t : tables) {
        Table table = Items.table(ctx, t.table());
        for (Map<String, Value> key : t.keys()) {
          Items.validateKey(table.schema(), key);
        }
        ArrayNode found = responses.putArray(t.table());
        Capacity capacity = new Capacity(t.table(), true);
        List<Map<String, Value>> rest = new ArrayList<>();
        for (Map<String, Value> key : t.keys()) {
          Map<String, Value> item = table.get(key);
          if (item == null) {
            capacity.addTable(Capacity.readUnits(null, t.consistent()));
            continue;
          }
          Map<String, Value> shown =
              t.expressions().projection == null
                  ? item
                  : Projector.project(item, t.expressions().projection);
          long size = ItemSize.of(shown);
          if (bytes + size > MAX_RESPONSE_BYTES) {
            rest.add(key);
            continue;
          }
          bytes += size;
          capacity.addTable(Capacity.readUnits(item, t.consistent()));
          found.add(ValueCodec.write(shown));
        }
        if (!rest.isEmpty()) {
          ObjectNode again = ((ObjectNode) t.raw()).deepCopy();
          ArrayNode keys = again.putArray("Keys");
          rest.forEach(k -> keys.add(ValueCodec.write(k)));
          unprocessed.set(t.table(), again);
        }
        ObjectNode c = capacity.render(capacityMode);
        if (c != null) {
          consumed.add(c);
        }
      }
      if (!consumed.isEmpty()) {
        out.set("ConsumedCapacity", consumed);
      }
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  static JsonNode batchWriteItem(Context ctx, Request r) {
    JsonNode requestItems = requestItems(r);
    String capacityMode = Items.capacityMode(r);
    r.checkViolations();
    Map<String, List<WriteSpec>> writes = new LinkedHashMap<>();
    int total = 0;
    Iterator<Map.Entry<String, JsonNode>> it = requestItems.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode list = e.getValue();
      if (!list.isArray() || list.size() < 1 || list.size() > 25) {
        throw DynamoException.validation(
            "1 validation error detected: Value '"
                + requestItems
                + "' at 'requestItems' failed to satisfy constraint: Map value must satisfy"
                + " constraint: [Member must have length less than or equal to 25, Member must have"
                + " length greater than or equal to 1]");
      }
      List<WriteSpec> specs = new ArrayList<>();
      for (JsonNode w : list) {
        JsonNode put = w.get("PutRequest");
        JsonNode delete = w.get("DeleteRequest");
        if ((put == null) == (delete == null)) {
          throw DynamoException.validation(
              "Supplied AttributeValue has more than one datatypes set, must contain exactly one of"
                  + " the supported datatypes");
        }
        ObjectNode body = ((ObjectNode) (put != null ? put : delete)).deepCopy();
        body.put("TableName", e.getKey());
        specs.add(
            WriteSpec.parse(
                put != null ? WriteSpec.Kind.PUT : WriteSpec.Kind.DELETE,
                new Request("BatchWriteItem", body),
                ""));
      }
      total += specs.size();
      writes.put(e.getKey(), specs);
    }
    if (total > 25) {
      throw DynamoException.validation("Too many items requested for the BatchWriteItem call");
    }
    ctx.database().lock().writeLock().lock();
    try {
      Map<String, List<WriteSpec.Plan>> plans = new LinkedHashMap<>();
      for (Map.Entry<String, List<WriteSpec>> e : writes.entrySet()) {
        Table table = Items.table(ctx, e.getKey());
        Set<Map<String, Value>> keys = new HashSet<>();
        List<WriteSpec.Plan> tablePlans = new ArrayList<>();
        for (WriteSpec spec : e.getValue()) {
          WriteSpec.Plan plan;
          try {
            plan = spec.plan(table);
          } catch (DynamoException ex) {
            String m = ex.getMessage();
            if (m.contains("Missing the key") || m.contains("Type mismatch for key")) {
              throw DynamoException.validation(
                  "The provided key element does not match the schema");
            }
            throw ex;
          }
          if (!keys.add(plan.key())) {
            throw DynamoException.validation("Provided list of item keys contains duplicates");
          }
          tablePlans.add(plan);
        }
        plans.put(e.getKey(), tablePlans);
      }
      ObjectNode out = Json.object();
      out.putObject("UnprocessedItems");
      ArrayNode consumed = Json.array();
      for (Map.Entry<String, List<WriteSpec.Plan>> e : plans.entrySet()) {
        Capacity capacity = new Capacity(e.getKey(), false);
        for (WriteSpec.Plan plan : e.getValue()) {
          capacity.add(WriteSpec.commit(plan));
        }
        ObjectNode c = capacity.render(capacityMode);
        if (c != null) {
          consumed.add(c);
        }
      }
      if (!consumed.isEmpty()) {
        out.set("ConsumedCapacity", consumed);
      }
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }
}
