package dev.tributary.state.dynamodb.internal;

import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.state.dynamodb.Position;
import dev.tributary.state.dynamodb.StateTables;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * What a split committed under slot counts other than the one running. Checkpoints are kept per
 * (split, slot count, slot), so a slot of a new count starts without one, and a record that the
 * source delivers again after the count changed (a batch retried from its first uncommitted record,
 * a Kafka offset not yet committed) may already have been applied under the old count. It was if
 * and only if the old count's checkpoint of the slot that owned its key group then is at or past
 * its position: that is what {@link #covers} answers, for every other count that ever ran.
 *
 * <p>Reading the other counts costs a Query of the split's checkpoint partition, so a slot reads
 * them only while it may need them: when it has no checkpoint yet, when the split's slot-count item
 * ({@link History}, moved on by the first runner of a new count) changed since its checkpoint was
 * written, or when its checkpoint says another count may still be ahead of it ({@code pr}, cleared
 * once its position passes every other count's checkpoint of its key groups: {@link #settled}).
 *
 * <p>This holds while one slot count runs at a time per split, which the event source mapping gives
 * (it invokes a split's next batch only after the last one answered, and the coordinator outwaits
 * its operators). docs/protocol.md, "Rescaling".
 */
public final class EarlierSlotCounts {
  /** The sort key of a split's slot-count item, in its checkpoint partition. */
  public static final String HISTORY_SK = "counts";

  /** No other slot count committed anything of the split. */
  public static final EarlierSlotCounts NONE = new EarlierSlotCounts(Map.of(), 1);

  private final Map<Integer, Position[]> byCount;
  private final int maxKeyGroups;

  private EarlierSlotCounts(Map<Integer, Position[]> byCount, int maxKeyGroups) {
    this.byCount = byCount;
    this.maxKeyGroups = maxKeyGroups;
  }

  /**
   * A split's slot-count item as read: the count that last started on the split and a generation
   * that grows with each change.
   *
   * @param exists whether the item exists
   * @param slots the slot count (0 when none)
   * @param generation the generation (0 when none)
   */
  public record History(boolean exists, int slots, long generation) {
    /** The item {@code item} as read (null: none). */
    public static History of(Map<String, AttributeValue> item) {
      if (item == null) {
        return new History(false, 0, 0);
      }
      return new History(
          true, Integer.parseInt(item.get("n").n()), Long.parseLong(item.get("g").n()));
    }
  }

  /** The key of {@code split}'s slot-count item. */
  public static Map<String, AttributeValue> historyKey(String job, String split) {
    return Map.of(
        StateTables.PK,
        AttributeValue.fromS(Layout.checkpointPk(job, split)),
        StateTables.SK,
        AttributeValue.fromS(HISTORY_SK));
  }

  /**
   * Makes {@code slots} the split's latest slot count, starting from the item as {@code read}: a
   * conditional write on the generation read (not part of any commit, so that the commits of a
   * split's slots do not contend for one item). Returns the item as it now stands.
   *
   * @throws IllegalStateException when another slot count keeps taking the item back: two slot
   *     counts are running on the split at once
   */
  public static History start(
      DynamoDbClient client, String table, String job, String split, int slots, History read) {
    Map<String, AttributeValue> key = historyKey(job, split);
    History current = read;
    for (int attempt = 0; attempt < 3; attempt++) {
      if (current.exists() && current.slots() == slots) {
        return current;
      }
      Map<String, AttributeValue> item = new HashMap<>(key);
      item.put("n", AttributeValue.fromN(Integer.toString(slots)));
      item.put("g", AttributeValue.fromN(Long.toString(current.generation() + 1)));
      History seen = current;
      try {
        if (seen.exists()) {
          client.putItem(
              b ->
                  b.tableName(table)
                      .item(item)
                      .conditionExpression("g = :g")
                      .expressionAttributeValues(
                          Map.of(":g", AttributeValue.fromN(Long.toString(seen.generation())))));
        } else {
          client.putItem(
              b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        }
        return new History(true, slots, seen.generation() + 1);
      } catch (ConditionalCheckFailedException e) {
        GetItemResponse got = client.getItem(b -> b.tableName(table).key(key).consistentRead(true));
        current = History.of(got.hasItem() && !got.item().isEmpty() ? got.item() : null);
      }
    }
    throw new IllegalStateException(
        "split "
            + split
            + " of job "
            + job
            + ": its slot count changed under this runner three times in a row (now "
            + current.slots()
            + ", this runner "
            + slots
            + "); two slot counts are running on it at once. Deploy one slot count and let"
            + " invocations of the other finish (docs/protocol.md, Rescaling)");
  }

  /**
   * The checkpoints of {@code split} under every slot count but {@code slots}: one strongly
   * consistent Query of the split's checkpoint partition; its read units go to {@code readUnits}.
   */
  public static EarlierSlotCounts read(
      DynamoDbClient client,
      String table,
      String job,
      String split,
      int slots,
      int maxKeyGroups,
      DoubleConsumer readUnits) {
    Map<Integer, Position[]> byCount = new HashMap<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> from = start;
      QueryResponse page =
          client.query(
              b ->
                  b.tableName(table)
                      .keyConditionExpression("pk = :pk")
                      .expressionAttributeValues(
                          Map.of(":pk", AttributeValue.fromS(Layout.checkpointPk(job, split))))
                      .consistentRead(true)
                      .exclusiveStartKey(from)
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      if (page.consumedCapacity() != null && page.consumedCapacity().capacityUnits() != null) {
        readUnits.accept(page.consumedCapacity().capacityUnits());
      }
      for (Map<String, AttributeValue> item : page.items()) {
        String sk = item.get(StateTables.SK).s();
        int hash = sk.indexOf('#');
        AttributeValue pos = item.get("pos");
        if (hash < 0 || pos == null) {
          continue; // the slot-count item
        }
        int count = Integer.parseInt(sk.substring(0, hash));
        int slot = Integer.parseInt(sk.substring(hash + 1));
        if (count == slots || count > maxKeyGroups || slot >= count) {
          continue; // ours, or a count this job's key groups cannot have run at
        }
        Position[] positions =
            byCount.computeIfAbsent(
                count,
                c -> {
                  Position[] p = new Position[c];
                  Arrays.fill(p, Position.BEGINNING);
                  return p;
                });
        positions[slot] = Position.decode(pos.s());
      }
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return byCount.isEmpty() ? NONE : new EarlierSlotCounts(byCount, maxKeyGroups);
  }

  /** Whether no other slot count committed anything of the split. */
  public boolean isEmpty() {
    return byCount.isEmpty();
  }

  /**
   * Whether a keyed record at {@code position} in {@code keyGroup} was applied under another slot
   * count: that count's checkpoint of the slot owning the key group is at or past it.
   */
  public boolean covers(int keyGroup, Position position) {
    for (Map.Entry<Integer, Position[]> e : byCount.entrySet()) {
      int slot = KeyGroups.slotOf(keyGroup, maxKeyGroups, e.getKey());
      if (position.compareTo(e.getValue()[slot]) <= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a slot owning {@code range} whose checkpoint is at {@code through} is past every other
   * count's checkpoint of those key groups, so that no record after it can be covered.
   */
  public boolean settled(KeyGroupRange range, Position through) {
    for (Map.Entry<Integer, Position[]> e : byCount.entrySet()) {
      int first = KeyGroups.slotOf(range.first(), maxKeyGroups, e.getKey());
      int last = KeyGroups.slotOf(range.last(), maxKeyGroups, e.getKey());
      for (int slot = first; slot <= last; slot++) {
        if (e.getValue()[slot].compareTo(through) > 0) {
          return false;
        }
      }
    }
    return true;
  }
}
