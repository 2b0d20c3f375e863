package dev.tributary.state.dynamodb.internal;

import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.state.dynamodb.Position;
import dev.tributary.state.dynamodb.StateTables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

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
 * <p>A runner that finds the slot-count item naming another count (or a start not complete), or its
 * own checkpoint marked {@link #FENCED}, fences every other count in the same transaction that
 * moves the item on ({@link Split#start}), conditioned on everything it read, so that no commit of
 * theirs lands after it read what they cover: not one in flight (an operator invocation given up at
 * its coordinator's deadline), nor one of a runner that starts later (it finds the mark and fences
 * this count first). docs/protocol.md, "Rescaling".
 */
public final class EarlierSlotCounts {
  /**
   * The attribute that marks a checkpoint fenced by another slot count (it holds that count): a
   * commit is conditioned on its absence, and only a runner of the checkpoint's own count, starting
   * again, removes it.
   */
  public static final String FENCED = "fz";

  /** The sort key of a split's slot-count item, in its checkpoint partition. */
  public static final String HISTORY_SK = "counts";

  /**
   * The counts item's attribute that says its count's fence is still being written (present only
   * while a fence too large for one transaction is under way).
   */
  static final String STARTING = "st";

  /** The counts item's attribute that holds, while {@link #STARTING}, the last started count. */
  static final String LAST_ACTIVE = "la";

  /** DynamoDB's limit of actions in one TransactWriteItems. */
  private static final int MAX_ACTIONS = 100;

  /** Rounds a start path waits for another runner of its count to finish a fence. */
  private static final int WAIT_ROUNDS = 6;

  /** Rounds a start path tries before it gives up. */
  private static final int MAX_ROUNDS = 12;

  /** No other slot count committed anything of the split. */
  public static final EarlierSlotCounts NONE = new EarlierSlotCounts(Map.of(), 1);

  private final Map<Integer, Position[]> byCount;
  private final int maxKeyGroups;

  private EarlierSlotCounts(Map<Integer, Position[]> byCount, int maxKeyGroups) {
    this.byCount = byCount;
    this.maxKeyGroups = maxKeyGroups;
  }

  /**
   * A split's slot-count item as read: the count that last started on the split (or is starting), a
   * generation that grows with each start, and whether that start completed.
   *
   * @param exists whether the item exists
   * @param slots the slot count (0 when none)
   * @param generation the generation (0 when none)
   * @param active whether the count's fence completed (false while a fence too large for one
   *     transaction is being written)
   * @param lastActive while not {@code active}: the count whose fence completed last (0: none)
   */
  public record History(
      boolean exists, int slots, long generation, boolean active, int lastActive) {
    /** The item {@code item} as read (null: none). */
    public static History of(Map<String, AttributeValue> item) {
      if (item == null) {
        return new History(false, 0, 0, true, 0);
      }
      return new History(
          true,
          Integer.parseInt(item.get("n").n()),
          Long.parseLong(item.get("g").n()),
          !item.containsKey(STARTING),
          item.containsKey(LAST_ACTIVE) ? Integer.parseInt(item.get(LAST_ACTIVE).n()) : 0);
    }

    /** The count whose fence completed last (0: none). */
    int lastStarted() {
      return !exists ? 0 : active ? slots : lastActive;
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
   * Where the read and write units of the calls below are counted.
   *
   * @param reads takes read units
   * @param writes takes write units
   */
  public record Units(DoubleConsumer reads, DoubleConsumer writes) {}

  /**
   * A slot count started on a split.
   *
   * @param history the split's counts item as it now stands
   * @param earlier the other counts' checkpoints, as fenced
   * @param own this runner's checkpoint as the start left it (null: none): the epoch its commit is
   *     conditioned on
   */
  public record Started(
      History history, EarlierSlotCounts earlier, Map<String, AttributeValue> own) {}

  /**
   * The slot counts of one split as the state table keeps them: its checkpoint partition ({@code
   * C#{job}#{split}}), which holds each (slot count, slot)'s checkpoint and the slot-count item.
   *
   * @param client the client
   * @param table the state table
   * @param job the job
   * @param split the split
   * @param maxKeyGroups the job's key groups
   * @param units where the calls' capacity is counted
   */
  public record Split(
      DynamoDbClient client,
      String table,
      String job,
      String split,
      int maxKeyGroups,
      Units units) {
    /**
     * Starts slot count {@code slots} on the split for the runner of {@code slot}: reads the
     * split's checkpoint partition (the counts item, then every checkpoint: {@code partition}),
     * then, unless a runner of this count completed a start since, fences every other count and
     * lifts the other counts' marks off this count's checkpoints in one transaction with the move
     * of the counts item (see {@code fence}). Every write is conditioned on what the Query read, so
     * the fence lands whole on exactly the state read, or not at all and the runner reads again.
     *
     * @throws IllegalStateException when the partition changes under this runner {@value
     *     #MAX_ROUNDS} times in a row: runners of several slot counts keep taking the split from
     *     each other
     */
    public Started start(int slots, int slot) {
      String ownSk = Layout.slotSk(slots, slot);
      History h = null;
      long[] taken = {
        -1
      }; // the generation of the counts item this runner took for a fence in parts
      for (int round = 0; round < MAX_ROUNDS; round++) {
        Partition p = partition(true);
        h = p.history();
        Map<String, AttributeValue> own = p.checkpoints().get(ownSk);
        if (h.exists() && h.slots() == slots) {
          if (h.active() && (own == null || !own.containsKey(FENCED))) {
            // a runner of this count completed a start after this runner's first read: what the
            // Query read holds if no start wrote the counts item during it (every write moves the
            // generation; found in review: two starts inside the Query, its own checkpoint read
            // after them and the other counts' before)
            if (History.of(historyItem()).generation() == h.generation()) {
              return new Started(h, p.others(slots, maxKeyGroups), own);
            }
            continue;
          }
          if (!h.active() && h.generation() != taken[0] && round < WAIT_ROUNDS) {
            pause(round); // another runner of this count writes a fence in several parts
            continue;
          }
        }
        Started started = fence(p, slots, ownSk, taken);
        if (started != null) {
          return started;
        }
        pause(round); // the partition changed since the Query: read it again
      }
      throw new IllegalStateException(
          "split "
              + split
              + " of job "
              + job
              + ": its checkpoints changed under this runner ("
              + slots
              + " slots) "
              + MAX_ROUNDS
              + " times while it started, the counts item now naming "
              + (h == null ? "none" : Integer.toString(h.slots()))
              + "; runners of several slot counts are taking the split from each other. Finish"
              + " the deploy of one slot count (docs/protocol.md, Rescaling)");
    }

    /** The checkpoints of the split under every slot count but {@code slots}. */
    public EarlierSlotCounts read(int slots) {
      return partition(false).others(slots, maxKeyGroups);
    }

    /**
     * Fences every other slot count of the split as Query {@code p} read it; returns the start, or
     * null when the partition changed since (nothing was written, or a part of a large fence that
     * later runners redo). The counts fenced are those with a checkpoint in the partition, the ones
     * the counts item names (now, and as last started) and those whose mark is on one of this
     * count's checkpoints. Each of their slots' checkpoints gets {@code epoch} + 1 and {@code
     * slots} added to its mark {@link #FENCED} (conditioned on the epoch read, so its position as
     * read is final), and a slot without a checkpoint gets one at the beginning, marked. A commit
     * is conditioned on its checkpoint's epoch and on the mark's absence, so from here on none of
     * theirs lands: one in flight fails, and a runner of theirs that reads its checkpoint later
     * finds the mark and starts its count again, fencing this one. This count's marked checkpoints
     * are lifted ({@code epoch} + 1, so that a commit of this count read before still fails; {@code
     * pr}, so that the slot's next runner reads the other counts again), and the counts item moves
     * on to this count (conditioned on the generation read), all in one transaction. A fence of
     * more than {@value #MAX_ACTIONS} actions (slot counts in the hundreds) is written in parts,
     * every part conditioned on the counts item this runner took (its generation goes to {@code
     * taken}: a runner does not wait for its own fence), marks before lifts, and the item marked
     * {@link #STARTING} until a last UpdateItem removes the mark and moves the generation on again.
     */
    private Started fence(Partition p, int slots, String ownSk, long[] taken) {
      History h = p.history();
      java.util.TreeSet<Integer> counts = new java.util.TreeSet<>();
      List<TransactWriteItem> writes = new ArrayList<>();
      List<TransactWriteItem> lifts = new ArrayList<>();
      Map<String, AttributeValue> own = p.checkpoints().get(ownSk);
      for (Map<String, AttributeValue> item : p.checkpoints().values()) {
        int count = countOf(item);
        if (count != slots) {
          counts.add(count);
        } else if (item.containsKey(FENCED)) {
          item.get(FENCED).ns().forEach(n -> counts.add(Integer.parseInt(n)));
          lifts.add(
              update(
                  item,
                  "SET epoch = epoch + :one, pr = :true REMOVE " + FENCED,
                  Map.of(":true", AttributeValue.fromBool(true))));
          if (item == own) {
            own = new HashMap<>(item);
            own.remove(FENCED);
            own.put("epoch", AttributeValue.fromN(Long.toString(epochOf(item) + 1)));
            own.put("pr", AttributeValue.fromBool(true));
          }
        }
      }
      if (h.exists()) {
        counts.add(h.slots());
        counts.add(h.lastStarted());
      }
      counts.removeIf(c -> c <= 0 || c == slots || c > maxKeyGroups);
      EarlierSlotCounts earlier = new EarlierSlotCounts(new HashMap<>(), maxKeyGroups);
      AttributeValue by = AttributeValue.fromNs(List.of(Integer.toString(slots)));
      for (int count : counts) {
        for (int slot = 0; slot < count; slot++) {
          String sk = Layout.slotSk(count, slot);
          Map<String, AttributeValue> item = p.checkpoints().get(sk);
          if (item == null) {
            item = placeholder(sk, by);
            Map<String, AttributeValue> put = item;
            writes.add(
                TransactWriteItem.builder()
                    .put(
                        b ->
                            b.tableName(table)
                                .item(put)
                                .conditionExpression("attribute_not_exists(pk)"))
                    .build());
          } else {
            writes.add(
                update(item, "SET epoch = epoch + :one ADD " + FENCED + " :by", Map.of(":by", by)));
          }
          earlier.add(item);
        }
      }
      writes.addAll(lifts); // lifts after the marks, never in an earlier part
      long g = h.generation() + 1;
      boolean whole = writes.size() < MAX_ACTIONS;
      Map<String, AttributeValue> counted = new HashMap<>(historyKey(job, split));
      counted.put("n", AttributeValue.fromN(Integer.toString(slots)));
      counted.put("g", AttributeValue.fromN(Long.toString(g)));
      if (!whole) {
        counted.put(STARTING, AttributeValue.fromBool(true));
        counted.put(LAST_ACTIVE, AttributeValue.fromN(Integer.toString(h.lastStarted())));
      }
      TransactWriteItem take =
          TransactWriteItem.builder()
              .put(
                  b -> {
                    b.tableName(table).item(counted);
                    if (h.exists()) {
                      b.conditionExpression("g = :g")
                          .expressionAttributeValues(
                              Map.of(":g", AttributeValue.fromN(Long.toString(h.generation()))));
                    } else {
                      b.conditionExpression("attribute_not_exists(pk)");
                    }
                  })
              .build();
      TransactWriteItem owned =
          TransactWriteItem.builder()
              .conditionCheck(
                  b ->
                      b.tableName(table)
                          .key(historyKey(job, split))
                          .conditionExpression("g = :g")
                          .expressionAttributeValues(
                              Map.of(":g", AttributeValue.fromN(Long.toString(g)))))
              .build();
      int from = 0;
      do {
        int to = Math.min(writes.size(), from + MAX_ACTIONS - 1);
        List<TransactWriteItem> part = new ArrayList<>();
        part.add(from == 0 ? take : owned);
        part.addAll(writes.subList(from, to));
        if (!transact(part)) {
          return null;
        }
        taken[0] = g;
        from = to;
      } while (from < writes.size());
      if (!whole) {
        // the last write moves the generation too: every write of the counts item does, so that a
        // start that read it while this one was in parts cannot land after it (found in review: it
        // would have put la from before this count completed, and no later start fenced this count)
        try {
          UpdateItemResponse done =
              client.updateItem(
                  b ->
                      b.tableName(table)
                          .key(historyKey(job, split))
                          .updateExpression("SET g = :next REMOVE " + STARTING + ", " + LAST_ACTIVE)
                          .conditionExpression("g = :g")
                          .expressionAttributeValues(
                              Map.of(
                                  ":g",
                                  AttributeValue.fromN(Long.toString(g)),
                                  ":next",
                                  AttributeValue.fromN(Long.toString(g + 1))))
                          .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
          units.writes().accept(capacity(done.consumedCapacity()));
        } catch (ConditionalCheckFailedException e) {
          return null; // another runner took the item before this fence was complete
        }
      }
      return new Started(
          new History(true, slots, whole ? g : g + 1, true, 0),
          earlier.byCount.isEmpty() ? NONE : earlier,
          own);
    }

    /** A fenced checkpoint at the beginning, for a slot without one. */
    private Map<String, AttributeValue> placeholder(String sk, AttributeValue by) {
      Map<String, AttributeValue> item =
          new HashMap<>(
              Map.of(
                  StateTables.PK,
                  AttributeValue.fromS(Layout.checkpointPk(job, split)),
                  StateTables.SK,
                  AttributeValue.fromS(sk)));
      item.put("pos", AttributeValue.fromS(Position.BEGINNING.encode()));
      item.put("epoch", AttributeValue.fromN("1"));
      item.put(FENCED, by);
      return item;
    }

    /**
     * An update of checkpoint {@code item} with {@code expression} (which may use {@code :one} and
     * {@code values}), conditioned on the epoch read.
     */
    private TransactWriteItem update(
        Map<String, AttributeValue> item, String expression, Map<String, AttributeValue> values) {
      Map<String, AttributeValue> all = new HashMap<>(values);
      all.put(":one", AttributeValue.fromN("1"));
      all.put(":read", item.get("epoch"));
      return TransactWriteItem.builder()
          .update(
              b ->
                  b.tableName(table)
                      .key(
                          Map.of(
                              StateTables.PK,
                              item.get(StateTables.PK),
                              StateTables.SK,
                              item.get(StateTables.SK)))
                      .updateExpression(expression)
                      .conditionExpression("epoch = :read")
                      .expressionAttributeValues(all))
          .build();
    }

    /**
     * Writes {@code items} in one transaction (one conditional PutItem when it is the counts item
     * alone); returns false when a condition failed or the transaction met another (the partition
     * changed under this runner).
     */
    private boolean transact(List<TransactWriteItem> items) {
      try {
        if (items.size() == 1 && items.get(0).put() != null) {
          Put put = items.get(0).put();
          PutItemResponse r =
              client.putItem(
                  b ->
                      b.tableName(put.tableName())
                          .item(put.item())
                          .conditionExpression(put.conditionExpression())
                          .expressionAttributeValues(put.expressionAttributeValues())
                          .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
          units.writes().accept(capacity(r.consumedCapacity()));
          return true;
        }
        TransactWriteItemsResponse r =
            client.transactWriteItems(
                b -> b.transactItems(items).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        if (r.hasConsumedCapacity()) {
          r.consumedCapacity().forEach(c -> units.writes().accept(capacity(c)));
        }
        return true;
      } catch (ConditionalCheckFailedException e) {
        return false;
      } catch (TransactionCanceledException e) {
        for (CancellationReason reason : e.cancellationReasons()) {
          if ("ValidationError".equals(reason.code())) {
            throw new IllegalStateException(
                "DynamoDB refused the fence of split " + split + ": " + e.cancellationReasons(), e);
          }
        }
        return false;
      }
    }

    /** Backs off before round {@code round + 1}: 25 ms doubling, up to 800 ms, with jitter. */
    private static void pause(int round) {
      Backoff.pause(25, round, 800, "starting a slot count");
    }

    /** The split's counts item by a strongly consistent GetItem (null: none). */
    private Map<String, AttributeValue> historyItem() {
      GetItemResponse got =
          client.getItem(
              b ->
                  b.tableName(table)
                      .key(historyKey(job, split))
                      .consistentRead(true)
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      units.reads().accept(capacity(got.consumedCapacity()));
      return got.hasItem() && !got.item().isEmpty() ? got.item() : null;
    }

    /**
     * The split's checkpoint partition: with {@code withHistory}, the counts item by a strongly
     * consistent GetItem first; then the checkpoints of every slot count the job's key groups allow
     * by a strongly consistent Query. A Query is not a snapshot (each item is read committed, but
     * not all at one moment), and the counts item sorts after the checkpoints, so the Query's copy
     * of it could postdate a start whose marks or whose count's first checkpoints the Query read
     * before (found in review: a start then fenced too few counts, or trusted old positions). Read
     * first, it bounds what the checkpoints can say: every count able to commit then is the one it
     * names, the one it names as last started, or one with checkpoints already there, which the
     * Query finds; a start after it moves the generation, on which the fence is conditioned.
     */
    private Partition partition(boolean withHistory) {
      Map<String, Map<String, AttributeValue>> out = new java.util.TreeMap<>();
      Map<String, AttributeValue> history = withHistory ? historyItem() : null;
      for (Map<String, AttributeValue> item :
          Partitions.read(client, table, Layout.checkpointPk(job, split), units.reads())) {
        String key = item.get(StateTables.SK).s();
        Layout.SlotSk sk = Layout.SlotSk.parse(key);
        if (HISTORY_SK.equals(key)) {
          continue; // read before the Query, or not needed
        } else if (sk != null
            && item.containsKey("pos")
            && sk.slots() <= maxKeyGroups
            && sk.slot() < sk.slots()) {
          out.put(key, item); // a count this job's key groups can have run at
        }
      }
      return new Partition(History.of(history), out);
    }
  }

  /**
   * A split's checkpoint partition as read.
   *
   * @param history the counts item
   * @param checkpoints the checkpoints, by sort key
   */
  private record Partition(History history, Map<String, Map<String, AttributeValue>> checkpoints) {
    /** The checkpoints of every slot count but {@code slots}. */
    EarlierSlotCounts others(int slots, int maxKeyGroups) {
      EarlierSlotCounts out = new EarlierSlotCounts(new HashMap<>(), maxKeyGroups);
      for (Map<String, AttributeValue> item : checkpoints.values()) {
        if (countOf(item) != slots) {
          out.add(item);
        }
      }
      return out.byCount.isEmpty() ? NONE : out;
    }
  }

  private static long epochOf(Map<String, AttributeValue> item) {
    return Long.parseLong(item.get("epoch").n());
  }

  private static int countOf(Map<String, AttributeValue> item) {
    return Layout.SlotSk.parse(item.get(StateTables.SK).s()).slots();
  }

  private static double capacity(ConsumedCapacity consumed) {
    return consumed == null || consumed.capacityUnits() == null ? 0 : consumed.capacityUnits();
  }

  /** Records checkpoint item {@code item} (one of another count). */
  private void add(Map<String, AttributeValue> item) {
    Layout.SlotSk sk = Layout.SlotSk.parse(item.get(StateTables.SK).s());
    Position[] positions =
        byCount.computeIfAbsent(
            sk.slots(),
            c -> {
              Position[] p = new Position[c];
              Arrays.fill(p, Position.BEGINNING);
              return p;
            });
    positions[sk.slot()] = Position.decode(item.get("pos").s());
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
