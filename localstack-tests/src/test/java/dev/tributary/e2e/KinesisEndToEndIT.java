package dev.tributary.e2e;

import static dev.tributary.e2e.E2e.assertExactlyOnce;
import static dev.tributary.e2e.E2e.assertStopped;
import static dev.tributary.e2e.E2e.await;
import static dev.tributary.e2e.E2e.clicks;
import static dev.tributary.e2e.E2e.epochs;
import static dev.tributary.e2e.E2e.events;
import static dev.tributary.e2e.E2e.mapping;
import static dev.tributary.e2e.E2e.runAndCheck;
import static dev.tributary.e2e.E2e.stack;
import static dev.tributary.e2e.E2e.withActionAt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.cli.ClickWorkload;
import dev.tributary.cli.JobRun;
import dev.tributary.cli.KinesisSource;
import dev.tributary.cli.LocalStack;
import dev.tributary.cli.Outbox;
import dev.tributary.cli.Workload;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.esm.FunctionInvoker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * click-window-sums end to end on the local stack with a Kinesis stream: kinesis-local, the event
 * source mapping emulator on KCL, the coordinator and operator functions behind the local Lambda
 * endpoint, DynamoDB. Every test checks the committed window totals against the in-memory reference
 * run of the same clicks: nothing lost, nothing counted twice.
 */
class KinesisEndToEndIT {
  /**
   * When every split has been quiet for the idle timeout, the tick moves the watermark on with
   * processing time (so that a quiet stream's windows close); the restart must take less than that,
   * or the records produced after it would be late, as they would be on AWS.
   */
  private static final Duration RESTART_IDLE = Duration.ofSeconds(90);

  @Test
  void theJobCommitsExactlyTheReferenceOutputs() {
    List<Long> pids;
    try (LocalStack stack = stack(LocalStack.Source.KINESIS).start()) {
      pids = stack.childPids();
      JobRun.Result result = runAndCheck(stack, clicks(4_000));
      assertThat(result.epochs()).isPositive();
      assertThat(result.deadLetters()).isZero();
      assertThat(stack.lambda().invocations(LocalStack.OPERATOR)).isPositive();
      // counted from the slots' answers (two shards commit to the same slots at once)
      assertThat(stack.conflicts()).as("commits redone after a conflict").isNotNegative();
      assertThat(stack.timerItemMerges())
          .as("commits sent again with the timer item merged")
          .isNotNegative();
    }
    assertStopped(pids);
  }

  @Test
  void slotsRunInTheCoordinatorWithTheSameResult() {
    try (LocalStack stack = stack(LocalStack.Source.KINESIS).fanOut("in-process").start()) {
      runAndCheck(stack, clicks(3_000));
      assertThat(stack.lambda().invocations(LocalStack.OPERATOR)).isZero();
    }
  }

  /**
   * Three lanes of one shard deliver side by side, each in order only for its partition keys, and
   * every click counts once. The shard keeps one watermark, which its fastest lane drives
   * (docs/functions.md), so a lane that falls behind delivers clicks whose windows have fired. Here
   * one lane is slowed (300 ms per invocation) so that it surely does: the example job sets late
   * clicks aside in its late sink, and the check adds them back to their windows' totals. Nothing
   * is dropped as late, and the slowed lane's clicks were late.
   */
  @Test
  void aParallelizationFactorAboveOneKeepsExactlyOnce() {
    AtomicInteger slowed = new AtomicInteger();
    try (LocalStack stack =
        stack(LocalStack.Source.KINESIS)
            .shards(1)
            .mapping(mapping(50, 3, false))
            .wrapMappingInvoker(
                invoker ->
                    (function, payload) -> {
                      if (Thread.currentThread().getName().endsWith("-lane-0")) {
                        slowed.incrementAndGet();
                        E2e.pause(Duration.ofMillis(300));
                      }
                      return invoker.invoke(function, payload);
                    })
            .start()) {
      JobRun.Result result = runAndCheck(stack, clicks(5_000));
      // counted from the slots' answers: the checkpoints are per partition key here
      assertThat(result.epochs()).as("committed epochs").isPositive();
      assertThat(result.firstEpoch()).as("time to the first committed epoch").isNotNull();
      assertThat(result.folded().getOrDefault(ClickWindowSums.LATE_SINK, 0L))
          .as("late clicks set aside and added back for the check")
          .isPositive();
    }
    assertThat(slowed.get()).as("invocations of the slowed lane").isPositive();
  }

  @Test
  void aShardSplitInTheMiddleOfARunLosesNothing() {
    try (LocalStack stack = stack(LocalStack.Source.KINESIS).shards(1).start()) {
      ClickWorkload workload = clicks(4_000);
      List<Workload.Event> events = events(workload);
      KinesisSource kinesis = (KinesisSource) stack.stream();
      E2e.check(
          JobRun.of(stack, workload).events(withActionAt(events, 2_000, kinesis::splitShard)));
      assertThat(stack.splits()).hasSize(3);
      // what a coordinator without TRIBUTARY_SPLITS declares: the open shards, the children
      String arn =
          kinesis
              .client()
              .describeStreamSummary(b -> b.streamName(stack.splits().get(0).replaceAll("/.*", "")))
              .streamDescriptionSummary()
              .streamARN();
      assertThat(dev.tributary.coordinator.ShardLister.kinesis(kinesis::client).openShards(arn))
          .hasSize(2)
          .doesNotContain("shardId-000000000000");
    }
  }

  @Test
  void aShardMergeInTheMiddleOfARunLosesNothing() {
    try (LocalStack stack = stack(LocalStack.Source.KINESIS).shards(2).start()) {
      ClickWorkload workload = clicks(4_000);
      List<Workload.Event> events = events(workload);
      KinesisSource kinesis = (KinesisSource) stack.stream();
      E2e.check(
          JobRun.of(stack, workload).events(withActionAt(events, 2_000, kinesis::mergeShards)));
      assertThat(stack.splits()).hasSize(3);
    }
  }

  @Test
  void operatorFailuresAreRetriedFromTheFirstUncommittedRecord() {
    AtomicInteger calls = new AtomicInteger();
    try (LocalStack stack =
        stack(LocalStack.Source.KINESIS)
            .maxAttempts(100) // failures here are infrastructure, not poison: never dead-letter
            .wrapFunction(LocalStack.OPERATOR, E2e.failEvery(4, "operator", calls))
            .start()) {
      JobRun.Result result = runAndCheck(stack, clicks(3_000));
      assertThat(calls.get()).isGreaterThan(4);
      assertThat(result.deadLetters()).isZero();
    }
  }

  @Test
  void coordinatorErrorsAreRetriedWithBisection() {
    AtomicInteger calls = new AtomicInteger();
    try (LocalStack stack =
        stack(LocalStack.Source.KINESIS)
            .mapping(mapping(100, 1, true))
            .wrapFunction(LocalStack.COORDINATOR, E2e.failEvery(3, "coordinator", calls))
            .start()) {
      JobRun.Result result = runAndCheck(stack, clicks(3_000));
      assertThat(result.progress().functionErrors()).isPositive();
    }
  }

  @Test
  void aPoisonRecordIsDeadLetteredWithItsPayloadAndTheStreamMovesOn() {
    try (LocalStack stack = stack(LocalStack.Source.KINESIS).maxAttempts(2).start()) {
      ClickWorkload workload = clicks(3_000);
      List<Workload.Event> events = new ArrayList<>(events(workload));
      byte[] poison = "{\"userId\": this is not json".getBytes(StandardCharsets.UTF_8);
      events.add(1_500, new Workload.Event("user-1", poison));
      JobRun.Result result = E2e.check(JobRun.of(stack, workload).events(events.iterator()));
      assertThat(result.deadLetters()).isEqualTo(1);
      List<Map<String, AttributeValue>> letters =
          Outbox.deadLetters(stack.dynamo(), stack.settings().tables());
      assertThat(letters.get(0).get("payload").b().asByteArray()).isEqualTo(poison);
    }
  }

  @Test
  void everyBatchDeliveredTwiceIsAppliedOnce() {
    try (LocalStack stack =
        stack(LocalStack.Source.KINESIS).wrapMappingInvoker(E2e.deliverTwice()).start()) {
      runAndCheck(stack, clicks(3_000));
    }
  }

  @Test
  void aLostAnswerIsRedeliveredAndAppliedOnce() {
    AtomicInteger calls = new AtomicInteger();
    try (LocalStack stack =
        stack(LocalStack.Source.KINESIS)
            .wrapMappingInvoker(
                invoker ->
                    (function, payload) -> {
                      FunctionInvoker.Result result = invoker.invoke(function, payload);
                      // every third answer is lost after the function ran (a timeout on the way
                      // back): the mapping retries a batch that already committed
                      return calls.incrementAndGet() % 3 == 0
                          ? new FunctionInvoker.Failed("injected: the answer was lost")
                          : result;
                    })
            .start()) {
      runAndCheck(stack, clicks(3_000));
    }
  }

  @Test
  void aRestartOfTheWholeStackInTheMiddleOfARunResumesExactlyOnce(@TempDir Path data) {
    ClickWorkload workload = clicks(4_000);
    List<Workload.Event> events = events(workload);
    List<Long> firstPids;
    try (LocalStack first =
        stack(LocalStack.Source.KINESIS).dataDir(data).idleTimeout(RESTART_IDLE).start()) {
      firstPids = first.childPids();
      first.produce(events.subList(0, 2_000));
      await("the first stack committed an epoch", Duration.ofMinutes(2), () -> epochs(first) > 0);
      E2e.sleep(1_500); // kinesis-mock persists its streams every second
    }
    assertStopped(firstPids);
    try (LocalStack second =
        stack(LocalStack.Source.KINESIS).dataDir(data).idleTimeout(RESTART_IDLE).start()) {
      JobRun.Result result =
          E2e.check(JobRun.of(second, workload).events(events.subList(2_000, 4_000).iterator()));
      assertExactlyOnce(result);
    }
  }
}
