package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.OpsJobs.Op;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * A key's main item (BatchGetItem) and its spill items (a Query after it) are two reads. When
 * another split commits in between and spills a cell at a new generation, the loader takes the new
 * spill items for garbage of an old generation (the stale main item does not name it); the runner's
 * next commit, which need not touch that key, deleted them after committing and the map's entries
 * were lost (found in review). Garbage is now deleted only for keys a commit wrote or checked.
 */
class TornSpillReadIT {

  @Test
  void spillItemsWrittenBetweenTheMainItemReadAndItsQueryAreNotDeletedAsGarbage() {
    run(true);
  }

  /** Control: a's fill before b's run, not inside it (passes). */
  @Test
  void control() {
    run(false);
  }

  private void run(boolean torn) {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      // k's map spills (generation G), then is emptied while k keeps a count: k's item keeps g = G
      h.runAll(h.batches("s", 1, h.keyed("ops", List.of(new Op("k", "fill", 40)), 0), 0, 0));
      h.runAll(
          h.batches(
              "s",
              1,
              h.keyed("ops", List.of(new Op("k", "clear", 0), new Op("k", "set", 0)), 1),
              0,
              0));
      // split b has committed its first record (a read of k)
      List<Op> bOps = List.of(new Op("k", "peek", 0), new Op("y", "set", 0));
      h.runAll(h.batches("b", 1, h.keyed("ops", bOps.subList(0, 1), 0), 0, 0));
      // b's batch delivered again with one more record: k is loaded (for the replayed record) but
      // not used; split a fills k's map again (a new spill generation, G + 1) between b's read of
      // k's main item and b's Query of k's spill items
      Batch b = h.batches("b", 1, h.keyed("ops", bOps, 0), 0, 0).get(0);
      Runnable a =
          () ->
              h.runAll(
                  h.batches("a", 1, h.keyed("ops", List.of(new Op("k", "fill", 40)), 0), 0, 0));
      if (!torn) {
        a.run();
        h.runAll(List.of(b));
      } else h.runWithOtherBefore(b, r -> r instanceof QueryRequest, 1, a);
      h.runAll(h.batches("s", 1, h.keyed("ops", List.of(new Op("k", "size", 0)), 3), 0, 0));
      assertThat(h.outboxText("out")).contains("k:40");
    }
  }
}
