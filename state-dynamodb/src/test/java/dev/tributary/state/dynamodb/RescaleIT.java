package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.LedgerJob.Txn;
import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Changing the slot count while records are in flight: checkpoints are per (split, slot count,
 * slot), so a slot of the new count starts without one, and a batch the source delivers again after
 * the change holds records the old count applied. Each must be applied once (docs/protocol.md,
 * "Rescaling").
 */
class RescaleIT {
  private static final long NO_WATERMARK = Long.MIN_VALUE;
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
  void recordsOneSlotCommittedUnderTwoSlotsAreNotAppliedAgainUnderFour() {
    List<Txn> txns = new ArrayList<>(Ledger.txns(7, 160, 24, 0));
    // one source record fanning out to 12 keys, over both old slots: its keyed records share an
    // offset, so only their key groups tell which were applied
    txns.set(40, new Txn("fan", 40, 3, txns.get(40).ts(), 12));
    // 2 slots: the batch of the first 100 records commits at slot 0; slot 1's invocation failed
    Batch slot0 =
        h.batches("shard-0", 2, h.keyed(LedgerJob.SOURCE, txns.subList(0, 100), 0), NO_WATERMARK, 0)
            .get(0);
    assertThat(slot0.records()).isNotEmpty();
    h.runner().run(slot0);
    // the slot count goes to 4; the mapping delivers the batch again, and the records after it
    h.runAll(h.batches("shard-0", 4, h.keyed(LedgerJob.SOURCE, txns, 0), NO_WATERMARK, 0));
    KeyedStageRunnerIT.finish(h, 4);
    Ledger.assertMatchesReference(h, txns, true);
  }

  @Test
  void backAtAnEarlierSlotCountItsOwnOldCheckpointsDoNotHideTheCountBetween() {
    List<Txn> txns = Ledger.txns(8, 240, 24, 0);
    // 4 slots: records 0-79
    h.runAll(
        h.batches(
            "shard-0", 4, h.keyed(LedgerJob.SOURCE, txns.subList(0, 80), 0), NO_WATERMARK, 0));
    // 2 slots: records 80-159
    h.runAll(
        h.batches(
            "shard-0", 2, h.keyed(LedgerJob.SOURCE, txns.subList(80, 160), 80), NO_WATERMARK, 0));
    // 4 slots again, whose checkpoints stand at 79: the 2-slot batch is delivered again (its
    // answer was lost), with the records after it
    h.runAll(
        h.batches(
            "shard-0", 4, h.keyed(LedgerJob.SOURCE, txns.subList(80, 240), 80), NO_WATERMARK, 0));
    KeyedStageRunnerIT.finish(h, 4);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /**
   * An operator invocation of the old count given up at its coordinator's deadline still commits
   * after the new count started: the new count's first runner fenced the old count's checkpoints
   * (this one had none yet: it got one at the beginning), so that commit fails and applies nothing.
   */
  @Test
  void aCommitOfTheOldCountLandingAfterTheNewCountStartedIsFenced() {
    List<Txn> txns = Ledger.txns(10, 100, 24, 0);
    List<Batch> two = h.batches("shard-0", 2, h.keyed(LedgerJob.SOURCE, txns, 0), NO_WATERMARK, 0);
    RunReport late =
        h.runWithOtherBefore(
            two.get(1),
            r -> r instanceof TransactWriteItemsRequest,
            1,
            () ->
                h.runAll(
                    h.batches("shard-0", 4, h.keyed(LedgerJob.SOURCE, txns, 0), NO_WATERMARK, 0)));
    assertThat(late.fenced()).as("the old count's commit after the fence").isTrue();
    KeyedStageRunnerIT.finish(h, 4);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /**
   * An invocation of the old count that starts after the new count ran (queued, or two counts
   * deployed at once): it fences the new count in turn and passes what that count applied.
   */
  @Test
  void anInvocationOfTheOldCountStartingAfterTheNewCountRanPassesWhatItApplied() {
    List<Txn> txns = Ledger.txns(11, 120, 24, 0);
    h.runAll(h.batches("shard-0", 4, h.keyed(LedgerJob.SOURCE, txns, 0), NO_WATERMARK, 0));
    List<RunReport> reports =
        h.runAll(h.batches("shard-0", 2, h.keyed(LedgerJob.SOURCE, txns, 0), NO_WATERMARK, 0));
    assertThat(reports.stream().mapToLong(RunReport::recordsApplied).sum()).isZero();
    KeyedStageRunnerIT.finish(h, 2);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /**
   * A runner of the old count reads the split's counts item from before the new count started and
   * its checkpoint from after the new count fenced it (a BatchGetItem is not a snapshot: found in
   * review). The fence mark on its checkpoint sends it through the start path, which fences the new
   * count and passes what that count applied; a fence that only moved the epoch let it commit.
   */
  @Test
  void aRunnerReadingTheCountsItemBeforeAFenceAndItsCheckpointAfterAppliesNothingTwice() {
    List<Txn> txns = Ledger.txns(12, 100, 24, 0);
    deliver(h.runner(), 2, txns, 0, 50);
    Batch slot0 =
        h.batches(
                "shard-0", 2, h.keyed(LedgerJob.SOURCE, txns.subList(50, 100), 50), NO_WATERMARK, 0)
            .get(0);
    assertThat(slot0.records()).isNotEmpty();
    Runnable four = () -> deliver(h.runner(), 4, txns, 50, 100);
    try (DynamoDbClient torn =
        h.client(
            new TornFirstBatchGet(
                h, four, k -> EarlierSlotCounts.HISTORY_SK.equals(k.get(StateTables.SK).s())),
            false)) {
      RunReport report = h.runner(torn).run(slot0);
      assertThat(report.recordsApplied()).isZero();
    }
    KeyedStageRunnerIT.finish(h, 2);
    Ledger.assertMatchesReference(h, txns, true);
  }

  @Test
  void aSlotReadsTheOtherCountsOnlyUntilItsCheckpointIsPastThem() {
    List<Txn> txns = Ledger.txns(9, 300, 24, 0);
    CheckpointQueries queries = new CheckpointQueries();
    try (DynamoDbClient counted = h.client(queries, true)) {
      KeyedStageRunner runner = h.runner(counted);
      // first batches at 2 slots: each slot has no checkpoint yet and looks once
      deliver(runner, 2, txns, 0, 60);
      assertThat(queries.count.getAndSet(0)).isEqualTo(2);
      deliver(runner, 2, txns, 60, 120);
      assertThat(queries.count.getAndSet(0)).as("the same count again: no look").isZero();
      // 4 slots, delivering from record 100 again: each slot looks, passes what the 2 slots
      // applied, and its checkpoint ends past their checkpoints
      deliver(runner, 4, txns, 100, 200);
      assertThat(queries.count.getAndSet(0)).isEqualTo(4);
      deliver(runner, 4, txns, 200, 300);
      assertThat(queries.count.get()).as("past the 2 slots' checkpoints: no look").isZero();
    }
    KeyedStageRunnerIT.finish(h, 4);
    Ledger.assertMatchesReference(h, txns, true);
  }

  /**
   * 2 slots ran. The first 4-slot runner fences the 2-slot checkpoints and, before it moves the
   * counts item on, a 2-slot invocation starts: it finds its checkpoint marked, fences the 4 slots
   * (placeholders: they have no checkpoint yet) and peeks; the 4-slot runner then ends fenced or
   * starts over, and passes what the 2 slots applied. Found in review: with the fence only moving
   * the epoch, both applied the peeks (records that write no state, which no key version catches).
   */
  @Test
  void anOldCountRunnerStartingBetweenTheFenceAndTheCountsMoveAppliesNothingTwice() {
    try (Harness ops = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(ops, 40, 2);
      Batch b = p.first(4);
      ops.runWithOtherBefore(b, Peeks::countsPut, 1, () -> ops.runner().run(p.owning(2, b)));
      ops.runner().run(b); // delivered again (it ended fenced, or passed the peeks)
      Peeks.assertPeekedOnce(ops, b, 4, "=1");
    }
  }

  /**
   * A new split: the 4-slot runner fences nothing (no counts item, no checkpoint); a 2-slot runner
   * creates the counts item and peeks; the 4-slot runner's move of the counts item fails, and it
   * fences the count that took it before it moves it again. Found in review: it moved the item on
   * with the (empty) positions of its first fence and peeked again.
   */
  @Test
  void aRunnerWhoseCountsMoveIsTakenFencesTheCountThatTookIt() {
    try (Harness ops = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.peeksOnly(ops, 40);
      Batch b = p.first(4);
      ops.runWithOtherBefore(b, Peeks::countsPut, 1, () -> ops.runner().run(p.owning(2, b)));
      Peeks.assertPeekedOnce(ops, b, 4, "=null");
    }
  }

  /** Runs records {@code from} to {@code to} of {@code txns} at {@code slots} slots. */
  private void deliver(KeyedStageRunner runner, int slots, List<Txn> txns, int from, int to) {
    for (Batch b :
        h.batches(
            "shard-0",
            slots,
            h.keyed(LedgerJob.SOURCE, txns.subList(from, to), from),
            NO_WATERMARK,
            0)) {
      runner.run(b);
    }
  }

  /** Counts the Queries of checkpoint partitions. */
  private static final class CheckpointQueries implements ExecutionInterceptor {
    final AtomicInteger count = new AtomicInteger();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof QueryRequest q) {
        AttributeValue pk = q.expressionAttributeValues().get(":pk");
        if (pk != null && pk.s().startsWith("C#")) {
          count.incrementAndGet();
        }
      }
    }
  }
}
