package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import dev.tributary.state.dynamodb.internal.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The skip of the firing before the records (hw at or past `before`) and a torn first read: b reads
 * the slot's timer item (and checkpoint) as before a's first commit among its records, and key k as
 * after it. a's commit stored k's timer; the item b read claims hw = 1,000 and bounds no stored
 * timer. b only peeks at k (no timer change, so its commits write no timer item) and its watermark
 * moves to 2,000, past k's timer: in every order consistent with what b read (a's first epoch, then
 * b), k's timer fires at b's watermark, before a's later record for k.
 */
class HeldTimersTornReadIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static boolean isKeyItem(Map<String, AttributeValue> key) {
    return Layout.MAIN.equals(key.get(StateTables.SK).s());
  }

  private static List<String> run(long timerAt, boolean torn) {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      // the slot fired everything up to 1,000: fe = hw = 1,000, nothing stored
      h.runAll(
          h.batches("z", 1, h.keyed("ops", List.of(new Op("zed", "timer", 1_000)), 0), 1_000, 0));
      // a: k registers its timer, 120 other keys fill the first epoch, k counts again last
      List<Op> aOps = new ArrayList<>();
      aOps.add(new Op("k", "timer", timerAt));
      for (int i = 0; i < 120; i++) {
        aOps.add(new Op("f" + i, "set", 0));
      }
      aOps.add(new Op("k", "set", 0));
      Batch a = h.batches("a", 1, h.keyed("ops", aOps, 0), 1_000, 0, 1_000).get(0);
      // a's first epoch (k's timer) commits, then a dies
      Runnable aFirstEpoch = () -> h.crashAfterCommit(a, 1);
      // b: k peeks first, then 40 other keys (more than run key by key: b runs in order)
      List<Op> bOps = new ArrayList<>();
      bOps.add(new Op("k", "peek", 0));
      for (int i = 0; i < 40; i++) {
        bOps.add(new Op("g" + i, "set", 0));
      }
      Batch b = h.batches("b", 1, h.keyed("ops", bOps, 0), 2_000, 0, 1_000).get(0);
      if (torn) {
        try (DynamoDbClient c =
            h.client(new TornFirstBatchGet(h, aFirstEpoch, k -> !isKeyItem(k)), false)) {
          h.runner(c).run(b);
        }
      } else {
        aFirstEpoch.run();
        h.runner().run(b);
      }
      h.runner().run(a); // a again, from its first commit
      KeyedStageRunnerIT.finish(h, 1);
      return h.outboxText("out").stream().filter(s -> s.startsWith("k")).toList();
    }
  }

  /** A timer a's record registered behind a's watermark (held): b's read skips the firing. */
  @Test
  void aHeldTimerReadTornFiresAtTheWatermarkOfTheBatchThatSawIt() {
    assertThat(run(500, true)).containsExactlyInAnyOrder("k=1", "k@500=1");
  }

  @Test
  void controlAHeldTimerReadFromOneSnapshot() {
    assertThat(run(500, false)).containsExactlyInAnyOrder("k=1", "k@500=1");
  }

  /** A timer ahead of a's watermark, due at b's: the time phase does not see it either. */
  @Test
  void aTimerAheadReadTornFiresAtTheWatermarkOfTheBatchThatSawIt() {
    assertThat(run(1_500, true)).containsExactlyInAnyOrder("k=1", "k@1500=1");
  }

  @Test
  void controlATimerAheadReadFromOneSnapshot() {
    assertThat(run(1_500, false)).containsExactlyInAnyOrder("k=1", "k@1500=1");
  }
}
