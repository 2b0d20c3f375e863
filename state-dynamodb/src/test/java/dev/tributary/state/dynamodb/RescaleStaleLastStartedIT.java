package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Review 7: a fence in parts takes the counts item conditioned on its generation only, and the last
 * UpdateItem of a fence in parts (REMOVE st) did not move the generation (it does now). So a start
 * Q that read the counts item while count P's fence in parts was still under way ({@code st}) still
 * lands its first part after P's REMOVE made P complete, and writes {@code la} = the count before P
 * (it read P as "not started whole"). P's runner, complete, goes on to its commit (first commit of
 * its slot: attribute_not_exists). If Q's placeholders for P are not in Q's first part (P sorts
 * after the count before it) and Q dies after its first part, the next start (here Q delivered
 * again) reads the counts item naming Q (st) and la = the count before P: P has no checkpoint, is
 * not named, and is not in any mark, so nothing fences P; both Q and P apply the same records.
 *
 * <p>100 slots ran (set the keys). P = 128: its fence marks 100 checkpoints (16 marks + 84
 * placeholders: parts). Q = 2: 100 X writes, then 128 P placeholders: part 1 holds only X.
 */
class RescaleStaleLastStartedIT {
  @Test
  void aStartThatReadAFenceInPartsLosesTheCountThatCompletedIt() throws Exception {
    try (Harness h = Harness.start(new OpsJobs.Job())) {
      Peeks.Staged p = Peeks.setThenPeek(h, 16, 100);
      Batch bP = p.first(128);
      Batch bQ = p.owning(2, bP);
      CountDownLatch qRead = new CountDownLatch(1);
      CountDownLatch pRemoved = new CountDownLatch(1);
      Thread[] q = new Thread[1];
      AtomicBoolean qDelivered = new AtomicBoolean();
      // Q: reads the counts item while P is "st"; its first part waits for P's REMOVE; it dies
      // before its second part
      ExecutionInterceptor qHook =
          new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
              if (!(c.request() instanceof TransactWriteItemsRequest)) {
                return;
              }
              if (Peeks.countsPut(c.request())) {
                qRead.countDown();
                await(pRemoved);
              } else {
                throw new IllegalStateException("crash (test)");
              }
            }
          };
      ExecutionInterceptor pHook =
          new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
              if (c.request() instanceof UpdateItemRequest u
                  && u.updateExpression().contains("REMOVE st")
                  && q[0] == null) {
                q[0] =
                    new Thread(
                        () -> {
                          try (DynamoDbClient qc = h.client(qHook, false)) {
                            h.runner(qc).run(bQ);
                          } catch (RuntimeException e) {
                            // died before its second part
                          }
                        });
                q[0].start();
                await(qRead);
              } else if (c.request() instanceof TransactWriteItemsRequest
                  && pRemoved.getCount() == 0
                  && !Peeks.countsPut(c.request())
                  && qDelivered.compareAndSet(false, true)) {
                // P's commit: first Q dies, then Q's batch is delivered again and runs whole
                try {
                  q[0].join(60_000);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                h.runner().run(bQ);
              }
            }

            @Override
            public void afterExecution(Context.AfterExecution c, ExecutionAttributes a) {
              if (c.request() instanceof UpdateItemRequest u
                  && u.updateExpression().contains("REMOVE st")) {
                pRemoved.countDown();
              }
            }
          };
      try (DynamoDbClient pc = h.client(pHook, false)) {
        h.runner(pc).run(bP);
      }
      // the interleaving happened: Q read P in parts, took the item after P completed, and was
      // delivered again
      assertThat(q[0]).as("Q started inside P's fence").isNotNull();
      assertThat(qDelivered.get()).as("Q delivered again before P's commit").isTrue();
      Peeks.assertPeekedOnce(h, bP, 2, "=1");
    }
  }

  private static void await(CountDownLatch l) {
    try {
      if (!l.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timed out");
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
