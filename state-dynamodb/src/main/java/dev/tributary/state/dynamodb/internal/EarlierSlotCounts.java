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
import java.util.Set;
import java.util.function.DoubleConsumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
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
 * <p>A runner that finds the slot-count item naming another count, or its own checkpoint marked
 * {@link #FENCED}, fences every other count before it moves the item on ({@link Split#start}), so
 * that no commit of theirs lands after it read what they cover: not one in flight (an operator
 * invocation given up at its coordinator's deadline), nor one of a runner that starts later (it
 * finds the mark and fences this count first). docs/protocol.md, "Rescaling".
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
   * @param ownEpochs the epoch of each of this count's checkpoints as the fence left it, by sort
   *     key (a checkpoint absent then is absent here): a runner whose own checkpoint reads
   *     otherwise afterwards was fenced and lifted again by others meanwhile, and must start over
   */
  public record Started(History history, EarlierSlotCounts earlier, Map<String, Long> ownEpochs) {}

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
     * Starts slot count {@code slots} on the split, from the counts item as {@code read} and the
     * counts that fenced this runner's checkpoint ({@code fencedBy}, its mark): fences every other
     * count (see {@code fence} below), then makes {@code slots} the latest count with a conditional
     * write on the generation read (not part of any commit, so that the commits of a split's slots
     * do not contend for one item). When another count took the item meanwhile, that count is
     * fenced too before the item is moved on again.
     *
     * @throws IllegalStateException when the item changes under this runner three times in a row:
     *     runners of several slot counts keep taking it from each other
     */
    public Started start(int slots, History read, Set<Integer> fencedBy) {
      Map<String, AttributeValue> key = historyKey(job, split);
      History current = read;
      EarlierSlotCounts earlier = null;
      Map<String, Long> own = new HashMap<>();
      int takenBack = 0;
      // every start path moves the item on after its marks and lifts, conditioned on the
      // generation read before them, even when the item names this count already: a start path of
      // another count that marked before those lifts then fails its own move and fences again
      // (found in review: a lift removed the mark of a count this runner never fenced)
      for (int attempt = 0; attempt < 64; attempt++) {
        if (earlier == null) {
          own = new HashMap<>();
          earlier = fence(slots, current, fencedBy, own);
        }
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put("n", AttributeValue.fromN(Integer.toString(slots)));
        item.put("g", AttributeValue.fromN(Long.toString(current.generation() + 1)));
        History seen = current;
        try {
          PutItemResponse put =
              client.putItem(
                  b -> {
                    b.tableName(table)
                        .item(item)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
                    if (seen.exists()) {
                      b.conditionExpression("g = :g")
                          .expressionAttributeValues(
                              Map.of(":g", AttributeValue.fromN(Long.toString(seen.generation()))));
                    } else {
                      b.conditionExpression("attribute_not_exists(pk)");
                    }
                  });
          units.writes().accept(capacity(put.consumedCapacity()));
          return new Started(new History(true, slots, seen.generation() + 1), earlier, own);
        } catch (ConditionalCheckFailedException e) {
          GetItemResponse got =
              client.getItem(
                  b ->
                      b.tableName(table)
                          .key(key)
                          .consistentRead(true)
                          .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
          units.reads().accept(capacity(got.consumedCapacity()));
          current = History.of(got.hasItem() && !got.item().isEmpty() ? got.item() : null);
          if (!current.exists() || current.slots() != slots) {
            // another count took the item: fence it too before moving the item on again
            if (++takenBack == 3) {
              break;
            }
            earlier = null;
          }
          // else a runner of this count moved it (all of a new count's slots start at once):
          // move it on again after it, with what this runner's fence read
        }
      }
      throw new IllegalStateException(
          "split "
              + split
              + " of job "
              + job
              + ": its slot count was taken by another count three times while this runner ("
              + slots
              + " slots) started, now "
              + current.slots()
              + "; runners of several slot counts are taking the split from each other. Finish"
              + " the deploy of one slot count (docs/protocol.md, Rescaling)");
    }

    /** The checkpoints of the split under every slot count but {@code slots}. */
    public EarlierSlotCounts read(int slots) {
      EarlierSlotCounts out = new EarlierSlotCounts(new HashMap<>(), maxKeyGroups);
      for (Map<String, AttributeValue> item : checkpointItems()) {
        if (countOf(item) != slots) {
          out.add(item);
        }
      }
      return out.byCount.isEmpty() ? NONE : out;
    }

    /**
     * Fences every other slot count of the split and returns their checkpoints as fenced. The
     * counts fenced are those with a checkpoint in the split's partition, the one the counts item
     * names ({@code previous}) and those that fenced this runner ({@code fencedBy}); each of their
     * slots' checkpoints gets {@code epoch} + 1 and {@code slots} added to its mark {@link
     * #FENCED}, and a slot without a checkpoint gets one at the beginning, marked. A commit is
     * conditioned on its checkpoint's epoch and on the mark's absence, so from here on none of
     * theirs lands: one in flight fails, and a runner of theirs that reads its checkpoint later
     * finds the mark and fences this count in turn before it applies anything. Their positions as
     * fenced are final for this runner as long as its own checkpoint still has the epoch this fence
     * left ({@code ownEpochs}; the runner checks). Only then are this count's own marks lifted
     * (with {@code epoch} + 1, so that a commit of this count read before its fence still fails,
     * and {@code pr}, so that the slot's next runner reads the other counts again).
     */
    private EarlierSlotCounts fence(
        int slots, History previous, Set<Integer> fencedBy, Map<String, Long> ownEpochs) {
      List<Map<String, AttributeValue>> items = checkpointItems();
      Map<String, Map<String, AttributeValue>> bySk = new HashMap<>();
      Set<Integer> counts = new java.util.TreeSet<>();
      List<Map<String, AttributeValue>> marked = new ArrayList<>();
      for (Map<String, AttributeValue> item : items) {
        int count = countOf(item);
        if (count != slots) {
          counts.add(count);
          bySk.put(item.get(StateTables.SK).s(), item);
        } else if (item.containsKey(FENCED)) {
          marked.add(item);
        } else {
          ownEpochs.put(item.get(StateTables.SK).s(), Long.parseLong(item.get("epoch").n()));
        }
      }
      Set<Integer> named = new java.util.TreeSet<>(fencedBy);
      if (previous.exists()) {
        named.add(previous.slots());
      }
      for (int count : named) {
        if (count > 0 && count != slots && count <= maxKeyGroups) {
          counts.add(count);
        }
      }
      EarlierSlotCounts out = new EarlierSlotCounts(new HashMap<>(), maxKeyGroups);
      for (int count : counts) {
        for (int slot = 0; slot < count; slot++) {
          String sk = Layout.slotSk(count, slot);
          Map<String, AttributeValue> item = bySk.get(sk);
          out.add(item != null ? mark(item, slots) : placeholder(sk, slots));
        }
      }
      // only once the others are marked (a runner of this count that reads its checkpoint lifted
      // must find them marked: found in review)
      for (Map<String, AttributeValue> item : marked) {
        Long epoch = lift(item);
        if (epoch != null) {
          ownEpochs.put(item.get(StateTables.SK).s(), epoch);
        }
      }
      return out.byCount.isEmpty() ? NONE : out;
    }

    /** A fenced checkpoint at the beginning for a slot without one, or the slot's, fenced. */
    private Map<String, AttributeValue> placeholder(String sk, int by) {
      Map<String, AttributeValue> item =
          new HashMap<>(
              Map.of(
                  StateTables.PK,
                  AttributeValue.fromS(Layout.checkpointPk(job, split)),
                  StateTables.SK,
                  AttributeValue.fromS(sk)));
      item.put("pos", AttributeValue.fromS(Position.BEGINNING.encode()));
      item.put("epoch", AttributeValue.fromN("1"));
      item.put(FENCED, AttributeValue.fromNs(List.of(Integer.toString(by))));
      try {
        PutItemResponse put =
            client.putItem(
                b ->
                    b.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(pk)")
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        units.writes().accept(capacity(put.consumedCapacity()));
        return item;
      } catch (ConditionalCheckFailedException e) {
        return mark(item, by); // it committed meanwhile: fence that
      }
    }

    /**
     * Moves checkpoint {@code item}'s epoch on by one and marks it fenced by count {@code by};
     * returns the item after it.
     */
    private Map<String, AttributeValue> mark(Map<String, AttributeValue> item, int by) {
      UpdateItemResponse updated =
          client.updateItem(
              b ->
                  b.tableName(table)
                      .key(key(item))
                      .updateExpression("SET epoch = epoch + :one ADD " + FENCED + " :by")
                      .conditionExpression("attribute_exists(epoch)")
                      .expressionAttributeValues(
                          Map.of(
                              ":one",
                              AttributeValue.fromN("1"),
                              ":by",
                              AttributeValue.fromNs(List.of(Integer.toString(by)))))
                      .returnValues(ReturnValue.ALL_NEW)
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      units.writes().accept(capacity(updated.consumedCapacity()));
      return updated.attributes();
    }

    /**
     * Lifts the fence off checkpoint {@code item} of the count starting again, moving its epoch on
     * (a commit of this count that read it before it was fenced still fails) and setting {@code pr}
     * (its next runner reads the other counts); returns the new epoch, or null when another runner
     * of the count lifted it already.
     */
    private Long lift(Map<String, AttributeValue> item) {
      try {
        UpdateItemResponse updated =
            client.updateItem(
                b ->
                    b.tableName(table)
                        .key(key(item))
                        // pr: the next runner of the slot reads the other counts again (one that
                        // read a stale counts item with this checkpoint would trust it: review)
                        .updateExpression("SET epoch = epoch + :one, pr = :true REMOVE " + FENCED)
                        .conditionExpression("attribute_exists(" + FENCED + ")")
                        .expressionAttributeValues(
                            Map.of(
                                ":one",
                                AttributeValue.fromN("1"),
                                ":true",
                                AttributeValue.fromBool(true)))
                        .returnValues(ReturnValue.ALL_NEW)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        units.writes().accept(capacity(updated.consumedCapacity()));
        return Long.parseLong(updated.attributes().get("epoch").n());
      } catch (ConditionalCheckFailedException e) {
        return null; // another runner of this count lifted it
      }
    }

    private static Map<String, AttributeValue> key(Map<String, AttributeValue> item) {
      return Map.of(
          StateTables.PK, item.get(StateTables.PK), StateTables.SK, item.get(StateTables.SK));
    }

    /**
     * The checkpoint items of the split under every slot count the job's key groups allow: one
     * strongly consistent Query of the split's checkpoint partition.
     */
    private List<Map<String, AttributeValue>> checkpointItems() {
      List<Map<String, AttributeValue>> out = new ArrayList<>();
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
        units.reads().accept(capacity(page.consumedCapacity()));
        for (Map<String, AttributeValue> item : page.items()) {
          String sk = item.get(StateTables.SK).s();
          int hash = sk.indexOf('#');
          if (hash < 0 || !item.containsKey("pos")) {
            continue; // the slot-count item
          }
          int count = Integer.parseInt(sk.substring(0, hash));
          int slot = Integer.parseInt(sk.substring(hash + 1));
          if (count <= maxKeyGroups && slot < count) {
            out.add(item); // a count this job's key groups can have run at
          }
        }
        start =
            page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                ? page.lastEvaluatedKey()
                : null;
      } while (start != null);
      return out;
    }
  }

  private static int countOf(Map<String, AttributeValue> item) {
    String sk = item.get(StateTables.SK).s();
    return Integer.parseInt(sk.substring(0, sk.indexOf('#')));
  }

  private static double capacity(ConsumedCapacity consumed) {
    return consumed == null || consumed.capacityUnits() == null ? 0 : consumed.capacityUnits();
  }

  /** Records checkpoint item {@code item} (one of another count). */
  private void add(Map<String, AttributeValue> item) {
    String sk = item.get(StateTables.SK).s();
    int hash = sk.indexOf('#');
    int count = Integer.parseInt(sk.substring(0, hash));
    int slot = Integer.parseInt(sk.substring(hash + 1));
    Position[] positions =
        byCount.computeIfAbsent(
            count,
            c -> {
              Position[] p = new Position[c];
              Arrays.fill(p, Position.BEGINNING);
              return p;
            });
    positions[slot] = Position.decode(item.get("pos").s());
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
