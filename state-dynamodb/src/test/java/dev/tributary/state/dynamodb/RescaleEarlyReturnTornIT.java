package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * Review 8: the start path's early return (step 2) trusts that, since the counts item read first
 * names this count as started whole, the other counts' checkpoints the Query reads are marked and
 * final. The GetItem bounds only what was true when it was read: nothing conditions the early
 * return on the generation staying put during the Query. A Query that reads the old count's
 * checkpoints ("2#..", which sort first) before, and its own count's ("4#..") after, (1) the old
 * count restarting and committing, and (2) this count restarting again (which lifts every mark of
 * this count, this runner's placeholder too), returns early with the old count's positions from
 * before its commit and a lifted own checkpoint whose epoch nothing moves again: the runner
 * committed records the old count applied inside the Query. The early return now reads the counts
 * item again and trusts the Query only when its generation did not move (every write of the item
 * moves it).
 */
class RescaleEarlyReturnTornIT {
  @Test
  void anEarlyReturnTrustsOldPositionsReadBeforeTwoRestartsInsideItsQuery() {
    run(true);
  }

  /** Control: the same work just before an untorn Query; the runner passes the peeks. */
  @Test
  void controlTheSameWorkBeforeTheQuery() {
    run(false);
  }

  private static void run(boolean torn) {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 16, 2);
      Batch b4 = p.first(4); // Z: the runner whose Query is torn
      Batch b2 = p.owning(2, b4); // the old count's slot owning Z's keys
      Batch other4 =
          p.at(4).stream()
              .filter(b -> b.slot() != b4.slot() && !b.records().isEmpty())
              .findFirst()
              .orElseThrow();
      AtomicBoolean startedBeforeGet = new AtomicBoolean();
      AtomicInteger zFences = new AtomicInteger();
      // Z's Query reads the 2-slot checkpoints first; then 2 restarts (fences 4, puts Z's
      // placeholder) and peeks Z's keys, and 4 restarts (fences 2 at its new positions, lifts every
      // 4-slot mark); then the Query reads the 4-slot checkpoints and the counts item
      Runnable inside =
          () -> {
            h.runner().run(b2);
            h.runner().run(other4);
          };
      TornQuery hook =
          new TornQuery(h, sk -> sk.startsWith("2#"), torn, inside) {
            @Override
            public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
              if (Peeks.countsPut(c.request())) {
                zFences.incrementAndGet();
              }
              if (c.request() instanceof GetItemRequest g
                  && EarlierSlotCounts.HISTORY_SK.equals(g.key().get("sk").s())
                  && startedBeforeGet.compareAndSet(false, true)) {
                // Z read the counts item (naming 2) in its BatchGetItem: now 4 starts whole
                h.runner().run(other4);
              }
              super.beforeExecution(c, a);
            }
          };
      try (DynamoDbClient z = h.client(hook, false)) {
        h.runner(z).run(b4);
      }
      // the interleaving happened: 4 started before Z's GetItem, the Query was torn around both
      // restarts, and Z returned early (it wrote no fence)
      assertThat(startedBeforeGet.get()).as("4 started before Z's GetItem").isTrue();
      assertThat(hook.happened()).as("Z's Query torn").isTrue();
      assertThat(hook.readFirst()).as("2-slot checkpoints read before").hasSize(2);
      if (torn) {
        // and what it read of 2 is older than 2's checkpoints now (2 committed inside)
        assertThat(hook.readFirst().stream().map(i -> i.get("epoch").n()).toList())
            .isNotEqualTo(
                Peeks.checkpointPartition(h).stream()
                    .filter(i -> i.get("sk").s().startsWith("2#"))
                    .map(i -> i.get("epoch").n())
                    .toList());
      }
      assertThat(zFences.get()).as("Z took the early return").isZero();
      Peeks.assertPeekedOnce(h, b4, 4, "=1");
    }
  }
}
