package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.capacity.Capacity;
import dev.tributary.local.dynamodb.internal.expr.Condition;
import dev.tributary.local.dynamodb.internal.expr.Evaluator;
import dev.tributary.local.dynamodb.internal.expr.Operand;
import dev.tributary.local.dynamodb.internal.expr.Projector;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.IndexSchema;
import dev.tributary.local.dynamodb.internal.storage.KeyAttribute;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Query and Scan: pages end at {@code Limit} evaluated items or once 1 MB has been read (the item
 * crossing 1 MB included), the filter applies after that, and LastEvaluatedKey names the last
 * evaluated item whenever a page was cut.
 */
final class QueryScanOps {
  private static final long PAGE_BYTES = 1024 * 1024;
  private static final List<String> SELECT =
      List.of("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES");

  private QueryScanOps() {}

  private record Common(
      String tableName,
      String indexName,
      String select,
      Long limit,
      boolean consistent,
      Map<String, Value> startKey,
      String capacityMode,
      Expressions expressions) {}

  private static Common common(Request r, boolean query) {
    String tableName = r.tableName("TableName", "tableName");
    String indexName = r.string("IndexName");
    String select = r.enumValue("Select", "select", SELECT);
    Long limit = r.number("Limit");
    if (limit != null && limit < 1) {
      r.violation(
          String.valueOf(limit), "limit", "Member must have value greater than or equal to 1");
    }
    String capacityMode = Items.capacityMode(r);
    r.checkViolations();
    Map<String, Value> startKey;
    try {
      startKey = r.item("ExclusiveStartKey");
    } catch (DynamoException e) {
      throw DynamoException.validation("The provided starting key is invalid: " + e.getMessage());
    }
    Expressions expressions =
        query
            ? Expressions.parse(r, Expressions.QUERY, Expressions.QUERY_LEGACY)
            : Expressions.parse(r, Expressions.SCAN, Expressions.SCAN_LEGACY);
    if (query && !r.has("KeyConditions") && r.string("KeyConditionExpression") == null) {
      throw DynamoException.validation(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the"
              + " request.");
    }
    if (expressions.projection != null && select != null && !select.equals("SPECIFIC_ATTRIBUTES")) {
      // wording captured from DynamoDB; Query puts the constraint prefix on the COUNT case
      String parameter = r.has("ProjectionExpression") ? "ProjectionExpression" : "AttributesToGet";
      String message =
          "Cannot specify the "
              + parameter
              + " when choosing to get "
              + (select.equals("COUNT") ? "only the Count" : select);
      throw DynamoException.validation(
          query && select.equals("COUNT") ? "1 validation error detected: " + message : message);
    }
    if ("SPECIFIC_ATTRIBUTES".equals(select) && expressions.projection == null) {
      throw DynamoException.validation(
          "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires"
              + " either ProjectionExpression or AttributesToGet");
    }
    if ("ALL_PROJECTED_ATTRIBUTES".equals(select) && indexName == null) {
      throw DynamoException.validation(
          "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
    }
    return new Common(
        tableName,
        indexName,
        select,
        limit,
        r.bool("ConsistentRead", false),
        startKey,
        capacityMode,
        expressions);
  }

  private static IndexSchema index(Table table, Common c) {
    if (c.indexName() == null) {
      return null;
    }
    IndexSchema index = table.schema().index(c.indexName());
    if (index == null) {
      throw DynamoException.validation(
          "The table does not have the specified index: " + c.indexName());
    }
    if (index.global() && c.consistent()) {
      throw DynamoException.validation(
          "Consistent reads are not supported on global secondary indexes");
    }
    if ("ALL_ATTRIBUTES".equals(c.select())
        && !index.projectionType().equals("ALL")
        && index.global()) {
      throw DynamoException.validation(
          "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported"
              + " for global secondary index "
              + index.name()
              + " because its projection type is not ALL");
    }
    return index;
  }

  /** The attributes LastEvaluatedKey carries: the table key, then the index key. */
  private static List<String> startKeyNames(Table table, IndexSchema index) {
    List<String> names = new ArrayList<>(table.schema().keyNames());
    if (index != null) {
      for (KeyAttribute k : index.keys()) {
        if (!names.contains(k.name())) {
          names.add(k.name());
        }
      }
    }
    return names;
  }

  private static void checkStartKey(
      Table table, IndexSchema index, Map<String, Value> startKey, boolean query) {
    if (startKey == null) {
      return;
    }
    List<String> names = startKeyNames(table, index);
    if (startKey.size() != names.size() || !startKey.keySet().containsAll(names)) {
      throw DynamoException.validation(
          index == null && !query
              ? "The provided starting key is invalid: The provided key element does not match the"
                  + " schema"
              : "The provided starting key is invalid");
    }
    try {
      Items.validateKey(table.schema(), Items.keyOf(table.schema(), startKey));
    } catch (DynamoException e) {
      throw DynamoException.validation("The provided starting key is invalid: " + e.getMessage());
    }
  }

  private static void checkFilterOnKeys(Condition filter, List<String> keys, boolean legacy) {
    if (filter == null) {
      return;
    }
    for (String head : heads(filter, new ArrayList<>())) {
      if (keys.contains(head)) {
        throw DynamoException.validation(
            (legacy ? "QueryFilter" : "Filter Expression")
                + " can only contain non-primary key attributes: Primary key attribute: "
                + head);
      }
    }
  }

  private static List<String> heads(Condition c, List<String> out) {
    if (c instanceof Condition.And a) {
      heads(a.left(), out);
      heads(a.right(), out);
    } else if (c instanceof Condition.Or o) {
      heads(o.left(), out);
      heads(o.right(), out);
    } else if (c instanceof Condition.Not n) {
      heads(n.condition(), out);
    } else if (c instanceof Condition.Compare cmp) {
      operandHeads(List.of(cmp.left(), cmp.right()), out);
    } else if (c instanceof Condition.Between b) {
      operandHeads(List.of(b.value(), b.low(), b.high()), out);
    } else if (c instanceof Condition.In in) {
      List<Operand> all = new ArrayList<>(in.options());
      all.add(in.value());
      operandHeads(all, out);
    } else if (c instanceof Condition.Function f) {
      operandHeads(f.args(), out);
    }
    return out;
  }

  private static void operandHeads(List<Operand> operands, List<String> out) {
    for (Operand o : operands) {
      if (o instanceof Operand.PathRef p) {
        out.add(p.path().head());
      } else if (o instanceof Operand.Size s) {
        out.add(s.path().head());
      }
    }
  }

  static JsonNode query(Context ctx, Request r) {
    Common c = common(r, true);
    boolean forward = r.bool("ScanIndexForward", true);
    Map<String, KeyConditions.KeyCondition> split =
        KeyConditions.split(c.expressions().keyCondition);
    ctx.database().lock().readLock().lock();
    try {
      Table table = Items.table(ctx, c.tableName());
      IndexSchema index = index(table, c);
      KeyAttribute hash = index == null ? table.schema().hash() : index.hash();
      KeyAttribute range = index == null ? table.schema().range() : index.range();
      KeyConditions keys = KeyConditions.resolve(split, hash, range);
      checkStartKey(table, index, c.startKey(), true);
      if (c.startKey() != null) {
        Value startHash = c.startKey().get(hash.name());
        if (keys.range != null && !keys.range.matches(c.startKey().get(range.name()))) {
          throw DynamoException.validation(
              "The provided starting key does not match the range key predicate");
        }
        if (!startHash.equals(keys.hash)) {
          throw DynamoException.validation(
              "The provided starting key is outside query boundaries based on provided conditions");
        }
      }
      List<String> keyNames = new ArrayList<>();
      keyNames.add(hash.name());
      if (range != null) {
        keyNames.add(range.name());
      }
      checkFilterOnKeys(c.expressions().filter, keyNames, r.has("QueryFilter"));
      Iterator<Map<String, Value>> source =
          contiguous(table.query(index, keys.hash, c.startKey(), forward), keys.range, range);
      return page(table, index, c, source);
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  /** Keeps the contiguous run of items whose sort key matches the range condition. */
  private static Iterator<Map<String, Value>> contiguous(
      Iterator<Map<String, Value>> items,
      KeyConditions.KeyCondition condition,
      KeyAttribute range) {
    if (condition == null) {
      return items;
    }
    return new Iterator<>() {
      private Map<String, Value> next;
      private boolean started;
      private boolean done;

      @Override
      public boolean hasNext() {
        while (next == null && !done && items.hasNext()) {
          Map<String, Value> candidate = items.next();
          if (condition.matches(candidate.get(range.name()))) {
            started = true;
            next = candidate;
          } else if (started) {
            done = true;
          }
        }
        return next != null;
      }

      @Override
      public Map<String, Value> next() {
        hasNext();
        Map<String, Value> out = next;
        next = null;
        return out;
      }
    };
  }

  static JsonNode scan(Context ctx, Request r) {
    Common c = common(r, false);
    Long segment = r.number("Segment");
    Long total = r.number("TotalSegments");
    if (total != null && (total < 1 || total > 1_000_000)) {
      throw DynamoException.validation(
          "1 validation error detected: Value '"
              + total
              + "' at 'totalSegments' failed to satisfy constraint: Member must have value "
              + (total < 1 ? "greater than or equal to 1" : "less than or equal to 1000000"));
    }
    if (segment != null && (segment < 0 || segment > 999_999)) {
      throw DynamoException.validation(
          "1 validation error detected: Value '"
              + segment
              + "' at 'segment' failed to satisfy constraint: Member must have value "
              + (segment < 0 ? "greater than or equal to 0" : "less than or equal to 999999"));
    }
    if (segment != null && total == null) {
      throw DynamoException.validation(
          "The TotalSegments parameter is required but was not present in the request when Segment"
              + " parameter is present");
    }
    if (total != null && segment == null) {
      throw DynamoException.validation(
          "The Segment parameter is required but was not present in the request when parameter"
              + " TotalSegments is present");
    }
    if (segment != null && segment >= total) {
      throw DynamoException.validation(
          "The Segment parameter is zero-based and must be less than parameter TotalSegments:"
              + " Segment: "
              + segment
              + " is not less than TotalSegments: "
              + total);
    }
    int seg = segment == null ? 0 : segment.intValue();
    int tot = total == null ? 1 : total.intValue();
    ctx.database().lock().readLock().lock();
    try {
      Table table = Items.table(ctx, c.tableName());
      IndexSchema index = index(table, c);
      checkStartKey(table, index, c.startKey(), false);
      if (c.startKey() != null && tot > 1) {
        String prefix = table.prefixOf(index, c.startKey());
        if (!dev.tributary.local.dynamodb.internal.storage.KeyOrder.inSegment(
            dev.tributary.local.dynamodb.internal.storage.KeyOrder.bucket(prefix), seg, tot)) {
          throw DynamoException.validation(
              "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use"
                  + " ExclusiveStartKey with correct Segment. TotalSegments: "
                  + tot
                  + " Segment: "
                  + seg);
        }
      }
      return page(table, index, c, table.scan(index, c.startKey(), seg, tot));
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  private static JsonNode page(
      Table table, IndexSchema index, Common c, Iterator<Map<String, Value>> source) {
    String rangeKey = table.schema().range() == null ? null : table.schema().range().name();
    long count = 0;
    long size = 0;
    long readBytes = 0;
    long tableBytes = 0;
    boolean fetchTable =
        index != null
            && !index.global()
            && "ALL_ATTRIBUTES".equals(c.select())
            && !index.projectionType().equals("ALL");
    List<Map<String, Value>> items = new ArrayList<>();
    Map<String, Value> last = null;
    boolean cut = false;
    while (source.hasNext()) {
      if ((c.limit() != null && count >= c.limit()) || size >= PAGE_BYTES) {
        cut = true;
        break;
      }
      Map<String, Value> item = source.next();
      readBytes += ItemSize.of(item);
      if (fetchTable) {
        Map<String, Value> full = table.get(Items.keyOf(table.schema(), item));
        tableBytes += ItemSize.of(full);
        item = full;
      }
      count++;
      size += ItemSize.pageSize(item, rangeKey);
      last = item;
      items.add(item);
    }
    if (!cut && ((c.limit() != null && count >= c.limit()) || size >= PAGE_BYTES)) {
      cut = true;
    }
    List<Map<String, Value>> filtered = new ArrayList<>();
    for (Map<String, Value> item : items) {
      if (c.expressions().filter == null || Evaluator.matches(c.expressions().filter, item)) {
        filtered.add(
            c.expressions().projection == null
                ? item
                : Projector.project(item, c.expressions().projection));
      }
    }
    ObjectNode out = Json.object();
    if (!"COUNT".equals(c.select())) {
      ArrayNode array = out.putArray("Items");
      filtered.forEach(i -> array.add(ValueCodec.write(i)));
    }
    out.put("Count", filtered.size());
    out.put("ScannedCount", count);
    if (cut && last != null) {
      Map<String, Value> lastKey = new LinkedHashMap<>();
      for (String name : startKeyNames(table, index)) {
        lastKey.put(name, last.get(name));
      }
      out.set("LastEvaluatedKey", ValueCodec.write(lastKey));
    }
    Capacity capacity = new Capacity(table.schema().name(), true);
    if (index == null) {
      capacity.addTable(Capacity.pageReadUnits(readBytes, c.consistent()));
    } else {
      capacity.addIndex(
          index.name(), index.global(), Capacity.pageReadUnits(readBytes, c.consistent()));
      if (tableBytes > 0) {
        capacity.addTable(Capacity.pageReadUnits(tableBytes, c.consistent()));
      }
    }
    ObjectNode consumed = capacity.render(c.capacityMode());
    if (consumed != null) {
      out.set("ConsumedCapacity", consumed);
    }
    return out;
  }
}
