package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.dynamodb.FaultError;
import dev.tributary.local.dynamodb.FaultRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Faults at every step of the commit path: crashes before and after every DynamoDB call, responses
 * lost after the commit applied, injected conflicts and throttling, zombies and duplicate
 * invocations. After each run the committed outputs and state equal the in-memory reference.
 */
class KeyedStageChaosIT {
  private static final AtomicLong CLOCK_OFFSET = new AtomicLong();

  @AutoClose
  private static final DynamoDbLocal local =
      DynamoDbLocal.builder().clock(() -> System.currentTimeMillis() + CLOCK_OFFSET.get()).build();

  private static Scenario scenario() {
    return Scenario.of(11, 2, 40, 5, 2, 20);
  }

  /** Runs the scenario in order: batch k of every split, for every slot, then the final ticks. */
  private static void runInOrder(Harness h, Scenario sc, DynamoDbClient client) {
    int batches = sc.splits.keySet().stream().mapToInt(sc::batchCount).max().orElse(0);
    for (int k = 0; k < batches; k++) {
      for (String split : sc.splits.keySet()) {
        if (k < sc.batchCount(split)) {
          for (int slot = 0; slot < sc.slots; slot++) {
            runSurvivingCrashes(h, client, sc.batch(h, split, k, slot));
            sc.committed(split, k, slot);
          }
        }
      }
    }
    for (Batch tick : sc.finalTicks()) {
      runSurvivingCrashes(h, client, tick);
    }
  }

  /** Runs a batch; when the invocation crashes, runs it again (as Lambda retries it). */
  private static RunReport runSurvivingCrashes(Harness h, DynamoDbClient client, Batch batch) {
    for (int attempt = 0; ; attempt++) {
      try {
        return h.runner(client).run(batch);
      } catch (Calls.Crash crash) {
        assertThat(attempt).as("crashes of one batch").isLessThan(3);
      }
    }
  }

  /**
   * Runs the scenario on fresh tables with {@code fault} injected; checks it against the reference.
   */
  private static FaultRule runWith(
      java.util.function.Function<Harness, FaultRule> fault,
      ExecutionInterceptor interceptor,
      boolean sdkRetries) {
    try (Harness h = Harness.on(local, new LedgerJob(8))) {
      FaultRule rule = local.faults().add(fault.apply(h));
      try {
        runInOrder(h, scenario(), h.client(interceptor, sdkRetries));
      } finally {
        local.faults().clear();
      }
      Ledger.assertMatchesReference(h, scenario().all(), true);
      return rule;
    }
  }

  private static int callsOfACleanRun(String operation) {
    try (Harness h = Harness.on(local, new LedgerJob(8))) {
      Calls calls = new Calls();
      DynamoDbClient client = h.client(calls, true);
      runInOrder(h, scenario(), client);
      Ledger.assertMatchesReference(h, scenario().all(), true);
      return (int) (operation == null ? calls.count.get() : calls.count(operation));
    }
  }

  @Test
  void aCrashBeforeAnyCallLosesNothingAndDoublesNothing() {
    int total = callsOfACleanRun(null);
    assertThat(total).isGreaterThan(20);
    for (int n = 1; n <= total; n++) {
      try (Harness h = Harness.on(local, new LedgerJob(8))) {
        Calls calls = new Calls();
        calls.crashBefore = n;
        runInOrder(h, scenario(), h.client(calls, true));
        Ledger.assertMatchesReference(h, scenario().all(), true);
      }
    }
  }

  @Test
  void aCrashAfterAnyCallLosesNothingAndDoublesNothing() {
    int total = callsOfACleanRun(null);
    for (int n = 1; n <= total; n++) {
      try (Harness h = Harness.on(local, new LedgerJob(8))) {
        Calls calls = new Calls();
        calls.crashAfter = n;
        runInOrder(h, scenario(), h.client(calls, true));
        Ledger.assertMatchesReference(h, scenario().all(), true);
      }
    }
  }

  @Test
  void aCommitWhoseResponseIsLostIsRetriedWithItsTokenAndNotAppliedTwice() {
    int commits = callsOfACleanRun("TransactWriteItems");
    assertThat(commits).isGreaterThan(5);
    for (int n = 0; n < commits; n++) {
      int after = n;
      FaultRule drop =
          runWith(
              h ->
                  FaultRule.on("TransactWriteItems")
                      .table(h.tables.state())
                      .after(after)
                      .times(1)
                      .applyThenDropResponse(),
              new Calls(),
              false);
      assertThat(drop.triggered()).isEqualTo(1);
    }
  }

  @Test
  void whenEveryRetryIsLostTooTheCheckpointSettlesTheOutcome() {
    // the commit applies, then it and all of its retries lose their responses
    FaultRule drop =
        runWith(
            h ->
                FaultRule.on("TransactWriteItems")
                    .table(h.tables.state())
                    .after(3)
                    .times(8)
                    .applyThenDropResponse(),
            new Calls(),
            false);
    assertThat(drop.triggered()).isEqualTo(8);
  }

  @Test
  void aRetryAfterTheTokenWindowIsSettledByTheCheckpoint() {
    {
      // every lost commit response is followed by 11 minutes: the retry's token has expired, so
      // DynamoDB runs it again; the checkpoint condition stops it, and the commit id tells the
      // runner that its first attempt committed
      ExecutionInterceptor timeFlies =
          new ExecutionInterceptor() {
            @Override
            public void onExecutionFailure(
                Context.FailedExecution context, ExecutionAttributes attributes) {
              if ("TransactWriteItems"
                  .equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
                CLOCK_OFFSET.addAndGet(Duration.ofMinutes(11).toMillis());
              }
            }
          };
      runWith(
          h ->
              FaultRule.on("TransactWriteItems")
                  .table(h.tables.state())
                  .after(2)
                  .times(3)
                  .applyThenDropResponse(),
          timeFlies,
          false);
    }
  }

  @Test
  void transactionConflictsOnTheNthCommitAreRetried() {
    int commits = callsOfACleanRun("TransactWriteItems");
    for (int n = 0; n < commits; n += 2) {
      int after = n;
      runWith(
          h ->
              FaultRule.on("TransactWriteItems")
                  .table(h.tables.state())
                  .after(after)
                  .times(2)
                  .failWith(FaultError.TRANSACTION_CONFLICT),
          new Calls(),
          false);
    }
  }

  @Test
  void throttlingAndServerErrorsAnywhereAreRetried() {
    int total = callsOfACleanRun(null);
    FaultError[] errors = {
      FaultError.THROTTLING,
      FaultError.PROVISIONED_THROUGHPUT_EXCEEDED,
      FaultError.REQUEST_LIMIT_EXCEEDED,
      FaultError.INTERNAL_SERVER_ERROR
    };
    for (int n = 0; n < total; n += 3) {
      int after = n;
      runWith(
          h -> FaultRule.on(null).after(after).times(2).failWith(errors[after % errors.length]),
          new Calls(),
          true);
    }
  }

  @Test
  void commitErrorsWithoutSdkRetriesAreRetriedByTheRunner() {
    FaultError[] errors = {
      FaultError.THROTTLING,
      FaultError.INTERNAL_SERVER_ERROR,
      FaultError.TRANSACTION_CONFLICT,
      FaultError.TRANSACTION_IN_PROGRESS
    };
    for (FaultError error : errors) {
      try (Harness h = Harness.on(local, new LedgerJob(8))) {
        local
            .faults()
            .add(
                FaultRule.on("TransactWriteItems")
                    .table(h.tables.state())
                    .after(1)
                    .times(3)
                    .failWith(error));
        List<RunReport> reports = new ArrayList<>();
        try {
          Scenario sc = scenario();
          reports.add(h.runner(h.client(new Calls(), false)).run(sc.batch(h, "split-0", 0, 0)));
          reports.add(h.runner(h.client(new Calls(), false)).run(sc.batch(h, "split-0", 0, 1)));
        } finally {
          local.faults().clear();
        }
        assertThat(reports.stream().mapToInt(RunReport::retries).sum())
            .as("%s", error)
            .isEqualTo(3);
      }
    }
  }

  @Test
  void aZombieFinishingLateIsFencedAndChangesNothing() throws Exception {
    RunReport late = zombieFinishingLate(false);
    assertThat(late.fenced()).isTrue();
    assertThat(late.epochs()).isZero();
  }

  /**
   * An endpoint that cancels a transaction without saying why (LocalStack's has been reported to
   * drop the reasons): the runner cannot tell a fence from a conflict, so it redoes the epoch from
   * the checkpoint, which shows the batch committed by the successor, instead of sending the same
   * doomed commit again until it gives up.
   */
  @Test
  void aCancellationWithoutReasonsIsRedoneFromTheCheckpoint() throws Exception {
    RunReport late = zombieFinishingLate(true);
    assertThat(late.epochs()).isZero();
    assertThat(late.conflicts()).isPositive();
  }

  /**
   * A zombie stalls just before its commit while a successor commits its batch and the next one;
   * then the zombie's commit goes on ({@code withoutReasons}: its client sees the cancellation
   * without reasons). Checks that the zombie changed no output and returns its report.
   */
  private RunReport zombieFinishingLate(boolean withoutReasons) throws Exception {
    try (Harness h = Harness.on(local, new LedgerJob(8))) {
      Scenario sc = scenario();
      Batch first = sc.batch(h, "split-0", 0, 0);
      CountDownLatch zombieAboutToCommit = new CountDownLatch(1);
      CountDownLatch successorDone = new CountDownLatch(1);
      ExecutionInterceptor stall =
          new ExecutionInterceptor() {
            @Override
            public void beforeExecution(
                Context.BeforeExecution context, ExecutionAttributes attributes) {
              if ("TransactWriteItems"
                  .equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
                zombieAboutToCommit.countDown();
                try {
                  successorDone.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }

            @Override
            public Throwable modifyException(
                Context.FailedExecution context, ExecutionAttributes attributes) {
              if (withoutReasons && context.exception() instanceof TransactionCanceledException e) {
                return TransactionCanceledException.builder()
                    .message(e.getMessage())
                    .statusCode(e.statusCode())
                    .awsErrorDetails(e.awsErrorDetails())
                    .build();
              }
              return context.exception();
            }
          };
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<RunReport> zombie = pool.submit(() -> h.runner(h.client(stall, false)).run(first));
        assertThat(zombieAboutToCommit.await(30, TimeUnit.SECONDS)).isTrue();
        // the successor redoes the batch and the next one while the zombie hangs
        h.runner().run(first);
        sc.committed("split-0", 0, 0);
        h.runner().run(sc.batch(h, "split-0", 1, 0));
        List<LedgerJob.Out> before = h.outbox(LedgerJob.SINK);
        successorDone.countDown();
        RunReport late = zombie.get(30, TimeUnit.SECONDS);
        assertThat(h.<LedgerJob.Out>outbox(LedgerJob.SINK)).isEqualTo(before);
        return late;
      } finally {
        successorDone.countDown();
        pool.shutdownNow();
      }
    }
  }

  @Test
  void duplicateInvocationsRacingOnOneBatchApplyItOnce() throws Exception {
    try (Harness h = Harness.on(local, new LedgerJob(8))) {
      Scenario sc = Scenario.of(12, 1, 60, 4, 1, 20);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        for (int k = 0; k < sc.batchCount("split-0"); k++) {
          Batch batch = sc.batch(h, "split-0", k, 0);
          List<Future<RunReport>> copies = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            copies.add(pool.submit(() -> h.runner().run(batch)));
          }
          long applied = 0;
          for (Future<RunReport> f : copies) {
            applied += f.get(60, TimeUnit.SECONDS).recordsApplied();
          }
          assertThat(applied).as("records applied by three copies of batch %d", k).isEqualTo(20);
          sc.committed("split-0", k, 0);
        }
        for (Batch tick : sc.finalTicks()) {
          h.runner().run(tick);
        }
      } finally {
        pool.shutdownNow();
      }
      Ledger.assertMatchesReference(h, sc.all(), true);
    }
  }

  @Test
  void concurrentSplitsOverlappingKeysConflictAndLoseNothing() throws Exception {
    try (Harness h = Harness.on(local, new LedgerJob(8))) {
      Scenario sc = Scenario.of(13, 3, 60, 3, 2, 10);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<Integer>> writers = new ArrayList<>();
      // the writers start together, so their runs overlap however slowly the threads start
      CyclicBarrier start = new CyclicBarrier(sc.splits.size());
      try {
        for (String split : sc.splits.keySet()) {
          writers.add(
              pool.submit(
                  () -> {
                    start.await(60, TimeUnit.SECONDS);
                    int conflicts = 0;
                    for (int k = 0; k < sc.batchCount(split); k++) {
                      for (int slot = 0; slot < sc.slots; slot++) {
                        conflicts += h.runner().run(sc.batch(h, split, k, slot)).conflicts();
                        sc.committed(split, k, slot);
                      }
                    }
                    return conflicts;
                  }));
        }
        int conflicts = 0;
        for (Future<Integer> w : writers) {
          conflicts += w.get(120, TimeUnit.SECONDS);
        }
        for (Batch tick : sc.finalTicks()) {
          h.runner().run(tick);
        }
        Ledger.assertMatchesReference(h, sc.all(), true);
        assertThat(conflicts).as("conflicts between splits writing the same accounts").isPositive();
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
