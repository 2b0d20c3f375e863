package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import dev.tributary.state.dynamodb.internal.Layout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Review of the per-key timer index (docs/protocol.md, "The timer index: one item per key"). */
class KeyTimerIndexReviewIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  /**
   * A batch fires the timers due at the watermark before its records ({@code inputWatermark}): the
   * index read up to it finds k's item at 100 and loads k, but k's timer at 300 has no index item
   * of its own, so the first item after that bound no longer bounds it. The firing at the batch's
   * watermark (350) must still fire it, as the reference run does, not a batch later.
   */
  @Test
  void aLoadedKeysLaterTimerFiresAtTheBatchsWatermark() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Op> first = List.of(new Op("k", "timer", 100), new Op("k", "timer", 300));
      h.runAll(h.batches("a", 1, h.keyed("ops", first, 0), Long.MIN_VALUE, 0));
      List<Op> second = List.of(new Op("x", "set", 0));
      h.runAll(h.batches("a", 1, h.keyed("ops", second, 2), 350, 0, 150));
      assertThat(h.outboxText("out"))
          .as("every timer up to the watermark 350 fired with the batch")
          .containsExactly("k@100=2", "k@300=2");
    }
  }

  /**
   * A stray item of k (not at k's earliest timer as loaded) at the time that becomes k's earliest
   * when an epoch filled up while firing commits: the commit would both delete the stray and put
   * k's moved item, two actions on one item, which DynamoDB refuses (a ValidationException, not a
   * conflict: the run fails). The same happens without the planted item when k is read before a
   * concurrent commit that moved its item.
   */
  @Test
  void aStrayAtTheKeysNewEarliestTimerIsNotDeletedAndPutInOneCommit() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Op> ops = new ArrayList<>();
      ops.add(new Op("k", "timer", 100));
      ops.add(new Op("k", "timer", 200));
      List<String> expected = new ArrayList<>();
      expected.add("k@100=2");
      for (int i = 0; i < 80; i++) {
        ops.add(new Op("k" + i, "timer", 150));
      }
      h.runAll(h.batches("a", 1, h.keyed("ops", ops, 0), Long.MIN_VALUE, 0));
      h.putKeyOnly("T#ops#" + h.keyGroup("k"), Layout.keyTimerSk(true, 200, h.keyBytes("k")));
      RunReport tick = h.runner().run(Batch.tick(0, 1, 250, 0));
      assertThat(tick.epochs()).as("the firing fills more than one epoch").isGreaterThan(1);
      List<String> out = h.outboxText("out");
      assertThat(out).hasSize(82).startsWith("k@100=2").endsWith("k@200=2");
    }
  }

  /**
   * A stray found by an index read while the epoch is full waits for the commit; when that commit
   * moves its key's item to the stray's place (k's record registered a timer there), deleting the
   * stray in a later epoch deletes k's live item, and the check of k (at the version this attempt
   * wrote) passes. The next epoch that moves k's item restores it, but a crash before that leaves k
   * with timers and no index item: they never fire.
   */
  @Test
  void aStrayHeldOverACommitThatMovedItsKeysItemThereIsNotDeleted() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Op> ops = new ArrayList<>();
      ops.add(new Op("k", "timer", 500));
      for (int i = 0; i < 60; i++) {
        ops.add(new Op("a" + i, "timer", 150));
      }
      h.runAll(h.batches("a", 1, h.keyed("ops", ops, 0), Long.MIN_VALUE, 0));
      h.putKeyOnly("T#ops#" + h.keyGroup("k"), Layout.keyTimerSk(true, 200, h.keyBytes("k")));
      List<Op> second = new ArrayList<>();
      second.add(new Op("k", "timer", 200));
      for (int i = 0; i < 88; i++) {
        second.add(new Op("s" + i, "set", 0));
      }
      Batch batch = h.batches("a", 1, h.keyed("ops", second, ops.size()), 300, 0).get(0);
      h.crashAfterCommit(batch, 2);
      h.runner()
          .run(Harness.rest(batch, batch.records().get(batch.records().size() - 1).position()));
      h.runner().run(Batch.tick(0, 1, Long.MAX_VALUE, 0));
      assertThat(h.outboxText("out")).contains("k@200=2", "k@500=2").hasSize(62);
    }
  }
}
