package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Three slot counts on one split, found by the fourth review of the fence (docs/protocol.md,
 * Rescaling): a start path lifted the mark of a count it never fenced (one that marked after its
 * first read, or after its Query) and, its counts item already naming it, moved nothing, so that
 * count's own counts move succeeded on the old generation and it applied a peek again. Every start
 * path now moves the counts item on after its lifts.
 */
class RescaleLiftRacesIT {
  private static final long NO_WATERMARK = Long.MIN_VALUE;

  private static boolean checkpointQuery(SdkRequest r) {
    return r instanceof QueryRequest q
        && q.expressionAttributeValues().containsKey(":pk")
        && q.expressionAttributeValues().get(":pk").s().startsWith("C#");
  }

  private static boolean lift(SdkRequest r) {
    return r instanceof UpdateItemRequest u
        && u.updateExpression() != null
        && u.updateExpression().contains("REMOVE " + EarlierSlotCounts.FENCED);
  }

  /**
   * 2 slots ran; a 4-slot runner marks them (fz = {4}) and dies before its counts move; a 2-slot
   * runner reads its checkpoint (fz = {4}) and the counts item (still 2); an 8-slot runner (no
   * checkpoint, not named by the counts item) marks the 2 slots (fz = {4, 8}) and stalls before its
   * counts move, at the moment {@code hookBefore} selects in the 2-slot runner's start path; the
   * 2-slot runner fences 4 only, lifts both marks, needs no counts move and peeks; the 8-slot
   * runner's counts move then succeeds (generation unchanged), its checkpoint is absent, it peeks.
   */
  private static void run(Predicate<SdkRequest> hookBefore) {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      int n = 40;
      h.runAll(h.batches("s", 2, h.keyed("ops", Peeks.ops("set", n), 0), NO_WATERMARK, 0));
      List<KeyedRecord> peeks = h.keyed("ops", Peeks.ops("peek", n), n);
      Batch b8 = Peeks.firstNonEmpty(h.batches("s", 8, peeks, NO_WATERMARK, 0));
      Batch b4 = Peeks.firstNonEmpty(h.batches("s", 4, peeks, NO_WATERMARK, 0));
      int sa = h.slotOf(b8.records().get(0).key(), 2);
      List<Batch> two = h.batches("s", 2, peeks, NO_WATERMARK, 0);
      Peeks.crashBefore(h, b4, Peeks::countsPut); // fz = {4} on 2#0, 2#1
      CountDownLatch marked = new CountDownLatch(1);
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      DynamoDbClient stalling =
          h.client(
              new ExecutionInterceptor() {
                @Override
                public void beforeExecution(Context.BeforeExecution ctx, ExecutionAttributes a) {
                  if (Peeks.countsPut(ctx.request()) && marked.getCount() > 0) {
                    marked.countDown();
                    try {
                      go.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                }
              },
              false);
      Thread eight =
          new Thread(
              () -> {
                try {
                  h.runner(stalling).run(b8);
                } catch (Throwable t) {
                  failed.set(t);
                }
              });
      try {
        h.runWithOtherBefore(
            two.get(sa),
            hookBefore,
            1,
            () -> {
              eight.start();
              try {
                assertThat(marked.await(60, TimeUnit.SECONDS)).isTrue();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
      } finally {
        go.countDown();
        try {
          eight.join(120_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        stalling.close();
      }
      assertThat(eight.isAlive()).isFalse();
      assertThat(failed.get()).isNull();
      Peeks.assertPeekedOnce(h, b8, 8, "=1");
    }
  }

  /** The 8-slot mark lands between the 2-slot runner's BatchGetItem and its start Query. */
  @Test
  void aMarkAfterTheFirstReadIsLiftedUnfenced() {
    run(RescaleLiftRacesIT::checkpointQuery);
  }

  /** The 8-slot mark lands between the 2-slot runner's start Query and its lift. */
  @Test
  void aMarkAfterTheStartQueryIsLiftedUnfenced() {
    run(RescaleLiftRacesIT::lift);
  }
}
