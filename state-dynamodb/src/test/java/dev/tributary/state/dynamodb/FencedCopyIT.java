package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.LedgerJob.Txn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Two copies of one batch (a retry while the first invocation still runs): the copy that is fenced
 * answers the checkpoint it read, which is before records the other copy has not committed, so the
 * mapping delivers them again and none is lost (the coordinator answers the first record after the
 * reported checkpoint as the batch's first failure).
 */
class FencedCopyIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  /** Runs {@code before} just before the {@code n}-th TransactWriteItems of the client. */
  private static ExecutionInterceptor beforeCommit(int n, Runnable before) {
    int[] seen = {0};
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof TransactWriteItemsRequest && ++seen[0] == n) {
          before.run();
        }
      }
    };
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Copy A and copy B of batch 1 (120 accounts: three epochs) start from the same checkpoint. A
   * commits its first epoch and stalls; B's first commit is fenced by it. B's answer must not say
   * that batch 1 is committed: the mapping then delivers batch 1 again from the record after the
   * checkpoint B reports (while A still stalls), then batch 2; A's next commit is fenced. Every
   * posting is committed once.
   */
  @Test
  void aFencedCopyDoesNotLetTheNextBatchSkipWhatTheOtherCopyHasNotCommitted() throws Exception {
    try (Harness h = Harness.on(local, new LedgerJob(4))) {
      List<Txn> first = List.of(new Txn("acct-0", 0, 5, 10));
      List<Txn> batch1 = new ArrayList<>();
      for (int i = 1; i <= 120; i++) {
        batch1.add(new Txn("acct-" + i, i, 10, 20));
      }
      List<Txn> batch2 = List.of(new Txn("acct-0", 121, 7, 30), new Txn("acct-1", 122, 7, 30));
      h.runAll(h.batches("a", 1, h.keyed(LedgerJob.SOURCE, first, 0), 10, 0));
      Batch b1 = h.batches("a", 1, h.keyed(LedgerJob.SOURCE, batch1, 1), 20, 0).get(0);
      Batch b2 = h.batches("a", 1, h.keyed(LedgerJob.SOURCE, batch2, 121), 30, 0).get(0);

      CountDownLatch aCommittedOnce = new CountDownLatch(1);
      CountDownLatch resumeA = new CountDownLatch(1);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (DynamoDbClient clientA =
              h.client(
                  beforeCommit(
                      2,
                      () -> {
                        aCommittedOnce.countDown();
                        await(resumeA);
                      }),
                  false);
          DynamoDbClient clientB =
              h.client(
                  beforeCommit(
                      1,
                      () -> {
                        // B has read the checkpoint and run its first epoch: A starts now
                        pool.submit(() -> h.runner(clientA).run(b1));
                        await(aCommittedOnce);
                      }),
                  false)) {
        RunReport fenced = h.runner(clientB).run(b1);
        assertThat(aCommittedOnce.getCount()).as("A committed its first epoch").isZero();
        assertThat(fenced.fenced()).isTrue();
        Position lastOfBatch = b1.records().get(b1.records().size() - 1).position();
        assertThat(fenced.committedThrough())
            .as("the checkpoint a fenced copy answers is before what the other copy left")
            .isLessThan(lastOfBatch);
        // the mapping delivers again from the first record after that checkpoint, then batch 2
        RunReport again = h.runner().run(Harness.rest(b1, fenced.committedThrough()));
        assertThat(again.committedThrough()).isEqualTo(lastOfBatch);
        h.runner().run(b2);
        resumeA.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      } finally {
        pool.shutdownNow();
      }
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      List<Txn> all = new ArrayList<>(first);
      all.addAll(batch1);
      all.addAll(batch2);
      Ledger.assertMatchesReference(h, all, true);
    }
  }
}
