package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
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

  private static Predicate<SdkRequest> placeholderOf(int count) {
    return r ->
        r instanceof PutItemRequest p
            && p.item().containsKey("sk")
            && p.item().get("sk").s().startsWith(count + "#");
  }

  private static Predicate<SdkRequest> getOf(String sk) {
    return r -> r instanceof GetItemRequest g && sk.equals(g.key().get("sk").s());
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
      h.runAll(h.batches("s", 2, h.keyed("ops", Peeks.ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", Peeks.ops("peek", n), n);
      Batch b = Peeks.firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      h.runWithOtherBefore(
          b,
          Peeks::countsPut,
          1,
          () -> {
            Peeks.crashBefore(h, two.get(1 - sa), placeholderOf(4));
            h.runner().run(two.get(sa));
          });
      Peeks.assertPeekedOnce(h, b, 4, "=1");
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
      h.runAll(h.batches("s", 2, h.keyed("ops", Peeks.ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", Peeks.ops("peek", n), n);
      Batch b = Peeks.firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
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
      Peeks.assertPeekedOnce(h, b, 4, "=1");
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
      h.runAll(h.batches("s", 4, h.keyed("ops", Peeks.ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", Peeks.ops("peek", n), n);
      Batch b = Peeks.firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
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
      Peeks.assertPeekedOnce(h, b, 4, "=1");
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
      h.runAll(h.batches("s", 2, h.keyed("ops", Peeks.ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", Peeks.ops("peek", n), n);
      Batch b8 = Peeks.firstNonEmpty(h.batches("s", 8, peeks, NO_WATERMARK, 0));
      Batch b4 = Peeks.firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b8.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      h.runWithOtherBefore(
          b8,
          Peeks::countsPut,
          1,
          () -> {
            Peeks.crashBefore(h, b4, Peeks::countsPut);
            h.runner().run(two.get(sa));
          });
      Peeks.assertPeekedOnce(h, b8, 8, "=1");
    }
  }
}
