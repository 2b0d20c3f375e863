package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Review 6: a Query is read-committed, not a snapshot (DynamoDB's isolation levels: Query and Scan
 * are read-committed against transactions; like BatchGetItem, one Query may return some items as
 * before a transaction and others as after it). The start path's Query reads the checkpoints
 * ("{count}#{slot}", which sort before "counts") and then the counts item. If the checkpoints are
 * read before, and the counts item after, (1) a commit of the old count and (2) another runner's
 * completed start of this count, the start path takes its early return ("a runner of this count
 * completed a start") with the old count's positions from before its commit, which nothing fences
 * (the early return writes nothing, and its own checkpoint is absent: first commit), and applies
 * the old count's records again.
 */
class TornStartQueryIT {
  /** Tears the first checkpoint-partition Query: its checkpoints as before {@code inside}. */
  private static TornQuery checkpointsBefore(Harness h, Runnable inside) {
    return new TornQuery(h, sk -> !EarlierSlotCounts.HISTORY_SK.equals(sk), true, inside);
  }

  /**
   * 2 slots ran (set the keys). A 4-slot runner (4 never ran) reads the counts item (naming 2) and
   * takes the start path; its Query reads the 2-slot checkpoints, then the 2-slot runner of the
   * slot owning its keys peeks them (committing, unfenced: 4 has not started), then a 4-slot runner
   * of another slot starts (fences 2 at the new positions, counts item: 4, complete), then the
   * Query reads the counts item. The first runner returns early with the 2-slot positions from
   * before the peeks and peeks them again.
   */
  @Test
  void anEarlyReturnOnATornQueryAppliesTheOldCountsCommitsAgain() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 16, 2);
      Batch b4 = p.first(4);
      Batch b2 = p.owning(2, b4);
      Batch other4 =
          p.at(4).stream()
              .filter(b -> b.slot() != b4.slot() && !b.records().isEmpty())
              .findFirst()
              .orElseThrow();
      Runnable inside =
          () -> {
            h.runner().run(b2); // the old count peeks its slot (all of b4's keys)
            h.runner().run(other4); // another 4-slot runner starts 4 (fences 2) and peeks
          };
      TornQuery tear = checkpointsBefore(h, inside);
      try (DynamoDbClient torn = h.client(tear, false)) {
        RunReport report = h.runner(torn).run(b4);
        assertThat(report).isNotNull();
      }
      assertThat(tear.happened()).as("the Query was torn").isTrue();
      Peeks.assertPeekedOnce(h, b4, 4, "=1");
    }
  }

  /**
   * The same tear in the fence path: a new split (nothing ran). A 4-slot runner finds no counts
   * item and takes the start path; its Query reads no checkpoint; then 2 starts and both 2-slot
   * runners peek every key, then an 8-slot runner starts (fences 2, counts item: 8) and dies before
   * its commit; then the Query reads the counts item (8). The fence marks only 8 (placeholders: the
   * counts item names it, and 8 has no checkpoint) and conditions on nothing of 2 (it never saw 2's
   * checkpoints, and 2 is neither the counts item's count nor its last started), so it lands; its
   * positions lack 2, and the runner peeks what 2 peeked.
   */
  @Test
  void aFenceOnATornQueryMissesACountThatStartedAndWasFencedInside() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.peeksOnly(h, 16);
      Batch b4 = p.first(4);
      Batch b8 = p.first(8);
      Runnable inside =
          () -> {
            h.runAll(p.at(2)); // 2 starts and peeks every key
            Peeks.crashBefore( // 8 starts (fences 2) and dies before its commit
                h,
                b8,
                r ->
                    r
                            instanceof
                            software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest
                        && !Peeks.countsPut(r));
          };
      TornQuery tear = checkpointsBefore(h, inside);
      try (DynamoDbClient torn = h.client(tear, false)) {
        h.runner(torn).run(b4);
      }
      assertThat(tear.happened()).as("the Query was torn").isTrue();
      Peeks.assertPeekedOnce(h, b4, 4, "=null");
    }
  }

  /** Control: the same work before an untorn Query; the runner passes the peeks. */
  @Test
  void controlTheSameWorkBeforeTheQuery() {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 16, 2);
      Batch b4 = p.first(4);
      Batch other4 =
          p.at(4).stream()
              .filter(b -> b.slot() != b4.slot() && !b.records().isEmpty())
              .findFirst()
              .orElseThrow();
      h.runWithOtherBefore(
          b4,
          Peeks::checkpointQuery,
          1,
          () -> {
            h.runner().run(p.owning(2, b4));
            h.runner().run(other4);
          });
      Peeks.assertPeekedOnce(h, b4, 4, "=1");
    }
  }
}
