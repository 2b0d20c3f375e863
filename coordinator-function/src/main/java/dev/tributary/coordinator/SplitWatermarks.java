package dev.tributary.coordinator;

import dev.tributary.state.dynamodb.StateTables;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * Each split's watermark contribution, written after its batch committed (pk {@code W#{job}}, sort
 * key the split; {@code wm} the watermark, {@code seen} when it last delivered records). The global
 * watermark is the minimum over the splits that delivered within the idle timeout. When every split
 * is idle, the stream is taken as quiet: the watermark is the latest split's, moved on by the
 * processing time that passed beyond the idle timeout, so that a tick fires the windows of an idle
 * stream (a record arriving after that is late, as it would be after a processing-time trigger).
 */
public final class SplitWatermarks {
  private final DynamoDbClient dynamo;
  private final StateTables tables;
  private final String pk;

  /**
   * The name of the start hold: a split that never delivers, declared at a job's first Kafka batch
   * when the partitions are not ({@code TRIBUTARY_SPLITS}). It holds the global watermark at the
   * lowest until it is quiet for the idle timeout, so a partition whose first batch comes within
   * that time after another's finds none of its windows fired. {@code #} is not allowed in a Kafka
   * topic or a Kinesis stream name, so no real split has this name.
   */
  public static final String START_HOLD = "#start";

  /** The watermarks of {@code job}. */
  public SplitWatermarks(DynamoDbClient dynamo, StateTables tables, String job) {
    this.dynamo = dynamo;
    this.tables = tables;
    this.pk = "W#" + job;
  }

  /** A split's contribution. */
  public record Split(long watermark, long seen) {}

  /** Every split's contribution (strongly consistent). */
  public Map<String, Split> read() {
    Map<String, Split> out = new HashMap<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> exclusive = start;
      QueryResponse page =
          dynamo.query(
              b ->
                  b.tableName(tables.state())
                      .keyConditionExpression("pk = :pk")
                      .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                      .consistentRead(true)
                      .exclusiveStartKey(exclusive));
      for (Map<String, AttributeValue> item : page.items()) {
        out.put(
            item.get(StateTables.SK).s(),
            new Split(Long.parseLong(item.get("wm").n()), Long.parseLong(item.get("seen").n())));
      }
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return out;
  }

  /**
   * The global watermark from {@code splits}, with {@code split} counted at {@code ownWatermark}
   * (null: as stored) and active.
   */
  public static long global(
      Map<String, Split> splits, String split, Long ownWatermark, long now, Duration idle) {
    Map<String, Split> all = new HashMap<>(splits);
    if (split != null) {
      Split own = all.get(split);
      long w =
          ownWatermark != null
              ? Math.max(ownWatermark, own == null ? Long.MIN_VALUE : own.watermark())
              : own == null ? Long.MIN_VALUE : own.watermark();
      all.put(split, new Split(w, now));
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    boolean anyActive = false;
    for (Split s : all.values()) {
      long quiet = now - s.seen() - idle.toMillis();
      if (quiet <= 0) {
        anyActive = true;
        min = Math.min(min, s.watermark());
      } else if (s.watermark() > Long.MIN_VALUE) {
        max = Math.max(max, s.watermark() + Math.min(quiet, Long.MAX_VALUE - s.watermark()));
      }
    }
    if (all.isEmpty()) {
      return Long.MIN_VALUE;
    }
    return anyActive ? min : max;
  }

  /**
   * Records that {@code split} started a batch at {@code now}, keeping its watermark (a split new
   * to the job starts at the lowest watermark): while a split's batch runs, the split counts as
   * active, so other splits do not move the global watermark past records it has yet to commit,
   * however long the batch takes under the idle timeout.
   */
  public void heartbeat(String split, long now) {
    start(split, now, false);
  }

  /**
   * Declares splits the source has before they deliver anything: each one missing from {@code
   * known} is stored at the lowest watermark, seen at {@code now} (unless another coordinator
   * stored it first), and added to {@code known}. Until such a split commits records or stays quiet
   * for the idle timeout, it holds the global watermark, as a Kafka or Kinesis source in Flink
   * holds it for every partition or shard it was assigned. The start hold is only declared for a
   * job that has not moved a watermark yet: a coordinator declares it before its first commit, so a
   * split with a watermark and no hold means a job that ran before (with its partitions declared,
   * or on a version without the hold), whose windows must not pause for an idle timeout.
   */
  public void declare(Collection<String> splits, Map<String, Split> known, long now) {
    boolean started = known.values().stream().anyMatch(s -> s.watermark() > Long.MIN_VALUE);
    for (String split : splits) {
      if (split.equals(START_HOLD) && started && !known.containsKey(split)) {
        continue;
      }
      if (!known.containsKey(split)) {
        Map<String, AttributeValue> item = start(split, now, true);
        known.put(
            split,
            new Split(Long.parseLong(item.get("wm").n()), Long.parseLong(item.get("seen").n())));
      }
    }
  }

  /**
   * Stores {@code split} at the lowest watermark unless it has one, seen at {@code now} (only if
   * not seen yet when {@code onlyIfNew}); returns the item as stored.
   */
  private Map<String, AttributeValue> start(String split, long now, boolean onlyIfNew) {
    return dynamo
        .updateItem(
            b ->
                b.tableName(tables.state())
                    .key(key(split))
                    .updateExpression(
                        (onlyIfNew ? "SET seen = if_not_exists(seen, :now)" : "SET seen = :now")
                            + ", wm = if_not_exists(wm, :lowest)")
                    .expressionAttributeValues(
                        Map.of(
                            ":now", AttributeValue.fromN(Long.toString(now)),
                            ":lowest", AttributeValue.fromN(Long.toString(Long.MIN_VALUE))))
                    .returnValues(ReturnValue.ALL_NEW))
        .attributes();
  }

  private Map<String, AttributeValue> key(String split) {
    return Map.of(
        StateTables.PK, AttributeValue.fromS(pk), StateTables.SK, AttributeValue.fromS(split));
  }

  /** Records that {@code split} committed up to {@code watermark} and was seen at {@code now}. */
  public void advance(String split, long watermark, long now) {
    Map<String, AttributeValue> key = key(split);
    try {
      dynamo.updateItem(
          b ->
              b.tableName(tables.state())
                  .key(key)
                  .updateExpression("SET wm = :w, seen = :now")
                  .conditionExpression("attribute_not_exists(wm) OR wm <= :w")
                  .expressionAttributeValues(
                      Map.of(
                          ":w", AttributeValue.fromN(Long.toString(watermark)),
                          ":now", AttributeValue.fromN(Long.toString(now)))));
    } catch (ConditionalCheckFailedException behind) {
      // a later batch already moved it further: keep that watermark, note that the split lives
      dynamo.updateItem(
          b ->
              b.tableName(tables.state())
                  .key(key)
                  .updateExpression("SET seen = :now")
                  .expressionAttributeValues(
                      Map.of(":now", AttributeValue.fromN(Long.toString(now)))));
    }
  }
}
