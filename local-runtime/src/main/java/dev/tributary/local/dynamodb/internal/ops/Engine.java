package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/** Dispatches DynamoDB operations by name and renders their errors. */
public final class Engine {
  private static final Map<String, BiFunction<Context, Request, JsonNode>> OPERATIONS =
      Map.ofEntries(
          Map.entry("CreateTable", TableOps::createTable),
          Map.entry("DescribeTable", TableOps::describeTable),
          Map.entry("ListTables", TableOps::listTables),
          Map.entry("DeleteTable", TableOps::deleteTable),
          Map.entry("UpdateTable", TableOps::updateTable),
          Map.entry("UpdateTimeToLive", TableOps::updateTimeToLive),
          Map.entry("DescribeTimeToLive", TableOps::describeTimeToLive),
          Map.entry("TagResource", TableOps::tagResource),
          Map.entry("UntagResource", TableOps::untagResource),
          Map.entry("ListTagsOfResource", TableOps::listTagsOfResource),
          Map.entry("DescribeContinuousBackups", TableOps::describeContinuousBackups),
          Map.entry("UpdateContinuousBackups", TableOps::updateContinuousBackups),
          Map.entry("GetItem", ItemOps::getItem),
          Map.entry("PutItem", ItemOps::putItem),
          Map.entry("UpdateItem", ItemOps::updateItem),
          Map.entry("DeleteItem", ItemOps::deleteItem),
          Map.entry("Query", QueryScanOps::query),
          Map.entry("Scan", QueryScanOps::scan),
          Map.entry("BatchGetItem", BatchOps::batchGetItem),
          Map.entry("BatchWriteItem", BatchOps::batchWriteItem),
          Map.entry("TransactWriteItems", TransactOps::transactWriteItems),
          Map.entry("TransactGetItems", TransactOps::transactGetItems));

  private static final Set<String> WRITES =
      Set.of(
          "PutItem",
          "UpdateItem",
          "DeleteItem",
          "BatchWriteItem",
          "TransactWriteItems",
          "CreateTable",
          "DeleteTable",
          "UpdateTable",
          "UpdateTimeToLive",
          "UpdateContinuousBackups",
          "TagResource",
          "UntagResource");

  private final Context context;
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

  /** An engine over {@code context}. */
  public Engine(Context context) {
    this.context = context;
  }

  /** The shared context. */
  public Context context() {
    return context;
  }

  /** The operations this endpoint serves. */
  public static Set<String> operations() {
    return OPERATIONS.keySet();
  }

  /** Whether an operation changes data (persistence and fault injection care). */
  public static boolean isWrite(String operation) {
    return WRITES.contains(operation);
  }

  /** Runs an operation. */
  public JsonNode execute(String operation, ObjectNode body) {
    BiFunction<Context, Request, JsonNode> op = OPERATIONS.get(operation);
    if (op == null) {
      throw new DynamoException(
          "UnknownOperationException", 400, "Unknown operation: " + operation);
    }
    calls.computeIfAbsent(operation, k -> new LongAdder()).increment();
    return op.apply(context, new Request(operation, body));
  }

  /** How many times each operation was called (errors included), by operation name. */
  public Map<String, Long> operationCounts() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((op, n) -> out.put(op, n.sum()));
    return out;
  }

  /** The JSON body of an error, with CancellationReasons or the Item where they apply. */
  public static ObjectNode errorBody(DynamoException e) {
    ObjectNode body = Json.object();
    body.put("__type", e.wireType());
    boolean capital =
        e.type().equals("SerializationException") || e instanceof TransactOps.Cancelled;
    body.put(capital ? "Message" : "message", e.getMessage());
    if (e.item() != null) {
      body.set("Item", ValueCodec.write(e.item()));
    }
    if (e instanceof TransactOps.Cancelled cancelled) {
      ArrayNode reasons = body.putArray("CancellationReasons");
      for (TransactOps.Reason reason : cancelled.reasons) {
        ObjectNode r = reasons.addObject();
        r.put("Code", reason.code());
        if (reason.message() != null) {
          r.put("Message", reason.message());
        }
        if (reason.item() != null) {
          r.set("Item", ValueCodec.write(reason.item()));
        }
      }
    }
    return body;
  }
}
