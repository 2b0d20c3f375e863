package dev.tributary.coordinator;

import dev.tributary.JobGraph;
import dev.tributary.operator.AttemptCounter;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.StatelessPrefix;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.spi.Clock;
import dev.tributary.state.dynamodb.Checkpoints;
import dev.tributary.state.dynamodb.DeadLetterItem;
import dev.tributary.state.dynamodb.Position;
import dev.tributary.state.dynamodb.StateTables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The job manager's work for one batch of one split: skip what every slot has committed, run the
 * stateless prefix, fan the rest out to the slots it touches (in parallel), and work out the first
 * record not committed by every slot, which the event source mapping must deliver again. Also the
 * periodic tick. Used by one thread at a time.
 */
public final class Coordinator {
  private final RuntimeSettings settings;
  private final JobGraph graph;
  private final DynamoDbClient dynamo;
  private final StateTables tables;
  private final SlotInvoker lambda;
  private final SlotInvoker inProcess;
  private final Clock clock;
  private final Checkpoints checkpoints;
  private final SplitWatermarks watermarks;
  private final AttemptCounter attempts;
  private final Map<String, StatelessPrefix> prefixes = new HashMap<>();
  private final java.util.Set<String> undeclared = new java.util.LinkedHashSet<>();

  /** How many splits {@link #known} keeps (partition keys count as splits). */
  static final int KNOWN_SPLITS = 4_096;

  /**
   * What this coordinator learned its last batch of each split (by split and slot count) left
   * committed at every slot: the checkpoints it read, moved by the positions the slots answered.
   * The next batch of the split starts from it instead of reading the checkpoints again. A slot's
   * checkpoint only moves forward, so the copy is never ahead of it; it can fall behind when
   * another coordinator ran the split since (a batch delivered again elsewhere), and then the slots
   * are sent records they have committed, which they skip, as they skip any record their checkpoint
   * passed. Dropped when a slot did not answer, whose commit may have landed or not.
   */
  private final Map<String, Position[]> known =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Position[]> eldest) {
          return size() > KNOWN_SPLITS;
        }
      };

  /**
   * What became of a batch.
   *
   * @param firstUncommitted the index of the first record not committed by every slot it touches
   *     (deliver again from there), or -1 when the whole batch is committed
   * @param responses the slots' answers
   * @param inputWatermark the global watermark before the batch
   * @param watermark the global watermark sent with the batch
   * @param deadLettered records the prefix could not read, set aside
   * @param skipped records every slot had committed before
   * @param splitWatermark the split's watermark after these records (its contribution)
   * @param missedDeadline slots (and, with a parallelization factor above 1, partition keys) that
   *     had not answered, or were not started, by the coordinator's deadline
   * @param failures the slots that failed while others answered (when every one fails, the
   *     invocation fails instead)
   */
  public record Outcome(
      int firstUncommitted,
      List<OperatorResponse> responses,
      long inputWatermark,
      long watermark,
      int deadLettered,
      int skipped,
      long splitWatermark,
      int missedDeadline,
      List<SlotFailure> failures) {
    /** Copies the lists. */
    public Outcome {
      responses = List.copyOf(responses);
      failures = List.copyOf(failures);
    }
  }

  /**
   * A slot that failed.
   *
   * @param split the split the slot ran (with {@code /k/<partition key>} for a partition key)
   * @param slot the slot, or -1 when every slot of a partition key failed
   * @param error what it failed with
   */
  public record SlotFailure(String split, int slot, Throwable error) {}

  /**
   * A coordinator; {@code lambda} reaches the operator function, {@code inProcess} runs slots here
   * (either may be the same invoker, per the fan-out policy).
   */
  public Coordinator(
      RuntimeSettings settings,
      DynamoDbClient dynamo,
      SlotInvoker lambda,
      SlotInvoker inProcess,
      Clock clock) {
    this.settings = settings;
    this.graph = settings.graph();
    this.dynamo = dynamo;
    this.tables = settings.tables();
    this.lambda = lambda;
    this.inProcess = inProcess;
    this.clock = clock;
    this.checkpoints = new Checkpoints(dynamo, tables, graph.jobName());
    this.watermarks = new SplitWatermarks(dynamo, tables, graph.jobName());
    this.attempts = new AttemptCounter(dynamo, tables, graph.jobName());
    this.undeclared.addAll(settings.splits());
  }

  /**
   * Declares splits the source has (besides {@code TRIBUTARY_SPLITS}), e.g. a Kinesis stream's open
   * shards: the next watermark read stores those not stored yet at the lowest watermark.
   */
  public void declareSplits(java.util.Collection<String> splits) {
    undeclared.addAll(splits);
  }

  /**
   * Processes one batch of {@code split} from {@code source} (null: the configured source). With a
   * parallelization factor above 1 the mapping runs several batches of one shard at once, in order
   * only per partition key, so each partition key is checkpointed as a split of its own ({@code
   * <split>/k/<partition key>}); the shard's watermark stays one.
   */
  public Outcome process(String source, String split, List<SourceRecord> records) {
    return process(source, split, records, NO_DEADLINE);
  }

  /** No deadline: wait for every slot's answer. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  /** Whether {@code deadline} ({@link System#nanoTime()}, or {@link #NO_DEADLINE}) has passed. */
  static boolean pastDeadline(long deadline) {
    return deadline != NO_DEADLINE && System.nanoTime() - deadline > 0;
  }

  /** The earlier of a first uncommitted index ({@code -1}: none yet) and {@code index}. */
  private static int earliest(int first, int index) {
    return first < 0 ? index : Math.min(first, index);
  }

  /**
   * As {@link #process(String, String, List)}, answering by {@code deadline} ({@link
   * System#nanoTime()}; {@link #NO_DEADLINE} for none): a slot that has not answered by then counts
   * as one whose answer was lost (what it commits shows in its checkpoint at the next delivery), so
   * that the coordinator answers the mapping with what is committed instead of running into its own
   * timeout, which would fail the whole batch and report nothing.
   */
  public Outcome process(String source, String split, List<SourceRecord> records, long deadline) {
    if (!records.isEmpty()) {
      watermarks.heartbeat(split, clock.currentTimeMillis());
    }
    if (settings.parallelizationFactor() <= 1) {
      return processSplit(source, split, split, records, true, deadline);
    }
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      Map<String, String> meta = records.get(i).metadata();
      String key = meta.getOrDefault("partitionKey", meta.getOrDefault("key", ""));
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
    }
    int first = -1;
    List<OperatorResponse> responses = new ArrayList<>();
    long inputWatermark = Long.MAX_VALUE;
    long watermark = Long.MIN_VALUE;
    long splitWatermark = Long.MIN_VALUE;
    int deadLettered = 0;
    int skipped = 0;
    RuntimeException keyFailure = null;
    List<SlotFailure> failures = new ArrayList<>();
    int answered = 0;
    int deferred = 0;
    for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
      int firstOfKey = e.getValue().get(0);
      if (pastDeadline(deadline)) {
        // out of time: this partition key's records are delivered again
        first = earliest(first, firstOfKey);
        deferred++;
        continue;
      }
      List<SourceRecord> group = new ArrayList<>();
      e.getValue().forEach(i -> group.add(records.get(i)));
      Outcome o;
      try {
        o = processSplit(source, split + "/k/" + e.getKey(), split, group, false, deadline);
      } catch (RuntimeException ex) {
        // every slot of this key failed: its records are delivered again, the others keep theirs
        first = earliest(first, firstOfKey);
        if (keyFailure == null) {
          keyFailure = ex;
        } else {
          keyFailure.addSuppressed(ex);
        }
        failures.add(new SlotFailure(split + "/k/" + e.getKey(), -1, ex));
        continue;
      }
      answered++;
      if (o.firstUncommitted() >= 0) {
        first = earliest(first, e.getValue().get(o.firstUncommitted()));
      }
      responses.addAll(o.responses());
      inputWatermark = Math.min(inputWatermark, o.inputWatermark());
      watermark = Math.max(watermark, o.watermark());
      splitWatermark = Math.max(splitWatermark, o.splitWatermark());
      deadLettered += o.deadLettered();
      skipped += o.skipped();
      deferred += o.missedDeadline();
      failures.addAll(o.failures());
    }
    if (keyFailure != null && answered == 0 && deferred == 0) {
      throw keyFailure; // every key failed: the invocation fails, which the function's errors show
    }
    if (first < 0 && !records.isEmpty()) {
      watermarks.advance(split, splitWatermark, clock.currentTimeMillis());
    }
    return new Outcome(
        first,
        responses,
        inputWatermark,
        watermark,
        deadLettered,
        skipped,
        splitWatermark,
        deferred,
        failures);
  }

  /**
   * Processes records checkpointed as {@code split}, whose watermark counts for {@code
   * watermarkSplit}; advances that watermark when everything committed and {@code advance}.
   */
  private Outcome processSplit(
      String source,
      String split,
      String watermarkSplit,
      List<SourceRecord> records,
      boolean advance,
      long deadline) {
    String src = source == null ? settings.source() : source;
    long now = clock.currentTimeMillis();
    int slots = settings.slots();
    String knownKey = slots + "#" + split;
    Position[] remembered = known.remove(knownKey);
    Position[] committed = remembered != null ? remembered : checkpoints.read(split, slots);
    StatelessPrefix prefix = prefixes.computeIfAbsent(src, s -> new StatelessPrefix(graph, s));
    StatelessPrefix.Result result = prefix.run(records);

    // records the prefix cannot read: count the attempt; past the limit set them aside
    int cutoff = records.size();
    int deadLettered = 0;
    for (StatelessPrefix.Failure f : result.failures()) {
      SourceRecord r = records.get(f.recordIndex());
      Position p = StatelessPrefix.position(r, 0);
      int failures = attempts.failed(split, p, "prefix");
      if (failures < settings.maxAttempts()) {
        cutoff = f.recordIndex();
        break;
      }
      deadLetter(split, r, p, f.error(), failures);
      deadLettered++;
    }
    if (cutoff < records.size()) {
      result = prefix.run(records.subList(0, cutoff)); // the watermark of what goes out only
    }

    // which slots each record touches, the last keyed position it has in each, and how many
    List<Map<Integer, Touch>> touched = new ArrayList<>();
    for (int i = 0; i < cutoff; i++) {
      touched.add(new HashMap<>());
    }
    for (StatelessPrefix.Keyed k : result.keyed()) {
      int slot = KeyGroups.slotOf(k.keyGroup(), graph.maxKeyGroups(), slots);
      Touch t = touched.get(k.recordIndex()).computeIfAbsent(slot, x -> new Touch());
      t.last = k.record().position();
      t.keyed++;
    }
    Map<Integer, List<SourceRecord>> pending = new LinkedHashMap<>();
    Map<Integer, List<Integer>> pendingCounts = new HashMap<>();
    int skipped = 0;
    for (int i = 0; i < cutoff; i++) {
      boolean open = false;
      for (Map.Entry<Integer, Touch> e : touched.get(i).entrySet()) {
        if (sent(e.getValue().last, committed[e.getKey()])) {
          pending.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).add(records.get(i));
          pendingCounts.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).add(e.getValue().keyed);
          open = true;
        }
      }
      if (!open) {
        skipped++;
      }
    }

    // watermarks: before = the global one now; after = with this split's batch counted
    Map<String, SplitWatermarks.Split> all = readWatermarks(now);
    long inputWatermark = SplitWatermarks.global(all, split, null, now, settings.idleTimeout());
    long watermark =
        Math.max(
            inputWatermark,
            SplitWatermarks.global(all, split, result.watermark(), now, settings.idleTimeout()));

    int total = pending.values().stream().mapToInt(List::size).sum();
    SlotInvoker invoker = chooseInvoker(total);
    Map<Integer, List<StatelessPrefix.Keyed>> keyedBySlot =
        invoker == inProcess ? keyedBySlot(result.keyed(), touched, committed, slots) : null;
    Map<Integer, CompletableFuture<OperatorResponse>> calls = new LinkedHashMap<>();
    // past the deadline nothing is started: the batch is answered from its first pending record
    boolean outOfTime = pastDeadline(deadline);
    for (Map.Entry<Integer, List<SourceRecord>> e : pending.entrySet()) {
      if (outOfTime) {
        break;
      }
      calls.put(
          e.getKey(),
          invoker.invoke(
              new OperatorRequest(
                  Protocol.VERSION,
                  graph.jobName(),
                  src,
                  split,
                  e.getKey(),
                  slots,
                  inputWatermark,
                  watermark,
                  now,
                  e.getValue(),
                  pendingCounts.get(e.getKey())),
              keyedBySlot == null ? null : keyedBySlot.get(e.getKey())));
    }
    List<OperatorResponse> responses = new ArrayList<>();
    Position[] after = committed.clone();
    RuntimeException failure = null;
    List<SlotFailure> failures = new ArrayList<>();
    int timedOut = 0;
    for (Map.Entry<Integer, CompletableFuture<OperatorResponse>> call : calls.entrySet()) {
      try {
        OperatorResponse response = answer(call.getValue(), deadline);
        responses.add(response);
        after[call.getKey()] = Position.decode(response.committedThrough());
      } catch (CompletionException e) {
        // this slot's answer is lost: what it committed shows in its checkpoint next time
        failure = e.getCause() instanceof RuntimeException r ? r : e;
        failures.add(new SlotFailure(split, call.getKey(), failure));
      } catch (TimeoutException e) {
        // the same, for a slot still working at the deadline; a request not started yet (queued
        // in process) is dropped, so that it does not run beside the batch delivered again
        call.getValue().cancel(false);
        timedOut++;
      }
    }
    if (failure != null && responses.isEmpty() && timedOut == 0) {
      throw failure; // every slot failed: the invocation fails, which the function's errors show
    }
    if (failures.isEmpty() && timedOut == 0 && calls.size() == pending.size()) {
      Position[] next = new Position[slots];
      for (int slot = 0; slot < slots; slot++) {
        next[slot] = Position.later(after[slot], committed[slot]);
      }
      known.put(knownKey, next);
    }

    int firstUncommitted = -1;
    for (int i = 0; i < cutoff && firstUncommitted < 0; i++) {
      for (Map.Entry<Integer, Touch> e : touched.get(i).entrySet()) {
        // a slot that failed to answer counts at its checkpoint from before the batch
        if (e.getValue().last.compareTo(after[e.getKey()]) > 0) {
          firstUncommitted = i;
          break;
        }
      }
    }
    if (firstUncommitted < 0 && cutoff < records.size()) {
      firstUncommitted = cutoff;
    }
    if (firstUncommitted < 0 && advance) {
      watermarks.advance(watermarkSplit, result.watermark(), now);
    }
    return new Outcome(
        firstUncommitted,
        responses,
        inputWatermark,
        watermark,
        deadLettered,
        skipped,
        result.watermark(),
        timedOut + (outOfTime ? pending.size() : 0),
        failures);
  }

  /** What one source record made for one slot: its last keyed position there, and how many. */
  private static final class Touch {
    Position last;
    int keyed;
  }

  /**
   * Whether a record whose last keyed position in a slot is {@code last} goes to that slot, whose
   * checkpoint is at {@code committed}.
   */
  private static boolean sent(Position last, Position committed) {
    return last.compareTo(committed) > 0;
  }

  /**
   * The keyed records each slot's request gets, indexed into that request's records (what the
   * slot's own prefix run would keep of them), for slots run in process; null unless every key and
   * value is of a type no function can change ({@link ImmutableTypes}): slot threads would share
   * the objects, and a keyed function may change its input, so then each slot runs the prefix
   * itself and gets objects of its own. {@code keyed} is in record order, so a record's index in a
   * slot's request is the number of records sent to that slot before it.
   */
  private Map<Integer, List<StatelessPrefix.Keyed>> keyedBySlot(
      List<StatelessPrefix.Keyed> keyed,
      List<Map<Integer, Touch>> touched,
      Position[] committed,
      int slots) {
    Map<Integer, List<StatelessPrefix.Keyed>> out = new HashMap<>();
    int[] sentSoFar = new int[slots];
    int[] lastSent = new int[slots];
    Arrays.fill(lastSent, -1);
    for (StatelessPrefix.Keyed k : keyed) {
      if (!ImmutableTypes.holds(k.record().key()) || !ImmutableTypes.holds(k.record().value())) {
        return null;
      }
      int slot = KeyGroups.slotOf(k.keyGroup(), graph.maxKeyGroups(), slots);
      int record = k.recordIndex();
      if (!sent(touched.get(record).get(slot).last, committed[slot])) {
        continue; // the slot committed this record already: it is not sent
      }
      if (lastSent[slot] != record) {
        lastSent[slot] = record;
        sentSoFar[slot]++;
      }
      out.computeIfAbsent(slot, s -> new ArrayList<>())
          .add(new StatelessPrefix.Keyed(sentSoFar[slot] - 1, k.record(), k.keyGroup()));
    }
    return out;
  }

  /** Every split's watermark; declared splits not stored yet are stored first. */
  private Map<String, SplitWatermarks.Split> readWatermarks(long now) {
    Map<String, SplitWatermarks.Split> all = watermarks.read();
    if (!undeclared.isEmpty()) {
      watermarks.declare(undeclared, all, now);
      undeclared.clear();
    }
    return all;
  }

  /** A slot's answer, waiting at most until {@code deadline}. */
  private static OperatorResponse answer(CompletableFuture<OperatorResponse> call, long deadline)
      throws TimeoutException {
    if (deadline == NO_DEADLINE) {
      return call.join();
    }
    try {
      return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
  }

  private SlotInvoker chooseInvoker(int records) {
    return switch (settings.fanOut()) {
      case LAMBDA -> lambda;
      case IN_PROCESS -> inProcess;
      case AUTO -> records <= settings.inProcessMaxRecords() ? inProcess : lambda;
    };
  }

  /**
   * The periodic tick: every slot fires what is due at the global watermark (idle splits left out;
   * when all are idle, the latest one) and the clock.
   */
  public List<OperatorResponse> tick() {
    long now = clock.currentTimeMillis();
    long watermark =
        SplitWatermarks.global(readWatermarks(now), null, null, now, settings.idleTimeout());
    List<CompletableFuture<OperatorResponse>> calls = new ArrayList<>();
    SlotInvoker invoker = chooseInvoker(0);
    for (int slot = 0; slot < settings.slots(); slot++) {
      calls.add(
          invoker.invoke(
              OperatorRequest.tick(graph.jobName(), slot, settings.slots(), watermark, now)));
    }
    List<OperatorResponse> out = new ArrayList<>();
    for (CompletableFuture<OperatorResponse> call : calls) {
      out.add(call.join());
    }
    return out;
  }

  private void deadLetter(
      String split, SourceRecord r, Position p, RuntimeException error, int failures) {
    Map<String, String> meta = new HashMap<>(r.metadata());
    meta.put("sequence", r.sequence());
    meta.put("timestamp", Long.toString(r.timestamp()));
    Map<String, AttributeValue> item =
        DeadLetterItem.of(
            graph.jobName(),
            split,
            p.encode() + "#prefix",
            r.data(),
            String.valueOf(error),
            failures,
            meta,
            null);
    dynamo.putItem(b -> b.tableName(tables.deadLetters()).item(item));
  }
}
