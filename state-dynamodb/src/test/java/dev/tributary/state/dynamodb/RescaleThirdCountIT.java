package dev.tributary.state.dynamodb;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;

/**
 * A third slot count's start landing inside a start path (docs/protocol.md, Rescaling). Reviews of
 * the fence, when it was written in steps, found start paths that lifted the mark of a third count
 * they never fenced (one that marked after the runner's first read, or after its Query), and one
 * whose counts move, lost to a runner of its own count, was made again with a fence that missed a
 * count that had started and committed in between. Each applied a peek twice. The fence is now one
 * transaction conditioned on everything its Query read, so a start that lands after the Query fails
 * it, and the runner reads the partition again.
 */
class RescaleThirdCountIT {
  /**
   * 2 slots ran, then 4 (which fenced 2 and peeked); a 2-slot runner takes the start path (its
   * checkpoint is marked) and, at the moment {@code when} selects, an 8-slot runner starts (fencing
   * 2 and 4) and peeks. The 2-slot runner must fence 8 and pass its peeks.
   */
  private static void thirdCountStartsInside(Predicate<SdkRequest> when) {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 40, 2);
      Batch b8 = p.first(8);
      h.runner().run(p.owning(4, b8));
      h.runWithOtherBefore(p.owning(2, b8), when, 1, () -> h.runner().run(b8));
      Peeks.assertPeekedOnce(h, b8, 8, "=1");
    }
  }

  /** The third count starts between the runner's first read and its Query. */
  @Test
  void aThirdCountStartingBeforeTheQueryIsFenced() {
    thirdCountStartsInside(Peeks::checkpointQuery);
  }

  /** The third count starts between the runner's Query and its fence, which then fails. */
  @Test
  void aThirdCountStartingBeforeTheFenceFailsIt() {
    thirdCountStartsInside(Peeks::countsPut);
  }

  /**
   * Review 5: 4 slots ran; a 2-slot runner (2 never ran: no checkpoint) reads the partition and
   * waits before its fence; an 8-slot runner starts (fencing 4) and peeks; a 2-slot runner of the
   * other slot starts (fencing 4 and 8) and moves the counts item to 2. The waiting runner's fence
   * fails; it reads again, finds its count started, and passes the 8-slot peeks. When a move lost
   * to a runner of its own count was made again with the first fence, the runner had never fenced 8
   * and peeked again.
   */
  @Test
  void aStartLostToItsOwnCountReadsTheOtherCountsAgain() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 40, 4);
      Batch b8 = p.first(8);
      h.runWithOtherBefore(
          p.owning(2, b8),
          Peeks::countsPut,
          1,
          () -> {
            h.runner().run(b8);
            h.runner().run(p.otherOfTwo(b8));
          });
      Peeks.assertPeekedOnce(h, b8, 8, "=1");
    }
  }
}
