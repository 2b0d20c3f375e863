package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.state.dynamodb.OpsJobs.Op;
import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Interleavings of runners of two or three slot counts on one split, each found by a review of the
 * fence (docs/protocol.md, Rescaling) to apply a peek (a record that writes no state, so no key
 * version condition catches it) twice: a lift of this count's marks before the other counts are
 * marked; a lifted checkpoint read with a stale counts item; a start path whose checkpoint read
 * postdates a fence and a lift by others; a mark of a third count overwriting the first's. Each
 * peek must be applied once.
 */
class RescaleRacesIT {
  private static final long NO_WATERMARK = Long.MIN_VALUE;

  private static boolean countsPut(SdkRequest r) {
    return r instanceof PutItemRequest p
        && p.item().containsKey("sk")
        && EarlierSlotCounts.HISTORY_SK.equals(p.item().get("sk").s());
  }

  private static Predicate<SdkRequest> placeholderOf(int count) {
    return r ->
        r instanceof PutItemRequest p
            && p.item().containsKey("sk")
            && p.item().get("sk").s().startsWith(count + "#");
  }

  private static Predicate<SdkRequest> getOf(String sk) {
    return r -> r instanceof GetItemRequest g && sk.equals(g.key().get("sk").s());
  }

  private static List<Op> ops(String kind, int n) {
    List<Op> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Op("k" + i, kind, 0));
    }
    return out;
  }

  /** Runs {@code b} on a client that throws just before the first request {@code when} accepts. */
  private static void crashBefore(Harness h, Batch b, Predicate<SdkRequest> when) {
    try (DynamoDbClient c =
        h.client(
            new ExecutionInterceptor() {
              @Override
              public void beforeExecution(Context.BeforeExecution ctx, ExecutionAttributes a) {
                if (when.test(ctx.request())) {
                  throw new IllegalStateException("crash (review)");
                }
              }
            },
            false)) {
      assertThatThrownBy(() -> h.runner(c).run(b)).hasStackTraceContaining("crash (review)");
    }
  }

  private static Batch firstNonEmpty(List<Batch> batches) {
    return batches.stream().filter(x -> !x.records().isEmpty()).findFirst().orElseThrow();
  }

  private static void assertPeekedOnce(Harness h, Batch b, int slots) {
    KeyedStageRunnerIT.finish(h, slots);
    Map<String, Integer> outputs = new HashMap<>();
    h.outboxText("out").forEach(o -> outputs.merge(o, 1, Integer::sum));
    for (KeyedRecord r : b.records()) {
      assertThat(outputs.get(r.key() + "=1")).as("peek of " + r.key()).isEqualTo(1);
    }
  }

  /**
   * F1: fence() lifts this count's marks before it marks the other counts. 2 slots ran; a 4-slot
   * runner fenced them and waits before its counts move; a 2-slot runner of the other slot lifts
   * both 2-slot marks and dies before it marks the 4 slots; a 2-slot runner of the peeked slot then
   * takes the fast path (counts names 2, hg = g, no pr, no mark) and peeks; the 4-slot runner moves
   * the counts item, finds its checkpoint unmarked and peeks too.
   */
  @Test
  void liftBeforeMarkLetsASameCountFastPathCommitBesideTheFencer() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      int n = 40;
      h.runAll(h.batches("s", 2, h.keyed("ops", ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", ops("peek", n), n);
      Batch b = firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      h.runWithOtherBefore(
          b,
          RescaleRacesIT::countsPut,
          1,
          () -> {
            crashBefore(h, two.get(1 - sa), placeholderOf(4));
            h.runner().run(two.get(sa));
          });
      assertPeekedOnce(h, b, 4);
    }
  }

  /**
   * F2: a lifted checkpoint keeps hg and pr, so a runner of its count that reads the counts item
   * from before the other count's move (BatchGetItem is not a snapshot) and its checkpoint after
   * the lift takes the fast path and reads no other count. Holds with the fence ordered
   * mark-then-lift.
   */
  @Test
  void aLiftedCheckpointReadWithAStaleCountsItemSkipsTheOtherCounts() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      int n = 40;
      h.runAll(h.batches("s", 2, h.keyed("ops", ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", ops("peek", n), n);
      Batch b = firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      Runnable others =
          () -> {
            h.runner().run(b); // 4 slots: fence 2, counts -> 4, peek
            h.runner().run(two.get(1 - sa)); // 2 slots: lift 2, fence 4, counts -> 2
          };
      try (DynamoDbClient torn =
          h.client(
              new TornFirstBatchGet(
                  h, others, k -> EarlierSlotCounts.HISTORY_SK.equals(k.get(StateTables.SK).s())),
              false)) {
        h.runner(torn).run(two.get(sa));
      }
      assertPeekedOnce(h, b, 4);
    }
  }

  /**
   * F3: the start path's positions come from its own fence, but it reads its checkpoint again
   * later; between the two, a runner of the other count can fence this count and apply records, and
   * another runner of this count can fence that count and lift the marks, so the checkpoint read is
   * unmarked at an epoch the stale positions do not belong to.
   */
  @Test
  void theStartPathsCheckpointReadCanPostdateAFenceAndALiftByOthers() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      int n = 40;
      h.runAll(h.batches("s", 4, h.keyed("ops", ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", ops("peek", n), n);
      Batch b = firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      h.runWithOtherBefore(
          two.get(sa),
          getOf("2#" + sa),
          1,
          () -> {
            h.runner().run(b); // 4 slots: fence 2 (placeholders), lift 4, counts -> 4, peek
            h.runner().run(two.get(1 - sa)); // 2 slots: fence 4, lift 2, counts -> 2
          });
      assertPeekedOnce(h, b, 4);
    }
  }

  /**
   * F4: fz holds one count. An 8-slot runner fences the 2 slots and waits before its counts move; a
   * 4-slot runner fences them again (fz = 4, overwriting 8) and dies before its counts move; a
   * 2-slot runner finds fz = 4, fences 4 only (8 has no checkpoint, the counts item still names 2),
   * needs no counts move, and peeks; the 8-slot runner's counts move then succeeds (generation
   * unchanged) and it peeks too.
   */
  @Test
  void aFenceMarkOverwrittenByAThirdCountForgetsTheFirst() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      int n = 40;
      h.runAll(h.batches("s", 2, h.keyed("ops", ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", ops("peek", n), n);
      Batch b8 = firstNonEmpty(h.batches("s", 8, peeks, NO_WATERMARK, 0));
      Batch b4 = firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b8.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      h.runWithOtherBefore(
          b8,
          RescaleRacesIT::countsPut,
          1,
          () -> {
            crashBefore(h, b4, RescaleRacesIT::countsPut);
            h.runner().run(two.get(sa));
          });
      assertPeekedOnce(h, b8, 8);
    }
  }
}
