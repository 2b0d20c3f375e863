package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.LedgerJob.Txn;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import dev.tributary.state.dynamodb.internal.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB gives BatchGetItem read-committed isolation as a unit against transactions (each Get on
 * its own is serializable): one BatchGetItem can read one item before a concurrent
 * TransactWriteItems and another item after it (developer guide, transaction-apis, "Isolation
 * levels"). The embedded endpoint always answers a BatchGetItem from one snapshot. This test serves
 * b's first BatchGetItem as AWS may: key items as before split a's commit, the checkpoint and the
 * slot's timer item as after it. b then finds the index item of the timer a stored for alice, which
 * its old copy of alice does not list, and drops it as an orphan; without a check of alice's
 * version in b's commit, alice's window never fired (found in review).
 *
 * <p>The reverse tear: the checkpoint and the slot's timer item as before a's commit, the keys as
 * after it. a stored alice's timer below b's watermark; the old timer item says no timer is stored,
 * and b's record changes no timer, so its commit does not write (or condition) the timer item:
 * without a check b ran alice's record before that timer fired, where Flink fires timers up to the
 * watermark first.
 */
class TornBatchGetIT {
  private static final Txn CAROL = new Txn("carol", 9, 3, 100);
  private Harness h;

  @BeforeEach
  void start() {
    h = Harness.start(new LedgerJob());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void aKeyReadBeforeAndTheTimerItemReadAfterAnotherSplitsCommitLoseNoTimer() {
    run(TornBatchGetIT::isKeyItem);
  }

  /** Control: the same interleaving, the BatchGetItem served from one snapshot (passes). */
  @Test
  void theSameWithASnapshotRead() {
    run(k -> false);
  }

  @Test
  void theTimerItemReadBeforeAndAKeyReadAfterAnotherSplitsCommitFireItsTimerFirst() {
    assertThat(reverse(k -> !isKeyItem(k)))
        .as("alice's timer 2,999 fires before b's record at watermark 3,000 counts")
        .containsExactly("alice@2999=1");
  }

  /** Control: the same interleaving, the BatchGetItem served from one snapshot (passes). */
  @Test
  void theReverseWithASnapshotRead() {
    assertThat(reverse(k -> false)).containsExactly("alice@2999=1");
  }

  /**
   * The reverse tear with a timer stored at or below the slot's fired-up-to (a process function
   * registering a timer in the past; a's epoch committed before its firing). Found in review: a
   * check of the listed timers after fired-up-to only let b run alice's record before that timer.
   */
  @Test
  void aTimerStoredBelowFiredUpToAndReadTornFiresFirstToo() {
    assertThat(belowFiredUpTo(k -> !isKeyItem(k)))
        .as("alice's timer 3,000 (due, below fe 5,000) fires before b's record counts")
        .containsExactly("alice@3000=1");
  }

  /** Control: the same with a snapshot read. */
  @Test
  void theSameBelowFiredUpToWithASnapshotRead() {
    assertThat(belowFiredUpTo(k -> false)).containsExactly("alice@3000=1");
  }

  private List<String> belowFiredUpTo(Predicate<Map<String, AttributeValue>> stale) {
    try (Harness ops = Harness.start(new OpsJobs.Job())) {
      // the slot fires zed's timer 5,000: fe = 5,000, nothing stored
      ops.runAll(
          ops.batches(
              "z",
              1,
              ops.keyed("ops", List.of(new Op("zed", "timer", 5_000)), 0),
              Long.MIN_VALUE,
              0));
      ops.runner().run(Batch.tick(0, 1, 5_000, 0));
      // a: alice registers a timer at 3,000 (below fe), 120 other keys fill the epoch, which
      // commits before a's firing; a dies right after that commit
      List<Op> aOps = new ArrayList<>();
      aOps.add(new Op("alice", "timer", 3_000));
      for (int i = 0; i < 120; i++) {
        aOps.add(new Op("k" + i, "set", 0));
      }
      Runnable a =
          () -> {
            Calls crash =
                new Calls() {
                  int commits;

                  @Override
                  public void afterExecution(
                      software.amazon.awssdk.core.interceptor.Context.AfterExecution context,
                      ExecutionAttributes attributes) {
                    if (context.request()
                            instanceof
                            software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest
                        && ++commits == 1) {
                      throw new Calls.Crash("a died after its first commit");
                    }
                  }
                };
            try (DynamoDbClient c = ops.client(crash, true)) {
              ops.runner(c)
                  .run(ops.batches("a", 1, ops.keyed("ops", aOps, 0), Long.MIN_VALUE, 0).get(0));
            } catch (Calls.Crash expected) {
              // a's first epoch (alice's timer) committed
            }
          };
      List<Batch> b =
          ops.batches(
              "b", 1, ops.keyed("ops", List.of(new Op("alice", "set", 0)), 0), 6_000, 0, 6_000);
      try (DynamoDbClient torn = ops.client(new TornFirstBatchGet(ops, a, stale), false)) {
        ops.runner(torn).run(b.get(0));
      }
      KeyedStageRunnerIT.finish(ops, 1);
      return ops.outboxText("out").stream().filter(o -> o.startsWith("alice@")).toList();
    }
  }

  /**
   * A key listing a due timer whose index item is gone (lost by an old bug, deleted by hand): the
   * timer fires from the key's list before the key's record, and the batch commits (found in
   * review: redoing the epoch as after a torn read found the same data every time, until the runner
   * gave up on "concurrent writers").
   */
  @Test
  void aListedTimerWithoutItsIndexItemFiresAndTheSlotMovesOn() {
    try (Harness ops = Harness.start(new OpsJobs.Job())) {
      ops.runAll(
          ops.batches(
              "a",
              1,
              ops.keyed("ops", List.of(new Op("alice", "timer", 2_999)), 0),
              Long.MIN_VALUE,
              0));
      for (Map<String, AttributeValue> item :
          ops.client.scan(b -> b.tableName(ops.tables.state())).items()) {
        if (item.get(StateTables.PK).s().startsWith("T#")) {
          ops.client.deleteItem(
              d ->
                  d.tableName(ops.tables.state())
                      .key(
                          Map.of(
                              StateTables.PK, item.get(StateTables.PK),
                              StateTables.SK, item.get(StateTables.SK))));
        }
      }
      Batch b =
          ops.batches(
                  "b", 1, ops.keyed("ops", List.of(new Op("alice", "set", 0)), 0), 3_000, 0, 3_000)
              .get(0);
      assertThat(ops.runner().run(b).conflicts()).isZero();
      KeyedStageRunnerIT.finish(ops, 1);
      assertThat(ops.outboxText("out").stream().filter(o -> o.startsWith("alice@")).toList())
          .containsExactly("alice@2999=1");
    }
  }

  private static boolean isKeyItem(Map<String, AttributeValue> key) {
    return Layout.MAIN.equals(key.get(StateTables.SK).s());
  }

  /**
   * a counts alice and stores her timer 2,999 inside b's first BatchGetItem; b, at watermark 3,000,
   * counts alice again and changes no timer, so its commit does not write the slot's timer item.
   * Returns what the timer emitted.
   */
  private List<String> reverse(Predicate<Map<String, AttributeValue>> stale) {
    try (Harness ops = Harness.start(new OpsJobs.Job())) {
      Runnable a =
          () ->
              ops.runAll(
                  ops.batches(
                      "a",
                      1,
                      ops.keyed("ops", List.of(new Op("alice", "timer", 2_999)), 0),
                      Long.MIN_VALUE,
                      0));
      List<Batch> b =
          ops.batches(
              "b", 1, ops.keyed("ops", List.of(new Op("alice", "set", 0)), 0), 3_000, 0, 3_000);
      try (DynamoDbClient torn = ops.client(new TornFirstBatchGet(ops, a, stale), false)) {
        ops.runner(torn).run(b.get(0));
      }
      KeyedStageRunnerIT.finish(ops, 1);
      return ops.outboxText("out").stream().filter(o -> o.contains("@")).toList();
    }
  }

  private void run(Predicate<Map<String, AttributeValue>> stale) {
    h.runAll(h.batches("c", 1, h.keyed(LedgerJob.SOURCE, List.of(CAROL), 0), Long.MIN_VALUE, 0));
    Txn aliceB = new Txn("alice", 20, 4, 10_100);
    h.runAll(h.batches("b", 1, h.keyed(LedgerJob.SOURCE, List.of(aliceB), 0), Long.MIN_VALUE, 0));
    Txn aliceA = new Txn("alice", 21, 6, 2_100); // a stores alice's timer 2,999
    Txn bob = new Txn("bob", 22, 7, 2_200);
    List<Batch> b = h.batches("b", 1, h.keyed(LedgerJob.SOURCE, List.of(aliceB, bob), 0), 3_000, 0);
    Runnable a =
        () ->
            h.runAll(
                h.batches(
                    "a", 1, h.keyed(LedgerJob.SOURCE, List.of(aliceA), 0), Long.MIN_VALUE, 0));
    try (DynamoDbClient torn = h.client(new TornFirstBatchGet(h, a, stale), false)) {
      h.runner(torn).run(b.get(0));
    }
    KeyedStageRunnerIT.finish(h, 1);
    Ledger.assertMatchesReference(h, List.of(CAROL, aliceB, aliceA, bob), true);
  }
}
