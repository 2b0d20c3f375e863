package dev.tributary.state.dynamodb;

import dev.tributary.JobGraph;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.SinkSpec;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import dev.tributary.spi.ManualClock;
import dev.tributary.spi.OutputCollector;
import dev.tributary.spi.UserFunctionException;
import dev.tributary.state.dynamodb.internal.Backoff;
import dev.tributary.state.dynamodb.internal.ChangeSet;
import dev.tributary.state.dynamodb.internal.CheckpointItem;
import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import dev.tributary.state.dynamodb.internal.KeyGroupFloors;
import dev.tributary.state.dynamodb.internal.Layout;
import dev.tributary.state.dynamodb.internal.Partitions;
import dev.tributary.state.dynamodb.internal.SlotLayoutItem;
import dev.tributary.state.dynamodb.internal.TimerIndexCache;
import dev.tributary.state.dynamodb.internal.TimerItem;
import dev.tributary.state.dynamodb.internal.Uniques;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;
import software.amazon.awssdk.services.dynamodb.model.TransactionInProgressException;

/**
 * Runs the keyed stage of a job for one (split, slot) batch and commits it exactly once: the
 * protocol of docs/protocol.md. Each epoch is one TransactWriteItems holding the changed state
 * items (conditioned on their versions), timer writes, outbox pages, the slot's timers-fired-up-to
 * items and the split's checkpoint for the slot (conditioned on the epoch it was read at, which
 * fences zombies and duplicates). Batches are cut into epochs that fit a transaction; a lost
 * version race is redone from the committed state; an unknown outcome is retried with the same
 * ClientRequestToken and, past the token window, settled by reading the checkpoint.
 *
 * <p>A runner is used by one thread at a time; runners of one job may run at the same time (they
 * build their own instances of the job's functions).
 */
public final class KeyedStageRunner {
  /** The actions a DynamoDB transaction holds. */
  public static final int MAX_ACTIONS = 100;

  /** The bytes a DynamoDB transaction holds (4 MB); epochs stay below this estimate. */
  public static final long MAX_BYTES = 4_000_000L;

  /**
   * While firing timers, an epoch commits once it holds this many actions, leaving room for what
   * one firing writes.
   */
  static final int TIMER_ACTIONS = 90;

  /**
   * A batch of at most this many keys (per keyBy) runs key by key, each key's timers firing right
   * after its last record, when the whole of it then fits one epoch (see {@link #byKey}).
   */
  static final int KEY_BY_KEY_KEYS = 30;

  /** Outbox records go into pages of at most this many bytes. */
  static final int OUTBOX_PAGE_BYTES = 300 * 1024;

  private final DynamoDbClient client;
  private final StateTables tables;
  private final JobGraph graph;
  private final int maxConflictRetries;
  private final int maxCommitAttempts;
  private final Duration backoff;
  private final Map<String, Serde<Object>> sinkSerdes = new HashMap<>();

  /**
   * Per (split, slot count, slot), how many more batches run in order because the last one tried
   * key by key did not fit one epoch: a failed try costs a second run of the batch, and batches of
   * one split tend to look alike (a trailing watermark leaves many windows open). A runner is used
   * by one thread at a time.
   */
  private final Map<String, Integer> inOrderFor = new HashMap<>();

  /** Batches run in order after one that did not fit one epoch key by key. */
  static final int IN_ORDER_AFTER_MISS = 16;

  private final List<Integer> exchanges = new ArrayList<>();
  private final Map<Integer, Serde<Object>> keySerdes = new HashMap<>();

  /** The uids of the keyed operators behind each keyBy: they alone hold its records' keys. */
  private final Map<Integer, List<String>> uidsByExchange = new HashMap<>();

  /** A runner with the default retry settings. */
  public KeyedStageRunner(DynamoDbClient client, StateTables tables, JobGraph graph) {
    this(client, tables, graph, 20, 8, Duration.ofMillis(20));
  }

  /**
   * A runner.
   *
   * @param maxConflictRetries how often an epoch lost to a concurrent writer is redone
   * @param maxCommitAttempts how often a commit with an unknown outcome is retried
   * @param backoff the first delay between retries (doubling up to 2 s, with jitter: {@link
   *     Backoff})
   */
  @SuppressWarnings("unchecked")
  public KeyedStageRunner(
      DynamoDbClient client,
      StateTables tables,
      JobGraph graph,
      int maxConflictRetries,
      int maxCommitAttempts,
      Duration backoff) {
    this.client = Objects.requireNonNull(client, "client");
    this.tables = Objects.requireNonNull(tables, "tables");
    // this runner's own user-function instances: runners may work at the same time
    this.graph = Objects.requireNonNull(graph, "graph").instance();
    this.maxConflictRetries = maxConflictRetries;
    this.maxCommitAttempts = maxCommitAttempts;
    this.backoff = backoff;
    if (graph.keyedStageCount() > 1) {
      throw new IllegalArgumentException(
          "job '"
              + graph.jobName()
              + "' has "
              + graph.keyedStageCount()
              + " keyed stages; the Lambda runtime runs one keyed stage (one keyBy between the"
              + " sources and the sinks). Merge the keyed operators behind one keyBy");
    }
    for (GraphNode node : graph.exchanges()) {
      exchanges.add(node.id());
      keySerdes.put(node.id(), (Serde<Object>) ((KeyBySpec) node.spec()).keySerde());
    }
    for (GraphNode node : this.graph.nodes()) {
      if (node.uid() != null
          && node.spec().stateful()
          && node.inputs().size() == 1
          && this.graph.node(node.inputs().get(0)).spec() instanceof KeyBySpec) {
        uidsByExchange
            .computeIfAbsent(node.inputs().get(0), e -> new ArrayList<>())
            .add(node.uid());
      }
    }
    for (GraphNode node : graph.sinks()) {
      SinkSpec sink = (SinkSpec) node.spec();
      sinkSerdes.put(sink.sinkName(), (Serde<Object>) sink.serde());
    }
  }

  /**
   * Checkpoint of one (split, slot): also the generation of the split's slot-count item it was
   * written under, and whether another slot count may still be ahead of it ({@link
   * EarlierSlotCounts}).
   */
  private record Checkpoint(
      boolean exists,
      Position position,
      long epoch,
      String commitId,
      long countsGeneration,
      boolean prior,
      Set<Integer> fencedBy) {}

  /**
   * The timer item of one operator and slot: timers fired up to (event, processing), a lower bound
   * of the stored timers not fired (nextEvent, nextProcessing), its version, and the slot layout
   * generation the bounds belong to, its incarnation (random, drawn when the item is created), and
   * the key groups that slots of other counts fired further ({@link KeyGroupFloors}; only as read
   * from an item whose layout generation is trusted), and the watermark up to which every pending
   * event-time timer waits for the watermark to move ({@code held}, {@link TimerItem#hw()};
   * Long.MIN_VALUE: none).
   */
  private record Fired(
      boolean exists,
      long event,
      long processing,
      long nextEvent,
      long nextProcessing,
      long version,
      long generation,
      long incarnation,
      KeyGroupFloors floors,
      boolean sealed,
      long held) {}

  /**
   * The slot layout item of one operator as read ({@code exists}, slot count, generation), and the
   * generation this runner's slot count has: the same when the slot count did not change, else the
   * next one, which the first commit that writes a timer item stores.
   */
  private record SlotLayout(boolean exists, long slots, long generation, long ours) {
    /** Whether the layout item must be written with {@link #ours}. */
    boolean changes() {
      return !exists || generation != ours;
    }

    /** Whether a timer item written in {@code itemGeneration} has bounds that still hold. */
    boolean trusts(long itemGeneration) {
      return !changes() && itemGeneration == generation;
    }
  }

  /** A sink record waiting for its epoch's commit. */
  private record Output(String sink, byte[] value, long timestamp) {}

  private enum Outcome {
    COMMITTED,
    CONFLICT,
    FENCED,
    /** The epoch outgrew a transaction: redo it with a cut where {@link Cuts} says. */
    RECUT,
    /**
     * The epoch committed by merging the slot's timer item over another writer's: what this attempt
     * still holds (keys loaded before that writer's commit, the timer bounds) may be out of date,
     * so the rest of the batch starts again from the committed state (not a conflict).
     */
    RELOAD
  }

  /** Where epochs must end, learned from epochs that outgrew a transaction. */
  private static final class Cuts {
    final java.util.Set<Position> beforeRecord = new java.util.HashSet<>();
    boolean beforeTimers;
    int timerActions = TIMER_ACTIONS;

    /** The batch did not fit one epoch key by key (or a record failed there): run it in order. */
    boolean inOrder;

    /** The batch was tried key by key and did not fit one epoch. */
    boolean missedByKey;
  }

  /** Mutable accounting of one run. */
  private static final class Totals {
    int epochs;
    long applied;
    long skipped = -1;
    long outputs;
    long timersFired;
    int conflicts;
    int timerItemMerges;
    int keyByKeyMisses;
    int retries;
    double readUnits;
    double writeUnits;
    long deadLettered;
    long lateRecordsDropped;
    Checkpoint checkpoint;
    final List<RunReport.EpochCost> epochCosts = new ArrayList<>();
  }

  /**
   * The committed checkpoint of {@code split} at {@code slot} of {@code slots}: a strongly
   * consistent read ({@link Position#BEGINNING} and epoch 0 when nothing was committed).
   */
  public Committed committed(String split, int slot, int slots) {
    Checkpoint c =
        readCheckpoint(
            key(Layout.checkpointPk(graph.jobName(), split), Layout.slotSk(slots, slot)),
            new Totals());
    return new Committed(c.position(), c.epoch());
  }

  /**
   * A checkpoint as read.
   *
   * @param position the last committed position
   * @param epoch the epoch that committed it
   */
  public record Committed(Position position, long epoch) {}

  /** Runs a batch; returns what it committed. */
  public RunReport run(Batch batch) {
    Totals totals = new Totals();
    String split = batch.split() == null ? "~tick" : batch.split();
    KeyGroupRange range = KeyGroups.rangeOf(batch.slot(), graph.maxKeyGroups(), batch.slots());
    Cuts cuts = new Cuts();
    String lane = split + "#" + batch.slots() + "#" + batch.slot();
    Integer inOrder = inOrderFor.get(lane);
    if (inOrder != null) {
      cuts.inOrder = true;
      if (inOrder <= 1) {
        inOrderFor.remove(lane);
      } else {
        inOrderFor.put(lane, inOrder - 1);
      }
    }
    for (int attempt = 0; ; attempt++) {
      Outcome outcome = attempt(batch, split, range, totals, cuts);
      if (cuts.missedByKey) {
        cuts.missedByKey = false;
        totals.keyByKeyMisses++;
        if (inOrderFor.size() >= 1024) {
          inOrderFor.clear(); // lanes of splits that ended are never run down: forget them all
        }
        inOrderFor.put(lane, IN_ORDER_AFTER_MISS);
      }
      if (outcome == Outcome.COMMITTED) {
        return report(totals, false);
      }
      if (outcome == Outcome.FENCED) {
        return report(totals, true);
      }
      if (outcome == Outcome.RECUT || outcome == Outcome.RELOAD) {
        attempt--; // not a conflict: the next attempt cuts the epoch earlier, or reloads
        continue;
      }
      totals.conflicts++;
      if (attempt >= maxConflictRetries) {
        throw new IllegalStateException(
            "slot "
                + batch.slot()
                + " of split "
                + split
                + " lost "
                + totals.conflicts
                + " commits in a row to concurrent writers; raise maxConflictRetries or make the"
                + " source partition key match the job key so that splits do not share keys");
      }
      sleep(attempt);
    }
  }

  /** The clock a batch runs at: its own, but after the slot's fired-up-to {@code fp}. */
  private static long processingTime(long batchClock, long fp) {
    return fp == Long.MIN_VALUE ? batchClock : Math.max(batchClock, fp + 1);
  }

  private RunReport report(Totals t, boolean fenced) {
    return new RunReport(
        t.checkpoint.position(),
        t.checkpoint.epoch(),
        t.epochs,
        t.applied,
        t.skipped,
        t.outputs,
        t.timersFired,
        t.conflicts,
        t.retries,
        fenced,
        t.readUnits,
        t.writeUnits,
        t.epochCosts,
        t.deadLettered,
        t.lateRecordsDropped,
        t.timerItemMerges,
        t.keyByKeyMisses);
  }

  /** One attempt from the committed state; commits as many epochs as the batch needs. */
  private Outcome attempt(
      Batch batch, String split, KeyGroupRange range, Totals totals, Cuts cuts) {
    Map<String, AttributeValue> checkpointKey =
        key(
            Layout.checkpointPk(graph.jobName(), split),
            Layout.slotSk(batch.slots(), batch.slot()));
    Epoch[] current = new Epoch[1];
    long skipped = -1;
    DynamoDbStateBackend backend =
        new DynamoDbStateBackend(
            client, tables, range, () -> current[0] != null && current[0].timersFull());
    ManualClock clock = new ManualClock(Long.MIN_VALUE);
    OutputCollector collector =
        new OutputCollector() {
          @Override
          public void emit(String sink, Object value, long timestamp) {
            current[0].output(sink, value, timestamp);
          }

          @Override
          public void lateRecordDropped(String operatorUid, Object value, long timestamp) {
            current[0].lateRecordsDropped++;
          }
        };
    try (JobExecutor executor = new JobExecutor(graph, backend, clock, collector)) {
      // one round trip for the checkpoint, the timer items and the keys of the batch's records
      List<Map<String, AttributeValue>> starts = new ArrayList<>();
      starts.add(checkpointKey);
      String slotSk = Layout.slotSk(batch.slots(), batch.slot());
      for (String uid : backend.uids()) {
        starts.add(key(Layout.firedPk(uid), slotSk));
        starts.add(key(Layout.firedPk(uid), Layout.SLOT_LAYOUT));
      }
      Map<String, AttributeValue> historyKey = EarlierSlotCounts.historyKey(graph.jobName(), split);
      if (!batch.records().isEmpty()) {
        starts.add(historyKey);
      }
      Map<String, List<Object>> keys = keysOf(batch.records());
      // and the keys whose timers are likely due by the batch's end (the process's cache of the
      // slot's timer index, as its last commit here left it)
      backend.guessDue(
          keys,
          batch.slots(),
          batch.slot(),
          Math.max(batch.watermark(), batch.inputWatermark()),
          batch.processingTime());
      Map<Map<String, AttributeValue>, Map<String, AttributeValue>> found =
          backend.prefetch(keys, starts);
      Checkpoint checkpoint = checkpoint(found.get(checkpointKey));
      totals.checkpoint = checkpoint;
      // records applied under another slot count are passed, not applied again
      SlotCounts counts = SlotCounts.unread(checkpoint);
      if (!batch.records().isEmpty()) {
        counts =
            slotCounts(
                batch,
                split,
                checkpoint,
                EarlierSlotCounts.History.of(found.get(historyKey)),
                checkpointKey,
                totals);
        checkpoint = counts.checkpoint();
      }
      EarlierSlotCounts earlier = counts.earlier();
      Pending toRun = pending(batch.records(), checkpoint.position(), earlier);
      List<KeyedRecord> pending = toRun.records();
      Set<Position> appliedEarlier = toRun.appliedEarlier();
      skipped = toRun.skipped();
      Map<String, Fired> fired = new LinkedHashMap<>();
      Map<String, SlotLayout> layouts = new LinkedHashMap<>();
      for (String uid : backend.uids()) {
        SlotLayout layout =
            slotLayout(found.get(key(Layout.firedPk(uid), Layout.SLOT_LAYOUT)), batch.slots());
        layouts.put(uid, layout);
        backend.layoutOf(uid, batch.slots() + "#" + layout.ours());
        Fired f = fired(found.get(key(Layout.firedPk(uid), slotSk)), layout);
        fired.put(uid, f);
        if (trusted(f, layout) && f.incarnation() != 0) {
          backend.timerIndexAt(
              uid,
              new TimerIndexCache.SlotKey(
                  tables.state(), uid, batch.slots(), batch.slot(), f.incarnation()),
              f.version(),
              f.generation());
        } else if (f.exists()) {
          // not trusted (sealed, a placeholder, another layout generation): what the process
          // holds of the slot's index is out of date
          backend.timerIndexUnknown(uid, batch.slots(), batch.slot());
        }
      }
      // the slot fired up to the highest of its operators' timer items: a commit that fires
      // writes the item of every operator of its job with the watermark up to which all their
      // timers fired, so a lower item is one left behind (its operator was not in the job then:
      // added since, or removed and added again; its pending timers, bounded by its `ne`, fire
      // first), and an operator without an item has fired nothing
      long firedEvent = Long.MIN_VALUE;
      long firedProcessing = Long.MIN_VALUE;
      long[] storedNext = {Long.MAX_VALUE, Long.MAX_VALUE};
      for (Fired f : fired.values()) {
        if (f.exists()) {
          firedEvent = Math.max(firedEvent, f.event());
          firedProcessing = Math.max(firedProcessing, f.processing());
        }
        storedNext[0] = Math.min(storedNext[0], f.nextEvent());
        storedNext[1] = Math.min(storedNext[1], f.nextProcessing());
      }
      // after a slot-count change, the slot's key groups that slots of another count fired further
      // than this slot did: a record of one is late as it was there, or it would open a window
      // that already fired, and that window would fire twice. Read from the other counts' timer
      // items until the slot's own item of this layout generation is written, which carries them
      KeyGroupFloors floors = KeyGroupFloors.NONE;
      for (String uid : backend.uids()) {
        Fired f = fired.get(uid);
        SlotLayout layout = layouts.get(uid);
        if (trusted(f, layout)) {
          floors = floors.max(f.floors(), range);
        } else if (f.sealed()
            || (layout.exists() && (layout.generation() > 1 || layout.changes()))) {
          if (!f.exists()) {
            // an item to seal, before the partition is read: a commit of another count after
            // the read seals it (below), which fails this slot's next commit of its item
            f = placeholder(uid, batch, layout, totals);
            if (f == null) {
              return Outcome.RELOAD; // another runner of the slot wrote one: read it
            }
            fired.put(uid, f);
          }
          OtherCounts other = otherCounts(uid, batch.slots(), range, totals, layout);
          OtherCounts sealed = seal(uid, other.toSeal(), range, totals);
          if (sealed == null) {
            return Outcome.CONFLICT; // an item is in a transaction under way: read them again
          }
          floors = floors.max(other.floors(), range).max(sealed.floors(), range);
          // processing time has no late records: records run after every old slot's fp, so none
          // lands in a processing-time window one of them fired (its later timers fire after)
          firedProcessing =
              Math.max(firedProcessing, Math.max(other.processing(), sealed.processing()));
        }
      }
      floors = floors.above(firedEvent);
      if (!floors.isEmpty()) {
        executor.floorWatermarks(floors::floor, floors.highest());
      }
      Epoch epoch =
          new Epoch(batch, split, checkpointKey, checkpoint, fired, layouts, backend, totals, cuts);
      epoch.floors = floors;
      current[0] = epoch;
      epoch.afterCommit = executor::resetKeyContexts;
      epoch.fe = firedEvent;
      epoch.fp = firedProcessing;
      epoch.storedNext = storedNext;
      epoch.countsGeneration = counts.generation();
      epoch.earlier = earlier;
      epoch.range = range;
      Position last = checkpoint.position();
      // first the watermark in effect before the records: event-time timers up to it fire before
      // the records are seen, as they would have in Flink (processing time does not move yet)
      long before = Math.max(batch.inputWatermark(), firedEvent);
      // then the records run at `now`, after every processing-time timer up to fp fired (strictly
      // later than fp, or a record could land in a window that another split has fired and open it
      // again), and at the end due timers fire up to `watermark` and `now`
      long watermark = Math.max(batch.watermark(), before);
      long now = processingTime(batch.processingTime(), firedProcessing);
      epoch.firesUpTo = watermark;
      epoch.runsAt = now;
      if (before > Long.MIN_VALUE) {
        clock.set(firedProcessing);
        if (heldUpTo(fired, layouts) >= before) {
          // every timer due at `before` was registered at or behind it by records of a batch under
          // way (this one, run again from a commit among its records): they wait for the watermark
          // to move past it, after the records, as in the run that registered them
          for (int exchange : exchanges) {
            executor.injectWatermark(exchange, before);
          }
        } else {
          Outcome o = fireTimers(executor, backend, epoch, last, before, firedProcessing, false);
          if (o != Outcome.COMMITTED) {
            return o;
          }
        }
        epoch.timePhase = false;
        epoch.held = before;
        // every event-time timer up to `before` has fired: an epoch committed among the records
        // holds those firings, so its fired-up-to must say so
        epoch.fe = Math.max(epoch.fe, before);
      }
      if (!floors.isEmpty()) {
        // then, per key of the records in a key group with a floor past `before`, its stored
        // timers up to the floor, as the slot that fired the key group that far would have fired
        // them before these records; paused and committed whenever the epoch fills up
        clock.set(firedProcessing);
        epoch.timePhase = true;
        Outcome o = catchUp(executor, epoch, pending, appliedEarlier, last);
        if (o != Outcome.COMMITTED) {
          return o;
        }
        epoch.timePhase = false;
      }
      clock.set(now);
      Map<Position, DeadLetter> setAside = new HashMap<>();
      batch.deadLetters().forEach(d -> setAside.put(d.position(), d));
      List<List<KeyedRecord>> ofKeys =
          byKey(pending, appliedEarlier, cuts, floors, setAside, before, watermark);
      if (ofKeys != null) {
        // key by key, each key's event-time timers up to the watermark firing right after its
        // last record: the windows that open and close within the batch then never reach the
        // tables, and the batch fits one epoch (or is run again in order)
        epoch.byKey = true;
        if (!runByKey(executor, epoch, ofKeys, watermark, cuts)) {
          return Outcome.RECUT;
        }
        last = pending.get(pending.size() - 1).position();
        epoch.lastRecord = last;
        pending = List.of();
      }
      if (!pending.isEmpty()) {
        Position[] through = {last};
        Outcome o =
            runInOrder(
                executor, backend, epoch, pending, appliedEarlier, setAside, cuts, split, through);
        if (o != Outcome.COMMITTED) {
          return o;
        }
        last = through[0];
      }
      if (epoch.recordCount > 0 && cuts.beforeTimers) {
        Outcome o = epoch.commit(last, epoch.fe, epoch.fp);
        if (o != Outcome.COMMITTED) {
          return o;
        }
      }
      // then time: due timers up to the watermark and the clock fire, in epochs that fit
      Outcome o = fireTimers(executor, backend, epoch, last, watermark, now, true);
      if (o != Outcome.COMMITTED) {
        return o;
      }
      return epoch.commit(last, watermark, now);
    } finally {
      if (totals.skipped < 0 && skipped >= 0) {
        totals.skipped = skipped; // as of the first attempt: later ones also skip our own commits
      }
      totals.readUnits += backend.readUnits();
      totals.writeUnits += backend.cleanupWriteUnits();
    }
  }

  /*
   * The phases of an attempt below run in methods of their own, not inline in attempt(): each
   * loops over the batch's records but runs once per attempt, so the JIT compiler reaches them by
   * on-stack replacement, and one method of all the phases cost it about a second of CPU per
   * compilation, several times over (once per loop it entered), in the runs that mattered.
   */

  /**
   * Each record's key in the stores of the operators behind its keyBy only: another keyBy's keys
   * may be of another type, and the one added in front of a sink has no store at all.
   */
  private Map<String, List<Object>> keysOf(List<KeyedRecord> records) {
    Map<String, List<Object>> keys = new LinkedHashMap<>();
    for (KeyedRecord r : records) {
      for (String uid : uidsByExchange.getOrDefault(r.exchange(), List.of())) {
        keys.computeIfAbsent(uid, u -> new ArrayList<>()).add(r.key());
      }
    }
    return keys;
  }

  /**
   * The records of a batch still to run.
   *
   * @param records those after the checkpoint, in position order, each position once
   * @param appliedEarlier the positions among them applied under another slot count (passed, not
   *     run again)
   * @param skipped the records not to run: at or before the checkpoint, applied earlier, or
   *     delivered twice
   */
  private record Pending(List<KeyedRecord> records, Set<Position> appliedEarlier, long skipped) {}

  private Pending pending(
      List<KeyedRecord> records, Position checkpoint, EarlierSlotCounts earlier) {
    List<KeyedRecord> pending = new ArrayList<>();
    Set<Position> appliedEarlier = new HashSet<>();
    long skipped = 0;
    for (KeyedRecord r : records) {
      if (r.position().compareTo(checkpoint) > 0) {
        pending.add(r);
        if (earlier != null && earlier.covers(keyGroupOf(r), r.position())) {
          appliedEarlier.add(r.position());
        }
      } else {
        skipped++;
      }
    }
    skipped += appliedEarlier.size();
    pending.sort((a, b) -> a.position().compareTo(b.position()));
    // a record delivered twice in one batch (a duplicated sequence number) is applied once
    for (int i = pending.size() - 1; i > 0; i--) {
      if (pending.get(i).position().equals(pending.get(i - 1).position())) {
        pending.remove(i);
        skipped++;
      }
    }
    return new Pending(pending, appliedEarlier, skipped);
  }

  /**
   * Per key of the records, its stored timers up to its key group's floor, committing whenever the
   * epoch fills up; {@link Outcome#COMMITTED} when all caught up.
   */
  private static Outcome catchUp(
      JobExecutor executor,
      Epoch epoch,
      List<KeyedRecord> pending,
      Set<Position> appliedEarlier,
      Position last) {
    Set<Object> seen = new HashSet<>();
    for (KeyedRecord r : pending) {
      if (appliedEarlier.contains(r.position()) || !seen.add(List.of(r.exchange(), r.key()))) {
        continue;
      }
      while (!executor.catchUp(r.exchange(), r.key())) {
        Outcome o = epoch.commit(last, epoch.fe, epoch.fp);
        if (o != Outcome.COMMITTED) {
          return o;
        }
      }
    }
    return Outcome.COMMITTED;
  }

  /**
   * Runs the keys' records key by key, each key's event-time timers up to {@code watermark} firing
   * after its last record; false (with the cuts set to run the batch in order) when a record failed
   * or the batch outgrew one epoch.
   */
  private static boolean runByKey(
      JobExecutor executor,
      Epoch epoch,
      List<List<KeyedRecord>> ofKeys,
      long watermark,
      Cuts cuts) {
    for (List<KeyedRecord> records : ofKeys) {
      for (KeyedRecord r : records) {
        try {
          executor.injectKeyed(r.exchange(), r.key(), r.value(), r.timestamp());
        } catch (UserFunctionException e) {
          cuts.inOrder = true; // in order, the records before it commit first
          return false;
        }
        epoch.recordCount++;
      }
      KeyedRecord any = records.get(0);
      if (!executor.fireKeyTimers(any.exchange(), any.key(), watermark)
          || epoch.isFull(MAX_ACTIONS)) {
        cuts.inOrder = true;
        cuts.missedByKey = true;
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the records in position order, committing an epoch where a cut says or when it is full;
   * {@code last} holds the position the checkpoint passes so far, in and out. {@link
   * Outcome#COMMITTED} when every record ran (the last epoch still open).
   */
  private static Outcome runInOrder(
      JobExecutor executor,
      DynamoDbStateBackend backend,
      Epoch epoch,
      List<KeyedRecord> pending,
      Set<Position> appliedEarlier,
      Map<Position, DeadLetter> setAside,
      Cuts cuts,
      String split,
      Position[] last) {
    for (KeyedRecord r : pending) {
      if (appliedEarlier.contains(r.position())) {
        last[0] = r.position(); // the checkpoint passes it: applied under another slot count
        continue;
      }
      if ((epoch.recordCount > 0 || backend.firedInEpoch() > 0)
          && cuts.beforeRecord.contains(r.position())) {
        Outcome o = epoch.commit(last[0], epoch.fe, epoch.fp);
        if (o != Outcome.COMMITTED) {
          return o;
        }
      }
      DeadLetter letter = setAside.get(r.position());
      if (letter != null) {
        epoch.deadLetters.add(letter);
      } else {
        try {
          executor.injectKeyed(r.exchange(), r.key(), r.value(), r.timestamp());
        } catch (UserFunctionException e) {
          if (epoch.recordCount > 0) {
            // commit the records before it first (redo the epoch, cut before this record)
            cuts.beforeRecord.add(r.position());
            return Outcome.RECUT;
          }
          throw new PoisonRecordException(split, r.position(), e);
        }
      }
      last[0] = r.position();
      epoch.recordCount++;
      epoch.lastRecord = last[0];
      if (epoch.isFull(MAX_ACTIONS)) {
        Outcome o = epoch.commit(last[0], epoch.fe, epoch.fp);
        if (o != Outcome.COMMITTED) {
          return o;
        }
      }
    }
    return Outcome.COMMITTED;
  }

  /**
   * Fires the event-time timers up to {@code watermark} (and, with {@code processing}, the
   * processing-time timers up to {@code now}), reading the stored ones only when the slot's bound
   * says one is due, and committing whenever the epoch fills up. Leaves the last epoch open.
   */
  private Outcome fireTimers(
      JobExecutor executor,
      DynamoDbStateBackend backend,
      Epoch epoch,
      Position last,
      long watermark,
      long now,
      boolean processing) {
    long processingBound = processing ? now : Long.MIN_VALUE;
    if (processing) {
      epoch.held = Long.MIN_VALUE; // the watermark moves: every timer up to it fires
    }
    boolean eventDue = epoch.storedNext[0] <= watermark;
    boolean processingDue = processing && epoch.storedNext[1] <= processingBound;
    if (eventDue || processingDue) {
      epoch.storedNext =
          backend.loadDueTimers(eventDue, watermark, processingDue, now, epoch.storedNext);
    }
    if (!processing) {
      // before the records: a timer due now that a loaded key lists but the index read missed
      // (the slot's timer item read before a concurrent commit that stored it, the key after it)
      // fires now too, as in Flink, not after the key's record
      backend.loadListedDueTimers(watermark);
    }
    epoch.timePhase = true;
    for (int exchange : exchanges) {
      executor.injectWatermark(exchange, watermark);
    }
    while (true) {
      executor.fireDueTimers();
      if (!backend.hasDueTimers(watermark, processingBound)) {
        if (processing) {
          // every event-time timer up to the watermark has fired: the last commit claims none is
          // pending up to it, so that a merge with a commit among another batch's records keeps
          // that batch's claim (a timer its records registered behind the watermark waits)
          epoch.held = watermark;
        }
        return Outcome.COMMITTED;
      }
      if (backend.firedInEpoch() == 0 && !epoch.timersFull()) {
        throw new IllegalStateException(
            "timers due up to "
                + watermark
                + " / "
                + processingBound
                + " did not fire (operator watermark "
                + executor.outputWatermark()
                + ")");
      }
      if (epoch.byKey) {
        // timers fired key by key are in this epoch: committed with a fired-up-to short of
        // them, another split's record could open a window fired here, which would fire twice
        epoch.cuts.inOrder = true;
        epoch.cuts.missedByKey = true;
        return Outcome.RECUT;
      }
      // the epoch filled up while firing: commit what fired so far, then go on
      long nextEvent = backend.earliestEventTimer();
      long nextProcessing = backend.earliestProcessingTimer();
      Outcome o =
          epoch.commit(
              last,
              // some timers at nextEvent / nextProcessing may have fired in this epoch already:
              // fired-up-to covers them (the rest are at or below it and fire first next time)
              Math.min(watermark, nextEvent),
              Math.min(now, nextProcessing));
      if (o != Outcome.COMMITTED) {
        return o;
      }
    }
  }

  /** The writes of one epoch and its commit. */
  private final class Epoch {
    final Batch batch;
    final String split;
    final Map<String, AttributeValue> checkpointKey;
    Checkpoint checkpoint;
    final Map<String, Fired> fired;
    final Map<String, SlotLayout> layouts;
    final DynamoDbStateBackend backend;
    final List<Output> outputs = new ArrayList<>();
    long outputBytes;
    final Totals totals;
    final Cuts cuts;
    long fe;
    long fp;

    /** Lower bounds of the stored timers that are not in memory (event, processing). */
    long[] storedNext;

    /** The generation of the split's slot-count item the checkpoint is written under. */
    long countsGeneration;

    /**
     * The other slot counts' checkpoints, when this attempt read them (null: it did not need to,
     * the checkpoint was already past them).
     */
    EarlierSlotCounts earlier;

    /** The slot's key groups. */
    KeyGroupRange range;

    /**
     * Key groups of the slot that slots of another count fired further than the slot's fe: every
     * timer item the epoch writes carries them until its fe passes them.
     */
    KeyGroupFloors floors = KeyGroupFloors.NONE;

    /** Records applied in this epoch, and the last of them. */
    int recordCount;

    Position lastRecord;

    /** Whether the records are done and timers are firing. */
    boolean timePhase;

    /** Whether the batch's records ran key by key, their timers firing after each key's last. */
    boolean byKey;

    /**
     * While the records run: the watermark in force before them, up to which every event-time timer
     * has fired except those the records register at or behind it, which wait for the watermark to
     * move (written to the timer item, {@link TimerItem#hw()}). Long.MIN_VALUE before the records
     * and while the time phase fires; its watermark once every timer up to it fired.
     */
    long held = Long.MIN_VALUE;

    /** Records set aside in this epoch. */
    final List<DeadLetter> deadLetters = new ArrayList<>();

    /** Records a window dropped as late in this epoch. */
    long lateRecordsDropped;

    /** The write units of the last commit that answered. */
    double lastCommitUnits;

    /**
     * Run after each commit: the executor forgets its operators' cached current keys, so that the
     * next epoch's first use of a key goes through the store again and counts as an access of that
     * epoch (see {@link DynamoDbStateBackend#everyKeyReadIsConditioned}).
     */
    Runnable afterCommit = () -> {};

    /**
     * The furthest this attempt fires and runs: the watermark its timers fire up to (its batch's
     * watermarks and the slot's fired-up-to as read) and the clock its records run at.
     */
    long firesUpTo = Long.MIN_VALUE;

    long runsAt = Long.MIN_VALUE;

    /** The cancellation reasons of the last commit lost to a concurrent writer. */
    List<CancellationReason> lastReasons = List.of();

    Epoch(
        Batch batch,
        String split,
        Map<String, AttributeValue> checkpointKey,
        Checkpoint checkpoint,
        Map<String, Fired> fired,
        Map<String, SlotLayout> layouts,
        DynamoDbStateBackend backend,
        Totals totals,
        Cuts cuts) {
      this.batch = batch;
      this.split = split;
      this.checkpointKey = checkpointKey;
      this.checkpoint = checkpoint;
      this.fired = new LinkedHashMap<>(fired);
      this.layouts = new LinkedHashMap<>(layouts);
      this.backend = backend;
      this.totals = totals;
      this.cuts = cuts;
    }

    void output(String sink, Object value, long timestamp) {
      byte[] bytes = sinkSerdes.get(sink).serialize(value);
      outputs.add(new Output(sink, bytes, timestamp));
      outputBytes += recordBytes(sink, bytes);
    }

    /**
     * Whether the epoch's estimated actions reach {@code actions} or its outputs most of a
     * transaction's bytes. State sizes are not estimated per record (that would re-encode the
     * state): an epoch whose state outgrows 4 MB is cut at commit time and redone ({@link #recut}).
     */
    boolean isFull(int actions) {
      int pages = outputs.isEmpty() ? 0 : (int) (outputBytes / OUTBOX_PAGE_BYTES) + 1;
      return backend.pendingWrites() + pages + fixedActions() >= actions
          || outputBytes >= MAX_BYTES * 3 / 4;
    }

    /**
     * The actions the epoch writes however little it holds: the checkpoint, and when it writes
     * them, one timer item per keyed operator and the layout items that move.
     */
    private int fixedActions() {
      boolean timerItems = timePhase || backend.firedInEpoch() > 0 || backend.changesTimerIndex();
      int layoutItems = 0;
      for (SlotLayout layout : layouts.values()) {
        layoutItems += layout.changes() ? 1 : 0;
      }
      return (timerItems ? fired.size() + layoutItems : 0) + 1;
    }

    /** Whether firing must pause for a commit. */
    boolean timersFull() {
      // an epoch writes its timer items and its checkpoint however little fires: with several
      // keyed operators, recut can halve the cut down to no more than those, and then every epoch
      // would be full before its first firing and commit nothing, forever. So the cut stays above
      // them: each epoch lets at least one firing in
      return timePhase && isFull(Math.max(cuts.timerActions, fixedActions() + 1));
    }

    /** Commits everything pending with the checkpoint at {@code through}. */
    Outcome commit(Position through, long newFe, long newFp) {
      ChangeSet changes = new ChangeSet();
      backend.collect(changes);
      long epochNumber = checkpoint.epoch() + 1;
      int page = 0;
      List<Map<String, AttributeValue>> records = new ArrayList<>();
      long pageBytes = 0;
      for (Output o : outputs) {
        Map<String, AttributeValue> record = new HashMap<>();
        record.put("s", AttributeValue.fromS(o.sink()));
        record.put("v", AttributeValue.fromB(SdkBytes.fromByteArray(o.value())));
        if (o.timestamp() != Long.MIN_VALUE) {
          record.put("t", AttributeValue.fromN(Long.toString(o.timestamp())));
        }
        long size = recordBytes(o.sink(), o.value());
        if (pageBytes + size > OUTBOX_PAGE_BYTES && !records.isEmpty()) {
          addPage(changes, epochNumber, page++, records, pageBytes);
          records = new ArrayList<>();
          pageBytes = 0;
        }
        records.add(record);
        pageBytes += size;
      }
      if (!records.isEmpty()) {
        addPage(changes, epochNumber, page, records, pageBytes);
      }
      // the timer item changes when timers fire (fired-up-to advances), new timers are stored (the
      // bound of the earliest may drop) or stored ones are deleted (its version tells readers of
      // the index that it changed: TimerIndexCache): two epochs doing any of it on one slot
      // conflict here
      long[] pending = backend.earliestPending();
      // a loaded key that lists a timer below the bound read (the slot's timer item read before a
      // concurrent commit that stored it, the key after it) lowers the bound, so the commit writes
      // the timer item under the version read and fails when that copy was out of date: nothing
      // else may catch it when the epoch changes no timer (and, with `hw`, fires nothing before its
      // records), and the timer would fire after records that come after the batch that saw it
      long[] listed = backend.earliestListed();
      long nextEvent = Math.min(storedNext[0], Math.min(pending[0], listed[0]));
      long nextProcessing = Math.min(storedNext[1], Math.min(pending[1], listed[1]));
      boolean firedAny = backend.firedInEpoch() > 0;
      boolean changesIndex = backend.changesTimerIndex();
      Map<String, Fired> written = new LinkedHashMap<>();
      Map<Integer, String> timerItemAt = new HashMap<>();
      Map<String, SlotLayout> layoutsWritten = new LinkedHashMap<>();
      for (Map.Entry<String, Fired> e : fired.entrySet()) {
        Fired f = e.getValue();
        SlotLayout layout = layouts.get(e.getKey());
        if (!firedAny
            && !changesIndex
            && f.nextEvent() == nextEvent
            && f.nextProcessing() == nextProcessing) {
          continue;
        }
        Fired next =
            new Fired(
                true,
                Math.max(newFe, f.event()),
                Math.max(newFp, f.processing()),
                nextEvent,
                nextProcessing,
                f.version() + 1,
                layout.ours(),
                f.exists() && f.incarnation() != 0
                    ? f.incarnation()
                    : Uniques.next(1, Long.MAX_VALUE),
                floors.above(Math.max(newFe, f.event())),
                false,
                held);
        written.put(e.getKey(), next);
        timerItemAt.put(changes.items().size(), e.getKey());
        changes.add(timerItemPut(e.getKey(), next, f), 150 + 40L * next.floors().runs());
        if (layout.changes()) {
          // the first timer item of a new slot count: the layout item moves to its generation
          changes.add(layoutPut(e.getKey(), layout, batch.slots()), 100);
          layoutsWritten.put(
              e.getKey(), new SlotLayout(true, batch.slots(), layout.ours(), layout.ours()));
        }
      }
      for (DeadLetter d : deadLetters) {
        Map<String, AttributeValue> item =
            DeadLetterItem.of(
                graph.jobName(),
                split,
                d.position().encode() + "#" + batch.slots() + "#" + batch.slot(),
                d.payload(),
                d.error(),
                d.attempts(),
                d.metadata(),
                batch.slot());
        changes.add(
            TransactWriteItem.builder()
                .put(Put.builder().tableName(tables.deadLetters()).item(item).build())
                .build(),
            DeadLetterItem.bytes(item) + 200L);
      }
      boolean moved = through.compareTo(checkpoint.position()) > 0;
      if (changes.items().isEmpty() && !moved) {
        return Outcome.COMMITTED; // nothing to do
      }
      // the checkpoint goes last: its index tells a fence from a conflict. It carries a random
      // commit id, which tells our own commit from a duplicate's when the outcome was lost
      String token = UUID.randomUUID().toString();
      changes.add(checkpointPut(through, epochNumber, token), 150);
      if (changes.items().size() > MAX_ACTIONS || changes.bytes() > MAX_BYTES) {
        return recut(changes);
      }
      lastCommitUnits = 0;
      Outcome outcome = execute(request(changes, token), token);
      Map<String, Long> mergedFrom = new HashMap<>();
      for (int merges = 0; outcome == Outcome.CONFLICT && merges < maxConflictRetries; merges++) {
        // lost only the slot's timer item to a writer that did not touch our keys: merge it
        Map<String, Fired> now = timerItemsNow(timerItemAt);
        if (now == null) {
          break;
        }
        for (Map.Entry<Integer, String> at : timerItemAt.entrySet()) {
          Fired current = now.get(at.getValue());
          if (current == null) {
            continue; // its condition held
          }
          Fired merged = merge(written.get(at.getValue()), current);
          written.put(at.getValue(), merged);
          mergedFrom.put(at.getValue(), current.version());
          changes.items().set(at.getKey(), timerItemPut(at.getValue(), merged, current));
        }
        token = UUID.randomUUID().toString();
        changes.items().set(changes.items().size() - 1, checkpointPut(through, epochNumber, token));
        totals.timerItemMerges++;
        outcome = execute(request(changes, token), token);
      }
      if (outcome != Outcome.COMMITTED) {
        return outcome;
      }
      mergedFrom.forEach(backend::timerIndexSeen);
      totals.timersFired += backend.firedInEpoch();
      totals.lateRecordsDropped += lateRecordsDropped;
      totals.epochCosts.add(
          new RunReport.EpochCost(
              epochNumber,
              through,
              changes.items().size(),
              recordCount,
              outputs.size(),
              lastCommitUnits));
      for (Map.Entry<String, Fired> w : written.entrySet()) {
        Fired read = fired.get(w.getKey());
        Fired now = w.getValue();
        if (!read.exists()
            && read.nextEvent() == Long.MAX_VALUE
            && read.nextProcessing() == Long.MAX_VALUE
            && !mergedFrom.containsKey(w.getKey())) {
          // no timer item and nothing stored (fired()): the index was empty, now it holds ours
          backend.timerIndexCreated(
              w.getKey(),
              new TimerIndexCache.SlotKey(
                  tables.state(), w.getKey(), batch.slots(), batch.slot(), now.incarnation()),
              now.version(),
              now.generation());
        } else {
          backend.timerIndexCommitted(w.getKey(), now.version());
        }
      }
      changes.committed();
      backend.cleanGarbage();
      totals.epochs++;
      totals.outputs += outputs.size();
      totals.applied += recordCount - deadLetters.size();
      totals.deadLettered += deadLetters.size();
      deadLetters.clear();
      recordCount = 0;
      outputs.clear();
      outputBytes = 0;
      checkpoint =
          new Checkpoint(
              true, through, epochNumber, token, countsGeneration, prior(through), Set.of());
      totals.checkpoint = checkpoint;
      fired.putAll(written);
      layouts.putAll(layoutsWritten);
      fe = Math.max(fe, newFe);
      fp = Math.max(fp, newFp);
      afterCommit.run();
      return mergedFrom.isEmpty() ? Outcome.COMMITTED : Outcome.RELOAD;
    }

    /**
     * The epoch outgrew a transaction: learn where to cut it and redo the attempt; when no cut can
     * help (one record or one timer alone is too big), fail with what and where.
     */
    private Outcome recut(ChangeSet changes) {
      if (timePhase && recordCount > 0) {
        cuts.beforeTimers = true;
        return Outcome.RECUT;
      }
      if (!timePhase && recordCount > 1) {
        cuts.beforeRecord.add(lastRecord);
        return Outcome.RECUT;
      }
      if (!timePhase
          && recordCount == 1
          && backend.firedInEpoch() > 0
          && cuts.beforeRecord.add(lastRecord)) {
        // the firings before the records (catch-up, or up to `before`) were left open: commit
        // them before the record
        return Outcome.RECUT;
      }
      if (timePhase && backend.firedInEpoch() > 1 && cuts.timerActions > 2) {
        cuts.timerActions = Math.max(2, cuts.timerActions / 2);
        return Outcome.RECUT;
      }
      throw new StateTooLargeException(
          (timePhase
                  ? "one timer firing"
                  : "the record at position " + lastRecord + " of split " + split)
              + " on slot "
              + batch.slot()
              + " changes "
              + changes.items().size()
              + " items ("
              + changes.bytes()
              + " bytes), more than one DynamoDB transaction holds ("
              + MAX_ACTIONS
              + " items, 4 MB); emit fewer or smaller outputs per record, or touch fewer map"
              + " entries at once");
    }

    private void addPage(
        ChangeSet changes,
        long epochNumber,
        int page,
        List<Map<String, AttributeValue>> records,
        long bytes) {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put(
          StateTables.PK,
          AttributeValue.fromS(
              Layout.outboxPk(graph.jobName(), split, batch.slots(), batch.slot())));
      item.put(StateTables.SK, AttributeValue.fromS(Layout.outboxSk(epochNumber, page)));
      item.put("r", AttributeValue.fromL(records.stream().map(AttributeValue::fromM).toList()));
      changes.add(
          TransactWriteItem.builder()
              .put(
                  Put.builder()
                      .tableName(tables.outbox())
                      .item(item)
                      .conditionExpression("attribute_not_exists(pk)")
                      .build())
              .build(),
          bytes + 100);
    }

    /**
     * Whether another slot count may still have committed records of this slot after {@code
     * through}: as read by this attempt, or as the checkpoint said when it did not read them.
     */
    private boolean prior(Position through) {
      return earlier == null ? checkpoint.prior() : !earlier.settled(range, through);
    }

    /** The transaction of {@code changes} with {@code token}. */
    private TransactWriteItemsRequest request(ChangeSet changes, String token) {
      return TransactWriteItemsRequest.builder()
          .transactItems(changes.items())
          .clientRequestToken(token)
          .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
          .build();
    }

    /**
     * The split's checkpoint at {@code through} as epoch {@code epochNumber} with commit id {@code
     * token}, conditioned on the epoch read (or on its absence).
     */
    private TransactWriteItem checkpointPut(Position through, long epochNumber, String token) {
      Map<String, AttributeValue> item =
          CheckpointItem.SCHEMA.itemToMap(
              new CheckpointItem(
                  checkpointKey.get(StateTables.PK).s(),
                  checkpointKey.get(StateTables.SK).s(),
                  through.encode(),
                  epochNumber,
                  token,
                  countsGeneration,
                  prior(through)),
              true);
      Put.Builder put = Put.builder().tableName(tables.state()).item(item);
      if (checkpoint.exists()) {
        // and not fenced by another slot count since (EarlierSlotCounts)
        put.conditionExpression(
                "epoch = :epoch AND attribute_not_exists(" + EarlierSlotCounts.FENCED + ")")
            .expressionAttributeValues(Map.of(":epoch", num(checkpoint.epoch())));
      } else {
        put.conditionExpression("attribute_not_exists(pk)");
      }
      return TransactWriteItem.builder().put(put.build()).build();
    }

    /**
     * Operator {@code uid}'s timer item as {@code next}, conditioned on the version of {@code read}
     * (or on its absence); a failed condition returns the item as it is, for {@link #merge}.
     */
    private TransactWriteItem timerItemPut(String uid, Fired next, Fired read) {
      Map<String, AttributeValue> item =
          TimerItem.SCHEMA.itemToMap(
              new TimerItem(
                  Layout.firedPk(uid),
                  Layout.slotSk(batch.slots(), batch.slot()),
                  next.event(),
                  next.processing(),
                  next.nextEvent(),
                  next.nextProcessing(),
                  next.version(),
                  next.generation(),
                  next.incarnation(),
                  next.floors().toList(),
                  null,
                  next.held() == Long.MIN_VALUE ? null : next.held()),
              true);
      Put.Builder put =
          Put.builder()
              .tableName(tables.state())
              .item(item)
              .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
      conditioned(put, read.exists(), "v", read.version());
      return TransactWriteItem.builder().put(put.build()).build();
    }

    /**
     * When the last commit failed only on timer items ({@code timerItemAt}: action index to
     * operator), each such item as it is now, by operator; null when anything else failed too, or
     * an item is of another incarnation or layout generation or has other floors than the one read,
     * or this commit writes the layout item, or a key the epoch read or changed is not written
     * under its version condition (read only, created and emptied again, an index item checked
     * against it): then the epoch is redone.
     */
    private Map<String, Fired> timerItemsNow(Map<Integer, String> timerItemAt) {
      if (!backend.everyKeyReadIsConditioned()) {
        return null; // a key this epoch depends on could have changed unseen: redo
      }
      Map<String, Fired> now = new HashMap<>();
      for (int i = 0; i < lastReasons.size(); i++) {
        CancellationReason reason = lastReasons.get(i);
        if (!"ConditionalCheckFailed".equals(reason.code())) {
          continue;
        }
        String uid = timerItemAt.get(i);
        if (uid == null || !reason.hasItem() || reason.item().isEmpty()) {
          return null;
        }
        Fired read = fired.get(uid);
        SlotLayout layout = layouts.get(uid);
        Fired current = fired(reason.item(), layout);
        if (!read.exists()
            || layout.changes()
            || current.sealed()
            || current.incarnation() != read.incarnation()
            || current.generation() != read.generation()
            || current.event() != read.event()
            || current.processing() >= runsAt
            || current.nextEvent() <= firesUpTo
            || current.nextProcessing() <= runsAt
            || !current.floors().equals(read.floors())) {
          // the other writer fired event-time timers past what we read (our records were judged
          // on time against the old fired-up-to, and a key we loaded after its commit may show a
          // window it fired and cleared: adding to it would fire that window twice), or fired
          // processing-time timers past the clock we ran at (the same, in processing time), or
          // stored a timer this attempt should have fired (at or before its watermark or clock),
          // or changed the floors (a merge writes ours: a firing of another slot count that only
          // the new floors hold would be lost, and our records were judged against the old ones)
          return null;
        }
        now.put(uid, current);
      }
      return now.isEmpty() ? null : now;
    }

    /** Sends the transaction; classifies the outcome; retries unknown outcomes. */
    private Outcome execute(TransactWriteItemsRequest request, String commitId) {
      int checkpointIndex = request.transactItems().size() - 1;
      RuntimeException lastUnknown = null;
      for (int attempt = 0; attempt < maxCommitAttempts; attempt++) {
        try {
          TransactWriteItemsResponse response = client.transactWriteItems(request);
          countWrites(response.consumedCapacity());
          return Outcome.COMMITTED;
        } catch (TransactionCanceledException e) {
          List<CancellationReason> reasons = e.cancellationReasons();
          if (reasons.isEmpty()) {
            // DynamoDB always says why; an endpoint that does not leaves a fence and a conflict
            // alike (and, after a lost answer, our own commit too): the checkpoint's commit id
            // tells ours; else redo the epoch from the checkpoint, which tells the others apart
            // (sending the same commit again would fail the same way until the attempts ran out)
            if (settle(commitId)) {
              return Outcome.COMMITTED;
            }
            lastReasons = reasons;
            return Outcome.CONFLICT;
          }
          String fence =
              reasons.size() > checkpointIndex ? reasons.get(checkpointIndex).code() : null;
          if ("ConditionalCheckFailed".equals(fence)) {
            return settle(commitId) ? Outcome.COMMITTED : Outcome.FENCED;
          }
          boolean conditionFailed =
              reasons.stream().anyMatch(r -> "ConditionalCheckFailed".equals(r.code()));
          if (conditionFailed) {
            lastReasons = reasons;
            return Outcome.CONFLICT;
          }
          boolean validation = reasons.stream().anyMatch(r -> "ValidationError".equals(r.code()));
          if (validation) {
            throw new IllegalStateException(
                "DynamoDB refused the commit of split "
                    + split
                    + ", slot "
                    + batch.slot()
                    + ": "
                    + reasons,
                e);
          }
          // TransactionConflict or throttling inside the transaction: nothing applied, try again
          totals.retries++;
          sleep(attempt);
          request = request.toBuilder().clientRequestToken(UUID.randomUUID().toString()).build();
        } catch (IdempotentParameterMismatchException e) {
          throw new IllegalStateException(
              "the commit token was reused for another request: " + e.getMessage(), e);
        } catch (SdkClientException | DynamoDbException e) {
          if (e instanceof DynamoDbException d
              && d.statusCode() >= 400
              && d.statusCode() < 500
              && !isThrottling(d)
              && !(d instanceof TransactionInProgressException)) {
            throw e;
          }
          // (TransactionInProgressException: an earlier attempt with this token, whose answer was
          // lost, is still running; the same token again gets its outcome once it is done)
          // the outcome is unknown: retry the same request with the same token
          lastUnknown = e;
          totals.retries++;
          sleep(attempt);
        }
      }
      // the token window may have passed: the checkpoint says whether it committed
      if (settle(commitId)) {
        return Outcome.COMMITTED;
      }
      throw new IllegalStateException(
          "could not commit epoch "
              + (checkpoint.epoch() + 1)
              + " of split "
              + split
              + ", slot "
              + batch.slot()
              + " after "
              + maxCommitAttempts
              + " attempts; nothing was committed, a later invocation will redo it",
          lastUnknown);
    }

    /** Whether the checkpoint shows this commit as done (by an earlier attempt of ours). */
    private boolean settle(String commitId) {
      return commitId.equals(readCheckpoint(checkpointKey, totals).commitId());
    }

    private void countWrites(List<ConsumedCapacity> consumed) {
      lastCommitUnits = 0;
      if (consumed != null) {
        for (ConsumedCapacity c : consumed) {
          if (c.readCapacityUnits() != null && c.writeCapacityUnits() == null) {
            // a commit sent again with its token and already applied: DynamoDB answers the read
            // units of reading its items, and writes nothing
            totals.readUnits += c.readCapacityUnits();
          } else if (c.capacityUnits() != null) {
            totals.writeUnits += c.capacityUnits();
            lastCommitUnits += c.capacityUnits();
          }
        }
      }
    }
  }

  private static long recordBytes(String sink, byte[] value) {
    return value.length + sink.length() + 16;
  }

  private static boolean isThrottling(DynamoDbException e) {
    String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    return code.contains("Throttl")
        || code.contains("ProvisionedThroughputExceeded")
        || code.contains("RequestLimitExceeded");
  }

  /**
   * {@code put} conditioned on the item as read: {@code attribute} still {@code value} when it
   * {@code exists}, else still absent.
   */
  private static Put.Builder conditioned(
      Put.Builder put, boolean exists, String attribute, long value) {
    if (exists) {
      put.conditionExpression(attribute + " = :" + attribute)
          .expressionAttributeValues(Map.of(":" + attribute, num(value)));
    } else {
      put.conditionExpression("attribute_not_exists(pk)");
    }
    return put;
  }

  /**
   * What the timer items of operator {@code uid} at every slot count say of the key groups of
   * {@code range}: each key group's highest fired-up-to event time, and the highest fired-up-to
   * processing time of any slot that covered one of them. One strongly consistent Query of the
   * operator's timer partition (an item per slot of each count the job ran at, and the layout).
   */
  private OtherCounts otherCounts(
      String uid, int slots, KeyGroupRange range, Totals totals, SlotLayout layout) {
    List<long[]> items = new ArrayList<>();
    Map<String, Long> toSeal = new LinkedHashMap<>();
    Set<Integer> countsSeen = new java.util.TreeSet<>();
    long processing = Long.MIN_VALUE;
    for (Map<String, AttributeValue> item :
        Partitions.read(
            client, tables.state(), Layout.firedPk(uid), units -> totals.readUnits += units)) {
      Layout.SlotSk sk = Layout.SlotSk.parse(item.get(StateTables.SK).s());
      if (sk == null || sk.slots() < 1 || sk.slots() > graph.maxKeyGroups()) {
        continue; // the layout item, or not a slot of this job's key groups
      }
      TimerItem timers = TimerItem.SCHEMA.mapToItem(item);
      items.add(new long[] {sk.slots(), sk.slot(), timers.fe()});
      if (sk.slots() != slots) {
        countsSeen.add(sk.slots());
      }
      if (KeyGroups.rangeOf(sk.slot(), graph.maxKeyGroups(), sk.slots()).overlaps(range)) {
        processing = Math.max(processing, timers.fp());
        if (sk.slots() != slots) {
          // sealed already or not: its own slot may have read it sealed and be about to commit
          // over it, which the next version stops
          toSeal.put(timers.sk(), timers.v());
        }
      }
    }
    if (layout.exists() && layout.slots() != slots && layout.slots() <= graph.maxKeyGroups()) {
      countsSeen.add((int) layout.slots());
    }
    // a slot of the count the layout names, or of any other count with an item (the layout's
    // first-generation count, whose runners skip the read while their item is absent, is one of
    // them even after the layout moved on), that has no item yet gets a sealed one: its first
    // run, were it in flight, would otherwise write its item unseen
    for (int count : countsSeen) {
      int first = KeyGroups.slotOf(range.first(), graph.maxKeyGroups(), count);
      int last = KeyGroups.slotOf(range.last(), graph.maxKeyGroups(), count);
      for (int s = first; s <= last; s++) {
        toSeal.putIfAbsent(Layout.slotSk(count, s), ABSENT);
      }
    }
    return new OtherCounts(
        KeyGroupFloors.of(items, range, graph.maxKeyGroups()), processing, toSeal);
  }

  /**
   * A timer item of operator {@code uid} at {@code sk} that no one trusts: fired nothing, no
   * bounds, layout generation 0, incarnation {@code incarnation}, sealed or not ({@code sealed}).
   */
  private static Map<String, AttributeValue> untrustedItem(
      String uid, String sk, long incarnation, Boolean sealed) {
    return TimerItem.SCHEMA.itemToMap(
        new TimerItem(
            Layout.firedPk(uid),
            sk,
            Long.MIN_VALUE,
            Long.MIN_VALUE,
            Long.MIN_VALUE,
            Long.MIN_VALUE,
            1,
            0,
            incarnation,
            null,
            sealed,
            null),
        true);
  }

  /** {@link OtherCounts#toSeal}: the item is absent (a sealed placeholder is put). */
  private static final long ABSENT = -1;

  /**
   * {@link #otherCounts}: fired-up-to event time by key group, processing time, and the items of
   * other counts over the slot's key groups to seal (sort key to version read, {@link #ABSENT} for
   * a slot of the count the layout names that has no item).
   */
  private record OtherCounts(KeyGroupFloors floors, long processing, Map<String, Long> toSeal) {}

  /**
   * Seals operator {@code uid}'s timer items {@code toSeal} (sort key to version as read, {@link
   * #ABSENT} for none): each gets the next version and {@code sl} (an absent one is put sealed), so
   * that a commit of their own count that read them before fails (a merge of the item is refused
   * too) and is redone, and a later one finds them sealed, does not trust them, and seals this
   * slot's item in turn (docs/protocol.md, "Watermarks and timers"). Unconditioned, so that the
   * slots of a new count sealing one old item do not fail each other; each answers the item as it
   * now is, and what it says of the slot's key groups (an old commit that landed after the Query
   * and before the seal) counts as the Query's items do. Null when an item is in a transaction
   * under way (the attempt is redone).
   */
  private OtherCounts seal(
      String uid, Map<String, Long> toSeal, KeyGroupRange range, Totals totals) {
    List<long[]> items = new ArrayList<>();
    long processing = Long.MIN_VALUE;
    for (Map.Entry<String, Long> e : toSeal.entrySet()) {
      Map<String, AttributeValue> key = key(Layout.firedPk(uid), e.getKey());
      try {
        if (e.getValue() == ABSENT
            && putIfAbsent(
                untrustedItem(uid, e.getKey(), Uniques.next(1, Long.MAX_VALUE), true), totals)) {
          continue; // fired nothing; else its slot wrote it since the Query: seal it as any other
        }
        var done =
            client.updateItem(
                b ->
                    b.tableName(tables.state())
                        .key(key)
                        .updateExpression("SET sl = :sealed ADD v :one")
                        .conditionExpression("attribute_exists(pk)")
                        .expressionAttributeValues(
                            Map.of(":sealed", AttributeValue.fromBool(true), ":one", num(1)))
                        .returnValues(ReturnValue.ALL_NEW)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        totals.writeUnits += units(done.consumedCapacity());
        TimerItem now = TimerItem.SCHEMA.mapToItem(done.attributes());
        Layout.SlotSk sk = Layout.SlotSk.parse(e.getKey());
        items.add(new long[] {sk.slots(), sk.slot(), now.fe()});
        processing = Math.max(processing, now.fp());
      } catch (TransactionConflictException | ConditionalCheckFailedException busy) {
        return null; // in a transaction under way (perhaps one creating it): read again
      }
    }
    return new OtherCounts(
        KeyGroupFloors.of(items, range, graph.maxKeyGroups()), processing, Map.of());
  }

  /** Puts {@code item} into the state table unless it exists; whether it did. */
  private boolean putIfAbsent(Map<String, AttributeValue> item, Totals totals) {
    try {
      var done =
          client.putItem(
              b ->
                  b.tableName(tables.state())
                      .item(item)
                      .conditionExpression("attribute_not_exists(pk)")
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      totals.writeUnits += units(done.consumedCapacity());
      return true;
    } catch (ConditionalCheckFailedException | TransactionConflictException exists) {
      return false; // there, or being written by a transaction under way
    }
  }

  private static double units(ConsumedCapacity consumed) {
    return consumed == null || consumed.capacityUnits() == null ? 0 : consumed.capacityUnits();
  }

  /**
   * Puts an untrusted timer item for operator {@code uid} at this slot, which has none (fired
   * nothing, no bounds, layout generation 0, which no layout trusts), and returns it as read; null
   * when one exists by now.
   */
  private Fired placeholder(String uid, Batch batch, SlotLayout layout, Totals totals) {
    Map<String, AttributeValue> item =
        untrustedItem(
            uid, Layout.slotSk(batch.slots(), batch.slot()), Uniques.next(1, Long.MAX_VALUE), null);
    if (!putIfAbsent(item, totals)) {
      return null; // another runner of this slot put one, or wrote the item
    }
    return fired(item, layout);
  }

  /** A strongly consistent GetItem of the state table, counting its read units; null if none. */
  private Map<String, AttributeValue> get(Map<String, AttributeValue> key, Totals totals) {
    GetItemResponse response =
        client.getItem(
            b ->
                b.tableName(tables.state())
                    .key(key)
                    .consistentRead(true)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    if (response.consumedCapacity() != null
        && response.consumedCapacity().capacityUnits() != null) {
      totals.readUnits += response.consumedCapacity().capacityUnits();
    }
    return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
  }

  private Checkpoint readCheckpoint(Map<String, AttributeValue> key, Totals totals) {
    return checkpoint(get(key, totals));
  }

  private static Checkpoint checkpoint(Map<String, AttributeValue> found) {
    if (found == null) {
      return new Checkpoint(false, Position.BEGINNING, 0, null, 0, false, Set.of());
    }
    CheckpointItem item = CheckpointItem.SCHEMA.mapToItem(found);
    return new Checkpoint(
        true,
        Position.decode(item.pos()),
        item.epoch(),
        item.commit(),
        item.hg(),
        item.pr(),
        found.containsKey(EarlierSlotCounts.FENCED)
            ? found.get(EarlierSlotCounts.FENCED).ns().stream()
                .map(Integer::valueOf)
                .collect(java.util.stream.Collectors.toSet())
            : Set.of());
  }

  /**
   * What a batch with records learns of the split's other slot counts.
   *
   * @param earlier their checkpoints as read or fenced by this attempt, null when not read (the
   *     checkpoint says no other count is ahead)
   * @param generation the generation of the split's counts item the commit records ({@code hg})
   * @param checkpoint this slot's checkpoint, read again after a start path
   */
  private record SlotCounts(EarlierSlotCounts earlier, long generation, Checkpoint checkpoint) {
    /** Nothing read: a batch without records (a tick) passes nothing. */
    static SlotCounts unread(Checkpoint checkpoint) {
      return new SlotCounts(null, checkpoint.countsGeneration(), checkpoint);
    }
  }

  /**
   * Reads, or fences, the split's other slot counts (docs/protocol.md, Rescaling): a runner that
   * finds the counts item naming another count (or a start not complete), or its own checkpoint
   * marked, takes the start path (one transaction fences the other counts, lifts this count's marks
   * and moves the counts item on, on exactly the state it read), whose checkpoint the commit is
   * then conditioned on; a runner whose checkpoint may trail another count reads the others.
   */
  private SlotCounts slotCounts(
      Batch batch,
      String split,
      Checkpoint checkpoint,
      EarlierSlotCounts.History history,
      Map<String, AttributeValue> checkpointKey,
      Totals totals) {
    EarlierSlotCounts.Split counts =
        new EarlierSlotCounts.Split(
            client,
            tables.state(),
            graph.jobName(),
            split,
            graph.maxKeyGroups(),
            new EarlierSlotCounts.Units(
                units -> totals.readUnits += units, units -> totals.writeUnits += units));
    if (!history.exists()
        || history.slots() != batch.slots()
        || !history.active()
        || !checkpoint.fencedBy().isEmpty()) {
      EarlierSlotCounts.Started started = counts.start(batch.slots(), batch.slot());
      Checkpoint again = checkpoint(started.own());
      totals.checkpoint = again;
      return new SlotCounts(started.earlier(), started.history().generation(), again);
    }
    boolean mayTrail =
        !checkpoint.exists()
            || checkpoint.countsGeneration() != history.generation()
            || checkpoint.prior();
    return new SlotCounts(
        mayTrail ? counts.read(batch.slots()) : null, history.generation(), checkpoint);
  }

  /**
   * The records of the batch by key (per keyBy, keys in order of first record, each key's records
   * in their order), to run key by key with each key's event-time timers up to {@code watermark}
   * firing right after its last record; null to run them in order. Worth it when the watermark
   * moves past {@code before} (so timers fire) and the batch has few keys: a window opened and
   * fired within it then writes nothing, where in order the windows of the whole batch stay open
   * until its last record, and their state and timers are written, once the epoch fills, only to be
   * deleted when they fire. Equivalent for each key (its records, then its timers in time order,
   * against the same watermarks); only the order of outputs across keys differs. Never after a cut
   * was learned, with floors (their catch-up runs per key in order), or with records to set aside:
   * those run in order, as does a batch that turns out not to fit one epoch.
   */
  private static List<List<KeyedRecord>> byKey(
      List<KeyedRecord> pending,
      Set<Position> appliedEarlier,
      Cuts cuts,
      KeyGroupFloors floors,
      Map<Position, DeadLetter> setAside,
      long before,
      long watermark) {
    if (cuts.inOrder
        || !cuts.beforeRecord.isEmpty()
        || cuts.beforeTimers
        || cuts.timerActions != TIMER_ACTIONS
        || !floors.isEmpty()
        || !setAside.isEmpty()
        || watermark <= before
        || watermark == Long.MIN_VALUE) {
      return null;
    }
    Map<List<Object>, List<KeyedRecord>> keys = new java.util.LinkedHashMap<>();
    for (KeyedRecord r : pending) {
      if (appliedEarlier.contains(r.position())) {
        continue;
      }
      keys.computeIfAbsent(List.of(r.exchange(), r.key()), k -> new ArrayList<>()).add(r);
      if (keys.size() > KEY_BY_KEY_KEYS) {
        return null;
      }
    }
    return keys.isEmpty() ? null : new ArrayList<>(keys.values());
  }

  /** The key group of a keyed record's key. */
  private int keyGroupOf(KeyedRecord r) {
    return KeyGroups.keyGroupOf(
        keySerdes.get(r.exchange()).serialize(r.key()), graph.maxKeyGroups());
  }

  /**
   * A slot's timer item as read. Its bounds of the stored timers hold only when it was written in
   * the layout generation in force for this slot count; otherwise (the slot count changed since, or
   * the slot has no timer item while others have) timers may be stored in the slot's key groups
   * that the bounds do not count, and the lowest bounds make the first firing read every key group.
   * An operator without a layout item has stored no timer yet; nor has a slot without a timer item
   * while the layout is still its first generation at this slot count (the slot count never
   * changed, so only this slot's runners, which write its timer item with every timer, stored
   * timers in its key groups).
   */
  /**
   * Our timer item {@code ours} written over {@code current}, which a concurrent writer committed
   * after we read the item without moving its event-time fired-up-to: timers fired up to the later
   * of both (processing time may have moved), the lower bounds the lower of both, the next version.
   * Sound because that writer changed none of the keys our epoch used (each is written under its
   * version condition, and those held): each timer it stored is within its bound, each we stored
   * within ours, and a processing-time timer stored behind the other's fired-up-to time is still
   * found by the bound and fires at the next firing (docs/protocol.md, "Merging the timer item").
   */
  private static Fired merge(Fired ours, Fired current) {
    return new Fired(
        true,
        Math.max(ours.event(), current.event()),
        Math.max(ours.processing(), current.processing()),
        Math.min(ours.nextEvent(), current.nextEvent()),
        Math.min(ours.nextProcessing(), current.nextProcessing()),
        current.version() + 1,
        ours.generation(),
        ours.incarnation(),
        ours.floors(),
        false,
        ours.held() == Long.MIN_VALUE || current.held() == Long.MIN_VALUE
            ? Long.MIN_VALUE
            : Math.min(ours.held(), current.held()));
  }

  private static Fired fired(Map<String, AttributeValue> found, SlotLayout layout) {
    if (found == null) {
      boolean nothingStored = !layout.exists() || (layout.generation() == 1 && !layout.changes());
      long next = nothingStored ? Long.MAX_VALUE : Long.MIN_VALUE;
      return new Fired(
          false,
          Long.MIN_VALUE,
          Long.MIN_VALUE,
          next,
          next,
          0,
          0,
          0,
          KeyGroupFloors.NONE,
          false,
          Long.MIN_VALUE);
    }
    TimerItem item = TimerItem.SCHEMA.mapToItem(found);
    boolean sealed = Boolean.TRUE.equals(item.sl());
    boolean trusted = layout.trusts(item.g()) && !sealed;
    return new Fired(
        true,
        item.fe(),
        item.fp(),
        trusted ? item.ne() : Long.MIN_VALUE,
        trusted ? item.np() : Long.MIN_VALUE,
        item.v(),
        item.g(),
        item.i(),
        trusted ? KeyGroupFloors.fromList(item.kf()) : KeyGroupFloors.NONE,
        sealed,
        item.hw() == null ? Long.MIN_VALUE : item.hw());
  }

  /**
   * The watermark up to which every pending event-time timer of the slot, in every keyed operator,
   * was registered by records at or behind it and waits for the watermark to move ({@link
   * TimerItem#hw()}); Long.MIN_VALUE when an operator makes no such claim or has no trusted item
   * (without one, a key read after a concurrent commit may list a timer due now that the item did
   * not bound: it fires before the records, {@link DynamoDbStateBackend#loadListedDueTimers}).
   */
  private static long heldUpTo(Map<String, Fired> fired, Map<String, SlotLayout> layouts) {
    long held = Long.MAX_VALUE;
    for (Map.Entry<String, Fired> e : fired.entrySet()) {
      Fired f = e.getValue();
      held = trusted(f, layouts.get(e.getKey())) ? Math.min(held, f.held()) : Long.MIN_VALUE;
    }
    return held;
  }

  /** Whether the bounds and floors of timer item {@code f}, as read, hold under {@code layout}. */
  private static boolean trusted(Fired f, SlotLayout layout) {
    return f.exists() && !f.sealed() && layout.trusts(f.generation());
  }

  /** The slot layout item as read, and the generation of {@code slots}. */
  private static SlotLayout slotLayout(Map<String, AttributeValue> found, int slots) {
    if (found == null) {
      return new SlotLayout(false, 0, 0, 1);
    }
    SlotLayoutItem item = SlotLayoutItem.SCHEMA.mapToItem(found);
    return new SlotLayout(true, item.s(), item.g(), item.s() == slots ? item.g() : item.g() + 1);
  }

  /** Writes the layout item with this runner's slot count, conditioned on the one read. */
  private TransactWriteItem layoutPut(String uid, SlotLayout layout, int slots) {
    Map<String, AttributeValue> item =
        SlotLayoutItem.SCHEMA.itemToMap(
            new SlotLayoutItem(Layout.firedPk(uid), Layout.SLOT_LAYOUT, slots, layout.ours()),
            true);
    Put.Builder put = Put.builder().tableName(tables.state()).item(item);
    conditioned(put, layout.exists(), "g", layout.generation());
    return TransactWriteItem.builder().put(put.build()).build();
  }

  private static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(
        StateTables.PK, AttributeValue.fromS(pk), StateTables.SK, AttributeValue.fromS(sk));
  }

  private static AttributeValue num(long n) {
    return AttributeValue.fromN(Long.toString(n));
  }

  private void sleep(int attempt) {
    Backoff.pause(backoff.toMillis(), attempt, 2000, "backing off before a retry");
  }
}
