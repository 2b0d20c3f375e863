package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A key's caught-up mark ({@code cu}) counts only under the slot layout it was made in ({@code
 * cg}): a mark of an earlier slot count must not skip a catch-up the next count needs.
 */
class CaughtUpMarkIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static List<String> kTimers(Harness h) {
    return h.outboxText("out").stream().filter(s -> s.startsWith("k")).toList();
  }

  /**
   * 1 slot fires up to 2,000. At 2 slots (own watermark 1,000, floor 2,000) k and 150 keys of its
   * slot are caught up (cu = 2,000) and register timers at 1,400, behind the floor. The 2-slot
   * slot's watermark then moves to 1,600: its firing is cut into epochs and the invocation dies
   * after the first, which commits fe = 1,400 with k's timer still pending at it: it must fire
   * before any later record of k (as the 2-slot slot's next invocation would fire it). At 4 slots,
   * k's key group has the floor 2,000 (the 1-slot item): k's catch-up must fire it before k's
   * record. With cu it is skipped, and the timer reads the later record.
   */
  @Test
  void aTimerACutFiringLeftPendingIsCaughtUpAtTheNextSlotCount() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      // 1 slot: fires up to 2,000
      List<Op> z = List.of(new Op("z", "timer", 1_900));
      h.runAll(h.batches("c", 1, h.keyed("ops", z, 0), 1_000, 0, 1_000));
      h.runAll(List.of(Batch.tick(0, 1, 2_000, 0)));
      // 2 slots: k and 150 keys of its slot register timers at 1,400, behind the floor
      // k: a key in the upper half of its 2-slot slot's key groups; the others below it, so
      // that their timers at 1,400 fire before k's (time, then key group)
      int groups = h.graph.maxKeyGroups();
      String k = "k";
      for (int j = 0; h.slotOf(k, groups) % (groups / 2) < groups / 4; j++) {
        k = "k" + j;
      }
      int kg = h.slotOf(k, groups);
      int slot2 = h.slotOf(k, 2);
      List<Op> ops = new ArrayList<>();
      ops.add(new Op(k, "timer", 1_400));
      for (int i = 0; ops.size() < 151; i++) {
        if (h.slotOf("f" + i, 2) == slot2 && h.slotOf("f" + i, groups) < kg) {
          ops.add(new Op("f" + i, "timer", 1_400));
        }
      }
      Batch a = h.batches("a", 2, h.keyed("ops", ops, 0), 1_000, 0, 1_000).get(slot2);
      h.runner().run(a);
      assertThat(kTimers(h)).as("k's timer waits behind the floor").isEmpty();
      // the 2-slot slot's watermark moves past 1,400; the firing is cut and the invocation dies
      h.crashAfterCommit(Batch.tick(slot2, 2, 1_600, 0), 1);
      assertThat(kTimers(h)).as("staging: k's timer is left pending at fe").isEmpty();
      // 4 slots: a record of k (from a split behind, watermark 1,000), then the watermark moves on
      int slot4 = h.slotOf(k, 4);
      List<Op> set = List.of(new Op(k, "set", 0));
      h.runner().run(h.batches("d", 4, h.keyed("ops", set, 0), 1_000, 0, 1_000).get(slot4));
      h.runAll(List.of(Batch.tick(slot4, 4, 3_000, 0)));
      assertThat(kTimers(h)).containsExactly(k + "@1400=1");
    }
  }
}
