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
import dev.tributary.local.dynamodb.internal.wire.JsonDigest;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TransactWriteItems and TransactGetItems. A write transaction holds the database's write lock from
 * its first check to its last write, so it is atomic and serializable against every other request;
 * every action is checked before any is applied, and a cancellation reports one reason per action
 * in request order.
 */
final class TransactOps {
  private static final long MAX_BYTES = 4L * 1024 * 1024;

  private TransactOps() {}

  /** Thrown to cancel a transaction; the wire layer renders the reasons. */
  static final class Cancelled extends DynamoException {
    private static final long serialVersionUID = 1L;
    final transient List<Reason> reasons;

    Cancelled(List<Reason> reasons) {
      super(
          "TransactionCanceledException",
          400,
          "Transaction cancelled, please refer cancellation reasons for specific reasons "
              + reasons.stream().map(Reason::code).toList());
      this.reasons = reasons;
    }
  }

  /**
   * One action's outcome: Code None, ConditionalCheckFailed, TransactionConflict, ValidationError.
   */
  record Reason(String code, String message, Map<String, Value> item) {}

  /** Refuses a request that reuses {@code previous}'s token with other parameters. */
  private static void checkSameRequest(IdempotencyCache.Entry previous, JsonNode fingerprint) {
    if (!previous.request().equals(fingerprint)) {
      throw new DynamoException(
          "IdempotentParameterMismatchException",
          400,
          "Request with the same ClientRequestToken but different parameters was received");
    }
  }

  /**
   * The answer to a transaction whose token was already committed with the same request: nothing is
   * applied again, and, as DynamoDB documents, the consumed capacity (when asked for) is the read
   * units of reading the transaction's items (transactional, so twice a consistent read), not the
   * write units the first call answered.
   */
  private static JsonNode replayed(Context ctx, List<WriteSpec> specs, String capacityMode) {
    ObjectNode out = Json.object();
    if (capacityMode == null || capacityMode.equals("NONE")) {
      return out;
    }
    Map<String, Capacity> capacities = new LinkedHashMap<>();
    ctx.database().lock().readLock().lock();
    try {
      for (WriteSpec spec : specs) {
        Table table = Items.table(ctx, spec.tableName);
        Map<String, Value> item = table.get(spec.targetKey(table));
        capacities
            .computeIfAbsent(spec.tableName, t -> new Capacity(t, true))
            .addTable(2 * Capacity.readUnits(item, true));
      }
    } finally {
      ctx.database().lock().readLock().unlock();
    }
    Items.setConsumed(out, capacities.values(), capacityMode);
    return out;
  }

  /** A transaction's {@code TransactItems} (1 to 100), its violations noted on {@code r}. */
  private static JsonNode transactItems(Request r) {
    JsonNode items = r.get("TransactItems");
    if (items == null) {
      r.violation(null, "transactItems", "Member must not be null");
    } else if (items.size() < 1 || items.size() > 100) {
      r.violation(
          "[...]",
          "transactItems",
          items.size() < 1
              ? "Member must have length greater than or equal to 1"
              : "Member must have length less than or equal to 100");
    }
    return items;
  }

  static JsonNode transactWriteItems(Context ctx, Request r) {
    JsonNode items = transactItems(r);
    String capacityMode = Items.capacityMode(r);
    String token = r.string("ClientRequestToken");
    if (token != null && (token.isEmpty() || token.length() > 36)) {
      r.violation(
          token,
          "clientRequestToken",
          token.isEmpty()
              ? "Member must have length greater than or equal to 1"
              : "Member must have length less than or equal to 36");
    }
    r.checkViolations();
    List<WriteSpec> specs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode action = items.get(i);
      List<String> present = new ArrayList<>();
      action
          .fieldNames()
          .forEachRemaining(
              n -> {
                if (!action.get(n).isNull()) {
                  present.add(n);
                }
              });
      if (present.size() != 1) {
        throw DynamoException.validation(
            "TransactItems can only contain one of Check, Put, Update or Delete");
      }
      String type = present.get(0);
      WriteSpec.Kind kind =
          switch (type) {
            case "Put" -> WriteSpec.Kind.PUT;
            case "Update" -> WriteSpec.Kind.UPDATE;
            case "Delete" -> WriteSpec.Kind.DELETE;
            case "ConditionCheck" -> WriteSpec.Kind.CONDITION_CHECK;
            default ->
                throw DynamoException.validation(
                    "TransactItems can only contain one of Check, Put, Update or Delete");
          };
      specs.add(
          WriteSpec.parse(
              kind,
              new Request("TransactWriteItems", (ObjectNode) action.get(type)),
              "transactItems."
                  + (i + 1)
                  + ".member."
                  + Character.toLowerCase(type.charAt(0))
                  + type.substring(1)
                  + "."));
    }
    long now = ctx.clock().getAsLong();
    JsonNode fingerprint = fingerprint(r);
    if (token != null) {
      IdempotencyCache.Entry previous = ctx.tokens().get(token, now);
      if (previous != null) {
        checkSameRequest(previous, fingerprint);
        return replayed(ctx, specs, capacityMode);
      }
    }
    ctx.database().lock().writeLock().lock();
    try {
      // the same token may have been committed by a concurrent retry while we waited for the lock
      if (token != null) {
        IdempotencyCache.Entry previous = ctx.tokens().get(token, now);
        if (previous != null) {
          checkSameRequest(previous, fingerprint);
          return replayed(ctx, specs, capacityMode); // read lock within the write lock: allowed
        }
      }
      // two actions on one item refuse the whole request, whatever their conditions say
      Set<List<Object>> touched = new HashSet<>();
      List<Map<String, Value>> keys = new ArrayList<>(specs.size());
      for (WriteSpec spec : specs) {
        Table table = Items.table(ctx, spec.tableName);
        Map<String, Value> key;
        try {
          key = spec.targetKey(table);
        } catch (DynamoException invalid) {
          keys.add(null); // answered as this action's ValidationError below
          continue;
        }
        keys.add(key);
        if (!touched.add(List.of(spec.tableName, key))) {
          throw DynamoException.validation(
              "Transaction request cannot include multiple operations on one item");
        }
      }
      List<WriteSpec.Plan> plans = new ArrayList<>();
      List<Reason> reasons = new ArrayList<>();
      boolean failed = false;
      long bytes = 0;
      for (int i = 0; i < specs.size(); i++) {
        WriteSpec spec = specs.get(i);
        Table table = Items.table(ctx, spec.tableName);
        WriteSpec.Plan plan = null;
        Reason reason;
        try {
          plan = keys.get(i) == null ? spec.plan(table) : spec.plan(table, keys.get(i));
          if (ctx.hooks().conflicts(spec.tableName, plan.key())) {
            reason = new Reason("TransactionConflict", "Transaction is ongoing for the item", null);
          } else {
            reason = new Reason("None", null, null);
          }
          if (plan.next() != null && spec.kind != WriteSpec.Kind.CONDITION_CHECK) {
            bytes += ItemSize.of(plan.next());
          }
        } catch (DynamoException e) {
          if (e.type().equals("ConditionalCheckFailedException")) {
            reason = new Reason("ConditionalCheckFailed", e.getMessage(), e.item());
          } else if (e.type().equals("ValidationException")) {
            reason = new Reason("ValidationError", e.getMessage(), null);
          } else {
            throw e;
          }
        }
        failed |= !reason.code().equals("None");
        reasons.add(reason);
        plans.add(plan);
      }
      if (bytes > MAX_BYTES) {
        throw DynamoException.validation(
            "Transaction request size exceeds the maximum allowed size of 4 MB");
      }
      if (failed) {
        throw new Cancelled(reasons);
      }
      Map<String, Capacity> capacities = new LinkedHashMap<>();
      for (WriteSpec.Plan plan : plans) {
        Capacity c = WriteSpec.commit(plan).times(2);
        capacities.computeIfAbsent(plan.spec().tableName, t -> new Capacity(t, false)).add(c);
      }
      ObjectNode out = Json.object();
      Items.setConsumed(out, capacities.values(), capacityMode);
      if (token != null) {
        ctx.tokens().put(token, fingerprint, now);
      }
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  /**
   * The request without the parameters that do not make it a different request, as a digest: the
   * idempotency cache keeps one per token for 10 minutes, and whole request trees made transactions
   * bound by the garbage collector.
   */
  private static JsonNode fingerprint(Request r) {
    return JsonDigest.of(r.body(), Set.of("ReturnConsumedCapacity", "ReturnItemCollectionMetrics"));
  }

  static JsonNode transactGetItems(Context ctx, Request r) {
    JsonNode items = transactItems(r);
    String capacityMode = Items.capacityMode(r);
    r.checkViolations();
    record Get(String table, Map<String, Value> key, Expressions expressions) {}
    List<Get> gets = new ArrayList<>();
    for (JsonNode action : items) {
      JsonNode get = action.get("Get");
      if (get == null) {
        throw DynamoException.validation("TransactItems can only contain Get");
      }
      Request gr = new Request("TransactGetItems", (ObjectNode) get);
      String table = gr.tableName("TableName", "transactItems.member.get.tableName");
      gr.checkViolations();
      gets.add(new Get(table, gr.item("Key"), Expressions.parse(gr, Expressions.GET, List.of())));
    }
    ctx.database().lock().readLock().lock();
    try {
      Set<List<Object>> touched = new HashSet<>();
      ObjectNode out = Json.object();
      ArrayNode responses = out.putArray("Responses");
      Map<String, Capacity> capacities = new LinkedHashMap<>();
      long bytes = 0;
      for (Get g : gets) {
        Table table = Items.table(ctx, g.table());
        Items.validateKey(table.schema(), g.key());
        if (!touched.add(List.of(g.table(), g.key()))) {
          throw DynamoException.validation(
              "Transaction request cannot include multiple operations on one item");
        }
        Map<String, Value> item = table.get(g.key());
        ObjectNode response = responses.addObject();
        if (item != null) {
          Map<String, Value> shown =
              g.expressions().projection == null
                  ? item
                  : Projector.project(item, g.expressions().projection);
          bytes += ItemSize.of(shown);
          response.set("Item", ValueCodec.write(shown));
        }
        capacities
            .computeIfAbsent(g.table(), t -> new Capacity(t, true))
            .addTable(2 * Capacity.readUnits(item, true));
      }
      if (bytes > MAX_BYTES) {
        throw DynamoException.validation(
            "Transaction request size exceeds the maximum allowed size of 4 MB");
      }
      Items.setConsumed(out, capacities.values(), capacityMode);
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }
}
