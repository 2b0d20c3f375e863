package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Interleavings of runners of two or three slot counts on one split, each found by a review of the
 * fence (docs/protocol.md, Rescaling) to apply a peek (a record that writes no state, so no key
 * version condition catches it) twice while the fence was written in steps: a lift of this count's
 * marks before the other counts are marked; a lifted checkpoint read with a stale counts item; a
 * start path whose checkpoint read postdates a fence and a lift by others; a mark of a third count
 * overwriting the first's. The fence is now one transaction, so the half-written states some of
 * them staged no longer exist; each is staged as near as the fence allows. Each peek must be
 * applied once.
 */
class RescaleRacesIT {

  /**
   * F1: when the fence was written in steps, a lift of this count's marks before the other counts
   * were marked let a runner of this count take the fast path beside the fencer. Now: 2 slots ran;
   * a 4-slot runner has read the partition and waits before its fence; both 2-slot slots commit
   * (the peeked one peeks); the 4-slot fence then fails on the epochs it read, and the runner reads
   * the partition again, fences, and passes the peeks.
   */
  @Test
  void oldCountCommitsBetweenAFencersQueryAndItsFenceAreNotAppliedAgain() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 40, 2);
      Batch b = p.first(4);
      h.runWithOtherBefore(
          b,
          Peeks::countsPut,
          1,
          () -> {
            h.runner().run(p.otherOfTwo(b));
            h.runner().run(p.owning(2, b));
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
      Peeks.Staged p = Peeks.setThenPeek(h, 40, 2);
      Batch b = p.first(4);
      Runnable others =
          () -> {
            h.runner().run(b); // 4 slots: fence 2, counts -> 4, peek
            h.runner().run(p.otherOfTwo(b)); // 2 slots: lift 2, fence 4, counts -> 2
          };
      try (DynamoDbClient torn =
          h.client(
              new TornFirstBatchGet(
                  h, others, k -> EarlierSlotCounts.HISTORY_SK.equals(k.get(StateTables.SK).s())),
              false)) {
        h.runner(torn).run(p.owning(2, b));
      }
      Peeks.assertPeekedOnce(h, b, 4, "=1");
    }
  }

  /**
   * F3: a start path's positions must be those its fence froze. Between its Query and its fence, a
   * runner of the other count fences this count and applies records, and another runner of this
   * count fences that count and lifts the marks (before the fence was one transaction, the start
   * path read its checkpoint again after its fence and could find it lifted at an epoch its
   * positions did not belong to; now its fence fails on the epochs it read, and it reads again).
   */
  @Test
  void theStartPathsFenceCanComeAfterAFenceAndALiftByOthers() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 40, 4);
      Batch b = p.first(4);
      Batch a = p.owning(2, b);
      h.runWithOtherBefore(
          a,
          Peeks::countsPut,
          1,
          () -> {
            h.runner().run(b); // 4 slots: fence 2 (placeholders), lift 4, counts -> 4, peek
            h.runner().run(p.otherOfTwo(b)); // 2 slots: fence 4, lift 2, counts -> 2
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
      Peeks.Staged p = Peeks.setThenPeek(h, 40, 2);
      Batch b8 = p.first(8);
      h.runWithOtherBefore(
          b8,
          Peeks::countsPut,
          1,
          () -> {
            Peeks.crashBefore(h, p.first(4), Peeks::countsPut);
            h.runner().run(p.owning(2, b8));
          });
      Peeks.assertPeekedOnce(h, b8, 8, "=1");
    }
  }
}
