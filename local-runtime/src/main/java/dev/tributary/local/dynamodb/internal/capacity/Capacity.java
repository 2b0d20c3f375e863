package dev.tributary.local.dynamodb.internal.capacity;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Capacity units by the DynamoDB developer guide's rules: reads in 4 KB units (halved when
 * eventually consistent), writes in 1 KB units of the larger of the old and new item, transactional
 * reads and writes doubled, and secondary-index writes on top. One instance accumulates what one
 * request consumed on one table and renders it as ReturnConsumedCapacity asks.
 */
public final class Capacity {
  private final String table;
  private final boolean read;
  private double tableUnits;
  private final Map<String, Double> globalIndexes = new LinkedHashMap<>();
  private final Map<String, Double> localIndexes = new LinkedHashMap<>();

  /** A counter for reads ({@code read}) or writes on {@code table}. */
  public Capacity(String table, boolean read) {
    this.table = table;
    this.read = read;
  }

  /** Read units of one item read (a missing item costs one unit). */
  public static double readUnits(Map<String, Value> item, boolean consistent) {
    double units = item == null ? 1 : Math.max(1, Math.ceil(ItemSize.of(item) / 4096.0));
    return consistent ? units : units / 2;
  }

  /**
   * Read units of a Query or Scan page that read {@code bytes}: rounded up to 4 KB once, and at
   * least the minimum read even when the page is empty ("Queries that do not return results consume
   * the minimum number of read capacity units for that type of read operation").
   */
  public static double pageReadUnits(long bytes, boolean consistent) {
    double units = Math.max(1, Math.ceil(bytes / 4096.0));
    return consistent ? units : units / 2;
  }

  /** Write units of one item: 1 KB units, at least 1. */
  public static double writeUnits(Map<String, Value> item) {
    return item == null ? 1 : Math.max(1, Math.ceil(ItemSize.of(item) / 1024.0));
  }

  /** Write units of a write that replaced {@code old} with {@code item}. */
  public static double writeUnits(Map<String, Value> old, Map<String, Value> item) {
    return Math.max(old == null ? 0 : writeUnits(old), item == null ? 0 : writeUnits(item));
  }

  /** Adds table units. */
  public Capacity addTable(double units) {
    tableUnits += units;
    return this;
  }

  /** Adds units of a secondary index. */
  public Capacity addIndex(String index, boolean global, double units) {
    (global ? globalIndexes : localIndexes).merge(index, units, Double::sum);
    return this;
  }

  /** Adds everything another counter consumed. */
  public Capacity add(Capacity other) {
    tableUnits += other.tableUnits;
    other.globalIndexes.forEach((k, v) -> globalIndexes.merge(k, v, Double::sum));
    other.localIndexes.forEach((k, v) -> localIndexes.merge(k, v, Double::sum));
    return this;
  }

  /** Multiplies everything (transactions cost twice). */
  public Capacity times(double factor) {
    tableUnits *= factor;
    globalIndexes.replaceAll((k, v) -> v * factor);
    localIndexes.replaceAll((k, v) -> v * factor);
    return this;
  }

  /** Everything consumed. */
  public double total() {
    double total = tableUnits;
    for (double v : globalIndexes.values()) {
      total += v;
    }
    for (double v : localIndexes.values()) {
      total += v;
    }
    return total;
  }

  /** The ConsumedCapacity element for {@code mode} (TOTAL or INDEXES), or null for NONE. */
  public ObjectNode render(String mode) {
    if (!"TOTAL".equals(mode) && !"INDEXES".equals(mode)) {
      return null;
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("TableName", table);
    units(out, total());
    if ("INDEXES".equals(mode)) {
      units(out.putObject("Table"), tableUnits);
      if (!globalIndexes.isEmpty()) {
        ObjectNode g = out.putObject("GlobalSecondaryIndexes");
        globalIndexes.forEach((k, v) -> units(g.putObject(k), v));
      }
      if (!localIndexes.isEmpty()) {
        ObjectNode l = out.putObject("LocalSecondaryIndexes");
        localIndexes.forEach((k, v) -> units(l.putObject(k), v));
      }
    }
    return out;
  }

  private void units(ObjectNode node, double units) {
    node.put("CapacityUnits", units);
    node.put(read ? "ReadCapacityUnits" : "WriteCapacityUnits", units);
  }
}
