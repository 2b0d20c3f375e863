package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tributary.state.dynamodb.LedgerJob.Txn;
import dev.tributary.state.dynamodb.internal.Layout;
import dev.tributary.state.dynamodb.internal.TimerIndexCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/** The keyed stage on the embedded endpoint, without faults: results equal the reference run. */
class KeyedStageRunnerIT {
  private Harness h;

  @BeforeEach
  void start() {
    h = Harness.start(new LedgerJob());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  /** Feeds {@code txns} of one split in batches; returns the last watermark. */
  static long feed(Harness h, String split, List<Txn> txns, int batchSize, int slots, long offset) {
    long watermark = Long.MIN_VALUE;
    for (int from = 0; from < txns.size(); from += batchSize) {
      List<Txn> chunk = txns.subList(from, Math.min(txns.size(), from + batchSize));
      watermark = chunk.get(chunk.size() - 1).ts() - 1;
      h.runAll(
          h.batches(split, slots, h.keyed(LedgerJob.SOURCE, chunk, offset + from), watermark, 0));
    }
    return watermark;
  }

  static void finish(Harness h, int slots) {
    tick(h, slots, Long.MAX_VALUE);
  }

  /** The coordinator's tick: every slot learns the watermark. */
  static void tick(Harness h, int slots, long watermark) {
    for (int slot = 0; slot < slots; slot++) {
      h.runner().run(Batch.tick(slot, slots, watermark, 0));
    }
  }

  @Test
  void oneSplitInBatchesMatchesTheReference() {
    List<Txn> txns = Ledger.txns(1, 300, 20, 0);
    feed(h, "shard-0", txns, 50, 4, 0);
    finish(h, 4);
    Ledger.assertMatchesReference(h, txns, true);
  }

  @Test
  void windowsFireAsTheWatermarkAdvancesNotOnlyAtTheEnd() {
    List<Txn> txns = Ledger.txns(2, 200, 5, 0);
    feed(h, "shard-0", txns, 40, 2, 0);
    long windows =
        h.<LedgerJob.Out>outbox(LedgerJob.SINK).stream()
            .filter(o -> o.kind().equals("window"))
            .count();
    assertThat(windows).as("windows fired before the end of input").isGreaterThan(0);
    finish(h, 2);
    Ledger.assertMatchesReference(h, txns, true);
  }

  @Test
  void replayingEveryBatchAppliesNothingTwice() {
    List<Txn> txns = Ledger.txns(3, 120, 10, 0);
    List<Batch> all = new ArrayList<>();
    for (int from = 0; from < txns.size(); from += 30) {
      List<Txn> chunk = txns.subList(from, from + 30);
      all.addAll(
          h.batches(
              "shard-0", 3, h.keyed(LedgerJob.SOURCE, chunk, from), chunk.get(29).ts() - 1, 0));
    }
    h.runAll(all);
    List<RunReport> replays = h.runAll(all);
    for (RunReport r : replays) {
      assertThat(r.recordsApplied()).isZero();
      assertThat(r.outputs()).isZero();
    }
    assertThat(replays.stream().mapToLong(RunReport::recordsSkipped).sum()).isEqualTo(txns.size());
    finish(h, 3);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /**
   * The slot count changes with windows pending, then changes back: the timers stored under one
   * layout fire under the next as soon as the watermark passes them (not only when some other timer
   * of the slot comes due), and a layout that ran before does not trust the bounds it stored back
   * then (timers were stored under the other layout meanwhile).
   */
  @Test
  void timersStoredUnderOneSlotCountFireOnTimeAfterTheSlotCountChanges() {
    // three parts with accounts of their own (no key's own item brings its old timers back)
    List<Txn> txns = new ArrayList<>();
    for (Txn t : Ledger.txns(11, 300, 12, 0)) {
      int part = txns.size() / 100;
      // part 1 has one account: the other slots have no timer of their own coming due
      String account = part == 1 ? "solo" : t.account();
      txns.add(new Txn(account + "-" + part, t.id(), t.amount(), t.ts()));
    }
    // 2 slots: part 0, its last windows pending
    feed(h, "shard-0", txns.subList(0, 100), 25, 2, 0);
    // 4 slots, a layout without timer items yet: part 1 and a tick fire part 0's windows
    long watermark = feed(h, "shard-0", txns.subList(100, 200), 25, 4, 100);
    tick(h, 4, watermark);
    assertThat(windowsOf(0)).isEqualTo(referenceWindowsOf(txns, 0, watermark));
    // 2 slots again, whose timer items are from before: part 2 and a tick fire part 1's windows
    watermark = feed(h, "shard-0", txns.subList(200, 300), 25, 2, 200);
    tick(h, 2, watermark);
    assertThat(windowsOf(1)).isEqualTo(referenceWindowsOf(txns, 1, watermark));
    finish(h, 2);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /** The committed window counts of the accounts of one part. */
  private Map<String, Long> windowsOf(int part) {
    Map<String, Long> counts = Ledger.counts(h.outbox(LedgerJob.SINK));
    counts.keySet().removeIf(k -> !k.contains("-" + part + "@"));
    return counts;
  }

  /** The reference's window counts of one part's accounts that end at or before the watermark. */
  private static Map<String, Long> referenceWindowsOf(List<Txn> txns, int part, long watermark) {
    Map<String, Long> counts = Ledger.counts(Ledger.reference(txns));
    counts
        .keySet()
        .removeIf(
            k ->
                !k.contains("-" + part + "@")
                    || Long.parseLong(k.substring(k.indexOf('@') + 1)) > watermark);
    return counts;
  }

  /**
   * The process remembers what it knows of a slot's timer index: the commit that created the slot's
   * timer item, where nothing was stored, knows the whole index (what it put), so later batches
   * find their due timers without a Query, also after a commit of another split's runner in this
   * process (the cache follows the commits made here); a commit from another process (here: the
   * timer item's version moved behind the cache's back) makes the next firing read every key group.
   */
  @Test
  void firingReadsTheTimerIndexOnceWhileNoOtherProcessChangesIt() {
    List<Txn> txns = Ledger.txns(12, 300, 6, 0);
    Calls calls = new Calls();
    try (DynamoDbClient client = h.client(calls, true)) {
      KeyedStageRunner runner = h.runner(client);
      List<Long> queries = new ArrayList<>();
      for (int b = 0; b < 6; b++) {
        List<Txn> chunk = txns.subList(b * 50, b * 50 + 50);
        if (b == 5) {
          client.updateItem(
              u ->
                  u.tableName(h.tables.state())
                      .key(
                          Map.of(
                              "pk", AttributeValue.fromS(Layout.firedPk(LedgerJob.UID)),
                              "sk", AttributeValue.fromS(Layout.slotSk(1, 0))))
                      .updateExpression("SET v = v + :one")
                      .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
        }
        long before = calls.count(Calls.TIMER_QUERY);
        String split = b == 4 ? "shard-1" : "shard-0"; // batch 4: another split's runner
        for (Batch batch :
            h.batches(
                split, 1, h.keyed(LedgerJob.SOURCE, chunk, b * 50), chunk.get(49).ts() - 1, 0)) {
          (b == 4 ? h.runner() : runner).run(batch);
        }
        queries.add(calls.count(Calls.TIMER_QUERY) - before);
      }
      // batch 0 stores the first timers (nothing stored to read yet) and creates the timer item
      assertThat(queries.subList(0, 5)).containsOnly(0L);
      assertThat(queries.get(5)).as("after a commit from another process").isEqualTo(128L);
    }
    finish(h, 1);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /** One transaction each of ten accounts, in the window that ends at 1,999. */
  private static List<Txn> tenAccountsInTheFirstSecond() {
    List<Txn> first = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      first.add(new Txn("acct-" + i, i, 5, 1_000 + i));
    }
    return first;
  }

  /**
   * The keys whose timers the process's cache says are due by the batch's end load in the round
   * trip that reads the batch's keys and the timer items: a batch of one record that fires ten
   * other accounts' windows makes one BatchGetItem, not a second one for the due keys. With the
   * cache cleared (a new container) the guess is empty and the due keys load after the index read.
   */
  @Test
  void theKeysOfTimersDueByTheBatchsEndLoadWithItsRecords() {
    List<Txn> first = tenAccountsInTheFirstSecond();
    Txn zed = new Txn("zed", 100, 1, 2_500);
    Txn yan = new Txn("yan", 101, 1, 3_600);
    Calls calls = new Calls();
    try (DynamoDbClient client = h.client(calls, true)) {
      KeyedStageRunner runner = h.runner(client);
      h.batches("shard-0", 1, h.keyed(LedgerJob.SOURCE, first, 0), 1_500, 0).forEach(runner::run);
      long before = calls.count("BatchGetItem");
      h.batches("shard-0", 1, h.keyed(LedgerJob.SOURCE, List.of(zed), 10), 2_500, 0)
          .forEach(runner::run);
      assertThat(calls.count("BatchGetItem") - before)
          .as("the batch's key, the timer item and the ten due keys in one round trip")
          .isEqualTo(1);
      TimerIndexCache.SHARED.clear();
      before = calls.count("BatchGetItem");
      h.batches("shard-0", 1, h.keyed(LedgerJob.SOURCE, List.of(yan), 11), 3_600, 0)
          .forEach(runner::run);
      assertThat(calls.count("BatchGetItem") - before)
          .as("without the cache: zed's key is loaded after the index read")
          .isEqualTo(2);
    }
    List<Txn> all = new ArrayList<>(first);
    all.add(zed);
    all.add(yan);
    finish(h, 1);
    Ledger.assertMatchesReference(h, all, true);
  }

  /**
   * A guess comes from whichever entry the process holds for the slot, of any version: when another
   * process has fired the timers an entry lists (the timer item's version moved past the entry),
   * the entry can never answer again, and while no firing of this process reads the index anew
   * (nothing more is due), every batch and tick would load its keys again for nothing. The process
   * learns that the entry is out of date from the first timer item it reads past it, so at most one
   * round trip loads them.
   */
  @Test
  void keysAnOutOfDateEntryListsAreNotLoadedAgainAndAgain() {
    List<Txn> first = tenAccountsInTheFirstSecond();
    List<Integer> keysLoaded = new ArrayList<>();
    ExecutionInterceptor keys =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof BatchGetItemRequest get) {
              int n = 0;
              for (var k : get.requestItems().values()) {
                for (Map<String, AttributeValue> key : k.keys()) {
                  n += key.get("pk").s().startsWith("K#") ? 1 : 0;
                }
              }
              synchronized (keysLoaded) {
                keysLoaded.set(keysLoaded.size() - 1, keysLoaded.get(keysLoaded.size() - 1) + n);
              }
            }
          }
        };
    try (DynamoDbClient client = h.client(keys, true)) {
      KeyedStageRunner runner = h.runner(client);
      keysLoaded.add(0);
      h.batches("shard-0", 1, h.keyed(LedgerJob.SOURCE, first, 0), 1_500, 0).forEach(runner::run);
      // what this process knows of the slot's index now: its commit created the timer item
      Map<String, AttributeValue> item =
          client
              .getItem(
                  g ->
                      g.tableName(h.tables.state())
                          .consistentRead(true)
                          .key(
                              Map.of(
                                  "pk", AttributeValue.fromS(Layout.firedPk(LedgerJob.UID)),
                                  "sk", AttributeValue.fromS(Layout.slotSk(1, 0)))))
              .item();
      TimerIndexCache.SlotKey slot =
          new TimerIndexCache.SlotKey(
              h.tables.state(), LedgerJob.UID, 1, 0, Long.parseLong(item.get("i").n()));
      long version = Long.parseLong(item.get("v").n());
      long generation = Long.parseLong(item.get("g").n());
      List<String> known =
          TimerIndexCache.SHARED.guessDue(
              h.tables.state(), LedgerJob.UID, 1, 0, 0, 127, 2_000, Long.MIN_VALUE, 1_000);
      assertThat(known).hasSize(10);
      // another process fires the ten windows; this one still remembers the index as it was
      h.runner().run(Batch.tick(0, 1, 2_500, 0));
      TimerIndexCache.SHARED.clear();
      Map<Integer, List<String>> byKeyGroup = new java.util.TreeMap<>();
      for (String sk : known) {
        int keyGroup = dev.tributary.partitioning.KeyGroups.keyGroupOf(Layout.timerKey(sk), 128);
        byKeyGroup.computeIfAbsent(keyGroup, k -> new ArrayList<>()).add(sk);
      }
      byKeyGroup.forEach(
          (keyGroup, sks) ->
              TimerIndexCache.SHARED.read(slot, version, generation, keyGroup, true, sks, true));
      // ticks at which nothing is due: no firing reads the index anew
      for (int tick = 0; tick < 3; tick++) {
        keysLoaded.add(0);
        runner.run(Batch.tick(0, 1, 2_600 + tick, 0));
      }
    }
    assertThat(keysLoaded.get(1)).as("the first tick guesses from what it knew").isEqualTo(10);
    assertThat(keysLoaded.subList(2, 4))
        .as("later ticks: the timer item read showed the entry out of date")
        .containsOnly(0);
    finish(h, 1);
    Ledger.assertMatchesReference(h, first, true);
  }

  /**
   * A new job with 4 slots: the first slot to store timers writes the operator's layout item; the
   * other slots, without a timer item of their own yet, know that nothing is stored in their key
   * groups (the slot count never changed), so they read no timer index before they store timers,
   * and the commit that stores a slot's first timers knows the slot's whole index: no key group is
   * ever read.
   */
  @Test
  void slotsOfAJobWhoseSlotCountNeverChangedReadNoTimerIndexBeforeTheirFirstTimer() {
    List<Txn> txns = Ledger.txns(13, 200, 16, 0);
    Calls calls = new Calls();
    try (DynamoDbClient client = h.client(calls, true)) {
      KeyedStageRunner runner = h.runner(client);
      for (int from = 0; from < txns.size(); from += 50) {
        List<Txn> chunk = txns.subList(from, from + 50);
        for (Batch batch :
            h.batches(
                "shard-0", 4, h.keyed(LedgerJob.SOURCE, chunk, from), chunk.get(49).ts() - 1, 0)) {
          runner.run(batch);
        }
      }
      assertThat(calls.count(Calls.TIMER_QUERY)).as("timer index reads").isZero();
    }
    finish(h, 4);
    Ledger.assertMatchesReference(h, txns, true);
  }

  @Test
  void aBatchOverlappingTheCommittedOnesAppliesOnlyItsNewRecords() {
    List<Txn> txns = Ledger.txns(4, 100, 8, 0);
    List<KeyedRecord> keyed = h.keyed(LedgerJob.SOURCE, txns, 0);
    h.runAll(h.batches("shard-0", 1, keyed.subList(0, 60), txns.get(59).ts() - 1, 0));
    RunReport second =
        h.runner()
            .run(h.batches("shard-0", 1, keyed.subList(30, 100), txns.get(99).ts() - 1, 0).get(0));
    assertThat(second.recordsSkipped()).isEqualTo(30);
    assertThat(second.recordsApplied()).isEqualTo(40);
    finish(h, 1);
    Ledger.assertMatchesReference(h, txns, true);
  }

  @Test
  void epochsIncreaseByOnePerCommitAndTheCheckpointHoldsTheLastPosition() {
    List<Txn> txns = Ledger.txns(5, 90, 4, 0);
    long lastEpoch = 0;
    for (int from = 0; from < 90; from += 30) {
      List<Txn> chunk = txns.subList(from, from + 30);
      RunReport r =
          h.runner()
              .run(
                  h.batches(
                          "s", 1, h.keyed(LedgerJob.SOURCE, chunk, from), chunk.get(29).ts() - 1, 0)
                      .get(0));
      assertThat(r.epoch()).isEqualTo(lastEpoch + r.epochs());
      assertThat(r.epochs()).isGreaterThanOrEqualTo(1);
      lastEpoch = r.epoch();
      assertThat(r.committedThrough()).isEqualTo(Position.of(from + 29, 0));
    }
    Map<String, ?> checkpoint = h.checkpoint("s", 1, 0);
    assertThat(checkpoint).isNotNull();
    assertThat(h.checkpoint("s", 1, 0).get("pos").s()).isEqualTo("89:0");
    assertThat(h.checkpoint("s", 1, 0).get("epoch").n()).isEqualTo(Long.toString(lastEpoch));

    // another split under two slots: the furthest of its slots counts
    List<Txn> more = Ledger.txns(6, 20, 4, 0);
    h.runAll(h.batches("t", 2, h.keyed(LedgerJob.SOURCE, more, 0), Long.MIN_VALUE, 0));
    assertThat(new Checkpoints(h.client, h.tables, h.graph.jobName()).furthest())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("s", Position.of(89, 0), "t", Position.of(19, 0)));
  }

  @Test
  void twoSplitsSharingKeysBothApplyEveryRecord() {
    List<Txn> a = Ledger.txns(6, 150, 6, 0);
    List<Txn> b = Ledger.txns(7, 150, 6, 100_000);
    List<Txn> all = new ArrayList<>(a);
    all.addAll(b);
    // the watermark a batch carries counts only what the other split has committed, as the
    // coordinator's does: records in flight are never late
    long committedA = Long.MIN_VALUE + 1;
    long committedB = Long.MIN_VALUE + 1;
    for (int from = 0; from < 150; from += 50) {
      List<Txn> ca = a.subList(from, from + 50);
      List<Txn> cb = b.subList(from, from + 50);
      long lastA = ca.get(49).ts();
      h.runAll(
          h.batches(
              "a", 2, h.keyed(LedgerJob.SOURCE, ca, from), Math.min(lastA, committedB) - 1, 0));
      committedA = lastA;
      long lastB = cb.get(49).ts();
      h.runAll(
          h.batches(
              "b", 2, h.keyed(LedgerJob.SOURCE, cb, from), Math.min(committedA, lastB) - 1, 0));
      committedB = lastB;
    }
    finish(h, 2);
    Ledger.assertMatchesReference(h, all, true);
  }

  /** Split c's one transaction, committed first. */
  private static final Txn CAROL = new Txn("carol", 9, 3, 100);

  /**
   * Runs split c's batch of {@link #CAROL}, then split b's batch of {@code b}; just before b's
   * first commit, split a's batch of {@code a} (watermark {@code aWatermark}) runs to its end on
   * the same slot. Returns b's report.
   */
  private RunReport bLosesItsFirstCommitTo(List<Txn> a, long aWatermark, List<Txn> b) {
    // a first commit on the slot (split c) creates the slot's timer item that a and b then race on
    h.runAll(h.batches("c", 1, h.keyed(LedgerJob.SOURCE, List.of(CAROL), 0), Long.MIN_VALUE, 0));
    // b's clock is later than a's: a merge needs a's processing-time fired-up-to before it
    List<Batch> batches = h.batches("b", 1, h.keyed(LedgerJob.SOURCE, b, 0), Long.MIN_VALUE, 5);
    assertThat(batches).hasSize(1);
    return h.runWithOtherBefore(
        batches.get(0),
        r -> r instanceof TransactWriteItemsRequest,
        1,
        () -> h.runAll(h.batches("a", 1, h.keyed(LedgerJob.SOURCE, a, 0), aWatermark, 0)));
  }

  @Test
  void aCommitThatLosesOnlyTheSlotsTimerItemMergesItInsteadOfRedoingTheEpoch() {
    // both splits store window timers on slot 0, on different accounts: only the slot's timer item
    // is shared, so b's commit keeps its work and writes the item over a's
    List<Txn> a = List.of(new Txn("alice", 1, 10, 1_100), new Txn("alice", 2, 5, 1_200));
    List<Txn> b = List.of(new Txn("bob", 3, 7, 1_300), new Txn("bob", 4, 1, 2_400));
    RunReport r = bLosesItsFirstCommitTo(a, Long.MIN_VALUE, b);
    assertThat(r.timerItemMerges()).as("merges of the timer item").isEqualTo(1);
    assertThat(r.conflicts()).as("epochs redone").isZero();
    assertThat(r.recordsApplied()).isEqualTo(2);
    List<Txn> all = new ArrayList<>(a);
    all.addAll(b);
    all.add(CAROL);
    finish(h, 1);
    Ledger.assertMatchesReference(h, all, true);
  }

  @Test
  void aCommitThatLosesTheTimerItemToAWriterThatFiredIsRedoneNotMerged() {
    // a fires alice's first-second window (its watermark passes 1,999) while b, which read the
    // slot before, stores bob's timer for the same window. b judged its records against the old
    // fired-up-to, so it must not merge: it redoes the epoch against a's, and bob's window fires
    // in it with both of his records
    List<Txn> a = List.of(new Txn("alice", 1, 10, 1_100), new Txn("alice", 2, 5, 3_100));
    List<Txn> b = List.of(new Txn("bob", 3, 7, 1_300), new Txn("bob", 4, 1, 1_400));
    RunReport r = bLosesItsFirstCommitTo(a, 3_000, b);
    assertThat(r.timerItemMerges()).as("merges of the timer item").isZero();
    assertThat(r.conflicts()).as("epochs redone").isEqualTo(1);
    List<LedgerJob.Out> windows =
        h.<LedgerJob.Out>outbox(LedgerJob.SINK).stream()
            .filter(o -> o.kind().equals("window"))
            .toList();
    assertThat(windows)
        .extracting(LedgerJob.Out::account, LedgerJob.Out::windowEnd, LedgerJob.Out::count)
        .as("both first-second windows fired, bob's with both records")
        .contains(tuple("alice", 1_999L, 1L), tuple("bob", 1_999L, 2L));
    List<Txn> all = new ArrayList<>(a);
    all.addAll(b);
    all.add(CAROL);
    finish(h, 1);
    Ledger.assertMatchesReference(h, all, true);
  }

  /**
   * Runs {@code b} with a client that, just before its first timer index Query, runs split a's
   * batch of {@code a} (watermark MIN) on slot 0 of 1. b runs as a process that has not read the
   * slot's timer index (a new container): this one forgets what its commits taught it, so that b
   * reads the index.
   */
  private RunReport withABeforeTheFirstTimerQuery(List<Txn> a, Batch b) {
    TimerIndexCache.SHARED.clear();
    return h.runWithOtherBefore(
        b,
        r ->
            r instanceof QueryRequest q
                && q.expressionAttributeValues().get(":pk").s().startsWith("T#"),
        1,
        () -> h.runAll(h.batches("a", 1, h.keyed(LedgerJob.SOURCE, a, 0), Long.MIN_VALUE, 0)));
  }

  @Test
  void anIndexItemCheckedAgainstAKeyLoadedForAReplayedRecordIsNotMergedOver() {
    // b loads alice for a record it skips (already committed); a then stores alice's timer 2,999;
    // b's firing finds that index item, which b's stale copy of alice does not list. b must not
    // drop it as an orphan and merge the timer item over a's: it redoes the epoch instead
    h.runAll(h.batches("c", 1, h.keyed(LedgerJob.SOURCE, List.of(CAROL), 0), Long.MIN_VALUE, 0));
    Txn aliceB = new Txn("alice", 20, 4, 10_100);
    h.runAll(h.batches("b", 1, h.keyed(LedgerJob.SOURCE, List.of(aliceB), 0), Long.MIN_VALUE, 0));
    Txn aliceA = new Txn("alice", 21, 6, 2_100);
    Txn bob = new Txn("bob", 22, 7, 2_200);
    List<Batch> b = h.batches("b", 1, h.keyed(LedgerJob.SOURCE, List.of(aliceB, bob), 0), 3_000, 0);
    RunReport r = withABeforeTheFirstTimerQuery(List.of(aliceA), b.get(0));
    assertThat(r.timerItemMerges()).as("merges").isZero();
    assertThat(r.conflicts()).as("epochs redone").isEqualTo(1);
    finish(h, 1);
    Ledger.assertMatchesReference(h, List.of(CAROL, aliceB, aliceA, bob), true);
  }

  @Test
  void anIndexItemCheckedAgainstAKeyOfAnEarlierEpochIsNotMergedOver() {
    // the same with alice written by an earlier epoch of b's attempt and not written again
    h.runAll(h.batches("c", 1, h.keyed(LedgerJob.SOURCE, List.of(CAROL), 0), Long.MIN_VALUE, 0));
    List<Txn> bTxns = new ArrayList<>();
    bTxns.add(new Txn("alice", 20, 4, 10_100));
    for (int i = 0; i < 150; i++) {
      bTxns.add(new Txn("acct-" + i, 100 + i, 1, 10_200 + i));
    }
    Txn aliceA = new Txn("alice", 21, 6, 2_100);
    List<Batch> b = h.batches("b", 1, h.keyed(LedgerJob.SOURCE, bTxns, 0), 3_000, 0);
    RunReport r = withABeforeTheFirstTimerQuery(List.of(aliceA), b.get(0));
    assertThat(r.epochs()).as("b committed more than one epoch").isGreaterThan(1);
    assertThat(r.timerItemMerges()).as("merges").isZero();
    finish(h, 1);
    List<Txn> all = new ArrayList<>(bTxns);
    all.add(CAROL);
    all.add(aliceA);
    Ledger.assertMatchesReference(h, all, true);
  }

  @Test
  void reportsCountCapacity() {
    List<Txn> txns = Ledger.txns(8, 50, 5, 0);
    RunReport r =
        h.runner()
            .run(
                h.batches("s", 1, h.keyed(LedgerJob.SOURCE, txns, 0), txns.get(49).ts() - 1, 0)
                    .get(0));
    assertThat(r.readUnits()).isGreaterThan(0);
    assertThat(r.writeUnits()).isGreaterThan(0);
    assertThat(r.recordsApplied()).isEqualTo(50);
    assertThat(r.outputs()).isGreaterThanOrEqualTo(50);
  }
}
