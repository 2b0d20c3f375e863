package dev.tributary.local.esm.internal.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.tributary.local.esm.FunctionInvoker;
import dev.tributary.local.esm.KinesisFailureRecord;
import dev.tributary.local.esm.MappingSettings;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.exceptions.ThrottlingException;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;

/**
 * One shard's record processor driven as KCL drives it (initialize, processRecords also with no
 * records, shardEnded), with a function in memory and a checkpointer that records its calls.
 */
class ShardPumpTest {
  private static final String SHARD = "shardId-000000000000";

  private final ExecutorService lanes = Executors.newCachedThreadPool();
  private final List<String> checkpoints = Collections.synchronizedList(new ArrayList<>());
  private final List<List<KinesisEvent.KinesisEventRecord>> invocations =
      Collections.synchronizedList(new ArrayList<>());
  private final List<KinesisFailureRecord> failures =
      Collections.synchronizedList(new ArrayList<>());
  private final List<Integer> payloadSizes = Collections.synchronizedList(new ArrayList<>());
  private final Counters counters = new Counters();
  private final AtomicBoolean refuseShardEnd = new AtomicBoolean();
  // the mapping's clock: the system's, moved on by what a test adds (a long invocation)
  private final AtomicLong clockAhead = new AtomicLong();
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.now().plusMillis(clockAhead.get());
        }
      };
  private final RecordProcessorCheckpointer checkpointer =
      (RecordProcessorCheckpointer)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {RecordProcessorCheckpointer.class},
              (proxy, method, args) -> {
                if (method.getName().equals("checkpoint")) {
                  if (args == null && refuseShardEnd.getAndSet(false)) {
                    throw new ThrottlingException("the lease table is busy");
                  }
                  checkpoints.add(args == null ? "SHARD_END" : String.valueOf(args[0]));
                  return null;
                }
                throw new UnsupportedOperationException(method.getName());
              });

  @AfterEach
  void stopLanes() throws InterruptedException {
    lanes.shutdownNow();
    assertThat(lanes.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private ShardPump pump(
      MappingSettings settings,
      Function<List<KinesisEvent.KinesisEventRecord>, FunctionInvoker.Result> function) {
    FunctionInvoker invoker =
        (name, payload) -> {
          payloadSizes.add(payload.length);
          List<KinesisEvent.KinesisEventRecord> records =
              KinesisEventJsonTestSupport.RUNTIME
                  .fromJson(new ByteArrayInputStream(payload))
                  .getRecords();
          invocations.add(records);
          return function.apply(records);
        };
    PumpContext context =
        new PumpContext(
            settings,
            invoker,
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            "arn:aws:kinesis:us-east-1:000000000000:stream/s",
            new KinesisEventJson(
                "arn:aws:kinesis:us-east-1:000000000000:stream/s",
                "us-east-1",
                "arn:aws:iam::000000000000:role/r"),
            failures::add,
            clock,
            Duration.ZERO,
            Duration.ofSeconds(10),
            lanes,
            counters);
    ShardPump pump = new ShardPump(context);
    pump.initialize(
        InitializationInput.builder()
            .shardId(SHARD)
            .extendedSequenceNumber(ExtendedSequenceNumber.TRIM_HORIZON)
            .build());
    return pump;
  }

  private static MappingSettings settings(
      int batchSize, Duration window, int retries, int parallelization) {
    return new MappingSettings(
        "f",
        batchSize,
        window,
        MappingSettings.StartingPosition.TRIM_HORIZON,
        null,
        retries,
        null,
        false,
        true,
        parallelization);
  }

  private static MappingSettings settings(int retries, boolean bisect, Duration maximumAge) {
    return new MappingSettings(
        "f",
        10,
        Duration.ZERO,
        MappingSettings.StartingPosition.TRIM_HORIZON,
        null,
        retries,
        maximumAge,
        bisect,
        true,
        1);
  }

  private static FunctionInvoker.Result failedFrom(String sequenceNumber) {
    return new FunctionInvoker.Returned(
        ("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + sequenceNumber + "\"}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static FunctionInvoker.Result ok() {
    return new FunctionInvoker.Returned(new byte[0]);
  }

  private static KinesisClientRecord record(long sequence, String key, int bytes) {
    byte[] data = new byte[bytes];
    byte[] text = (key + "/" + sequence).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(text, 0, data, 0, Math.min(text.length, bytes));
    return KinesisClientRecord.builder()
        .sequenceNumber(String.valueOf(sequence))
        .partitionKey(key)
        .data(ByteBuffer.wrap(bytes == 0 ? text : data))
        .approximateArrivalTimestamp(Instant.now())
        .build();
  }

  private static List<KinesisClientRecord> records(long from, int count, String key) {
    List<KinesisClientRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(record(from + i, key, 0));
    }
    return out;
  }

  private void read(ShardPump pump, List<KinesisClientRecord> records) {
    pump.processRecords(
        ProcessRecordsInput.builder()
            .records(new ArrayList<>(records))
            .checkpointer(checkpointer)
            .millisBehindLatest(42L)
            .build());
  }

  /** KCL calls in every read interval, also with nothing read; the pump checkpoints then. */
  private void idle(ShardPump pump) {
    read(pump, List.of());
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** How many invocations carried exactly {@code sequences} (the lanes append as this reads). */
  private long invocationsOf(List<String> sequences) {
    synchronized (invocations) {
      return invocations.stream().filter(b -> sequences(b).equals(sequences)).count();
    }
  }

  private static List<String> sequences(List<KinesisEvent.KinesisEventRecord> batch) {
    return batch.stream().map(r -> r.getKinesis().getSequenceNumber()).toList();
  }

  @Test
  void cutsBatchesInOrderAndCheckpointsTheLastFinishedRecord() {
    ShardPump pump = pump(settings(10, Duration.ZERO, -1, 1), r -> ok());
    read(pump, records(1, 25, "k"));
    await("25 records delivered", () -> counters.recordsDelivered.get() == 25);
    idle(pump);

    assertThat(invocations).extracting(List::size).containsExactly(10, 10, 5);
    assertThat(invocations.stream().flatMap(b -> sequences(b).stream()).toList())
        .containsExactlyElementsOf(
            records(1, 25, "k").stream().map(r -> r.sequenceNumber()).toList());
    assertThat(checkpoints).last().isEqualTo("25");
    assertThat(counters.snapshot().shards().get(SHARD).lastSequenceNumber()).isEqualTo("25");
    assertThat(counters.snapshot().shards().get(SHARD).millisBehindLatest()).isEqualTo(42L);
    assertThat(counters.snapshot().batches()).isEqualTo(3);
  }

  @Test
  void theWindowGathersSeveralReadsAndTheShardEndDeliversAtOnce() {
    ShardPump pump = pump(settings(100, Duration.ofSeconds(60), -1, 1), r -> ok());
    read(pump, records(1, 2, "k"));
    read(pump, records(3, 1, "k"));
    idle(pump);
    assertThat(invocations).isEmpty(); // the window is open and the batch not full

    pump.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build());

    assertThat(invocations)
        .singleElement()
        .satisfies(b -> assertThat(sequences(b)).containsExactly("1", "2", "3"));
    assertThat(checkpoints).containsExactly("SHARD_END");
    assertThat(counters.snapshot().shards().get(SHARD).ended()).isTrue();
  }

  @Test
  void aShardEndCheckpointThatFailsIsWrittenWhenKclCallsAgain() {
    ShardPump pump = pump(settings(100, Duration.ZERO, -1, 1), r -> ok());
    read(pump, records(1, 2, "k"));
    refuseShardEnd.set(true);
    ShardEndedInput end = ShardEndedInput.builder().checkpointer(checkpointer).build();

    pump.shardEnded(end);
    assertThat(checkpoints).doesNotContain("SHARD_END");
    assertThat(counters.snapshot().shards().get(SHARD).ended()).isFalse();

    pump.shardEnded(end);
    assertThat(checkpoints).endsWith("SHARD_END");
    assertThat(counters.snapshot().shards().get(SHARD).ended()).isTrue();
    assertThat(invocations)
        .singleElement()
        .satisfies(b -> assertThat(sequences(b)).containsExactly("1", "2"));
  }

  @Test
  void aBatchStaysUnderTheSixMegabytePayloadLimit() {
    ShardPump pump = pump(settings(10_000, Duration.ZERO, -1, 1), r -> ok());
    List<KinesisClientRecord> big = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      big.add(record(i + 1, "k", 1024 * 1024)); // 1 MiB each, 1.33 MiB as base64
    }
    read(pump, big);
    await("10 records delivered", () -> counters.recordsDelivered.get() == 10);

    assertThat(payloadSizes)
        .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(6 * 1024 * 1024));
    assertThat(invocations).extracting(List::size).containsExactly(4, 4, 2);
  }

  @Test
  void laneCheckpointsWaitForTheSlowestLane() throws Exception {
    String fast = "user-42"; // lane 0 of 3
    String slow = "a"; // lane 1 of 3
    assertThat(Lanes.lane(fast, 3)).isNotEqualTo(Lanes.lane(slow, 3));
    CountDownLatch release = new CountDownLatch(1);
    ShardPump pump =
        pump(
            settings(10, Duration.ZERO, -1, 3),
            batch -> {
              if (batch.get(0).getKinesis().getPartitionKey().equals(slow)) {
                try {
                  release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return ok();
            });
    List<KinesisClientRecord> mixed = new ArrayList<>();
    mixed.add(record(1, fast, 0));
    mixed.add(record(2, slow, 0));
    mixed.add(record(3, fast, 0));
    mixed.add(record(4, fast, 0));
    read(pump, mixed);
    await("the fast lane delivered", () -> counters.recordsDelivered.get() == 3);
    idle(pump);
    assertThat(checkpoints).containsExactly("1"); // record 2 is still in the function

    release.countDown();
    await("the slow lane delivered", () -> counters.recordsDelivered.get() == 4);
    idle(pump);
    assertThat(checkpoints).containsExactly("1", "4");
    assertThat(invocations)
        .allSatisfy(
            b ->
                assertThat(b.stream().map(r -> r.getKinesis().getPartitionKey()).distinct())
                    .hasSize(1));
  }

  @Test
  void aGivenUpBatchIsReportedWithItsPlaceInTheShardAndCheckpointed() {
    ShardPump pump =
        pump(
            settings(10, Duration.ZERO, 1, 1),
            r -> new FunctionInvoker.Failed("Unhandled: {\"errorMessage\":\"boom\"}"));
    read(pump, records(7, 3, "k"));
    await("the batch given up", () -> !failures.isEmpty());
    idle(pump);

    KinesisFailureRecord failure = failures.get(0);
    assertThat(failure.requestContext().condition()).isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.requestContext().approximateInvokeCount()).isEqualTo(2);
    assertThat(failure.responseContext().functionError()).isEqualTo("Unhandled");
    assertThat(failure.batchInfo().shardId()).isEqualTo(SHARD);
    assertThat(failure.batchInfo().startSequenceNumber()).isEqualTo("7");
    assertThat(failure.batchInfo().endSequenceNumber()).isEqualTo("9");
    assertThat(failure.batchInfo().batchSize()).isEqualTo(3);
    assertThat(checkpoints).containsExactly("9");
    assertThat(counters.snapshot().recordsDiscarded()).isEqualTo(3);
    assertThat(counters.snapshot().functionErrors()).isEqualTo(2);
  }

  /** AWS retries a batch it could not invoke until the records expire, using no retry. */
  @Test
  void aThrottledBatchIsTriedAgainWithoutUsingARetryAndWithoutCountingAnInvocation() {
    AtomicInteger calls = new AtomicInteger();
    ShardPump pump =
        pump(
            settings(10, Duration.ZERO, 0, 1),
            r ->
                calls.incrementAndGet() <= 3
                    ? new FunctionInvoker.NotInvoked("TooManyRequestsException: Rate Exceeded.")
                    : ok());
    read(pump, records(1, 3, "k"));
    await("the batch delivered", () -> counters.recordsDelivered.get() == 3);
    idle(pump);

    assertThat(invocations).hasSize(4);
    assertThat(failures).isEmpty();
    assertThat(counters.snapshot().recordsDiscarded()).isZero();
    assertThat(checkpoints).containsExactly("3");
  }

  @Test
  void aLostLeaseStopsRetryingAndLeavesTheBatchUncheckpointed() {
    ShardPump pump =
        pump(settings(10, Duration.ZERO, -1, 1), r -> new FunctionInvoker.Failed("Unhandled"));
    read(pump, records(1, 2, "k"));
    await("a few retries", () -> invocations.size() >= 3);

    pump.leaseLost(LeaseLostInput.builder().build());
    int tries = invocations.size();
    idle(pump);

    assertThat(invocations).hasSize(tries);
    assertThat(checkpoints).isEmpty();
    assertThat(failures).isEmpty();
  }

  /**
   * AWS: with several batchItemFailures, "Lambda uses the record with the lowest sequence number as
   * the checkpoint" and retries from it. So while record 3 is retried, 1 and 2 are checkpointed: a
   * mapping stopped now resumes at 3, not at 1 (found in review: the whole batch stayed
   * uncheckpointed until record 3 was done).
   */
  @Test
  void theRecordsBeforeAReportedFailureAreCheckpointedWhileTheRestIsRetried() {
    ShardPump pump =
        pump(settings(-1, false, null), r -> sequences(r).contains("3") ? failedFrom("3") : ok());
    read(pump, records(1, 5, "k"));
    try {
      await("record 3 retried", () -> invocations.size() >= 4);
      idle(pump);
    } finally {
      pump.shutdownRequested(ShutdownRequestedInput.builder().checkpointer(checkpointer).build());
    }

    assertThat(sequences(invocations.get(0))).containsExactly("1", "2", "3", "4", "5");
    assertThat(sequences(invocations.get(1))).containsExactly("3", "4", "5");
    assertThat(checkpoints).containsExactly("2");
  }

  /** The same for a bisected batch: the half that succeeded is checkpointed at once. */
  @Test
  void aBisectedHalfThatSucceededIsCheckpointedWhileTheOtherHalfIsRetried() {
    ShardPump pump =
        pump(
            settings(-1, true, null),
            r ->
                sequences(r).contains("4")
                    ? new FunctionInvoker.Failed("Unhandled: poison")
                    : ok());
    read(pump, records(1, 4, "k"));
    try {
      await("record 4 retried alone", () -> invocationsOf(List.of("4")) >= 3);
      idle(pump);
    } finally {
      pump.leaseLost(LeaseLostInput.builder().build()); // the lane retries until it stops
    }

    // the frontier moves with each half that succeeds ([1, 2], then [3]), checkpointed as it moves
    // or at the next read, depending on timing; never past the failing record
    assertThat(checkpoints).endsWith("3").isSubsetOf("2", "3").doesNotHaveDuplicates();
  }

  /**
   * A batch given up because its retries ran out is {@code RetryAttemptsExhausted}, also when the
   * last (long) invocation made its records older than the maximum age meanwhile (found in review:
   * the condition was judged again from the records' age when giving up).
   */
  @Test
  void aBatchWhoseRetriesRanOutIsRetryAttemptsExhaustedThoughItAgedMeanwhile() {
    ShardPump pump =
        pump(
            settings(0, false, Duration.ofSeconds(60)),
            r -> {
              clockAhead.addAndGet(90_000); // the invocation ran into a 90 s timeout
              return new FunctionInvoker.Failed("Unhandled: Task timed out after 90.00 seconds");
            });
    read(pump, records(1, 2, "k"));
    await("the batch given up", () -> !failures.isEmpty());

    assertThat(invocations).hasSize(1);
    assertThat(failures.get(0).requestContext().condition()).isEqualTo("RetryAttemptsExhausted");
    assertThat(failures.get(0).requestContext().approximateInvokeCount()).isEqualTo(1);
  }

  /**
   * An invocation that fails because the shard stopped under it (its thread interrupted) uses no
   * retry and gives nothing up: with no retries left the records were sent to the on-failure
   * destination and checkpointed past (found in review).
   */
  @Test
  void anInvocationFailingWhileTheShardStopsGivesNothingUp() throws Exception {
    AtomicBoolean released = new AtomicBoolean();
    CountDownLatch invoked = new CountDownLatch(1);
    ShardPump pump =
        pump(
            settings(0, false, null),
            r -> {
              invoked.countDown();
              while (!released.get()) {
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  break;
                }
              }
              return new FunctionInvoker.Failed("Unhandled: the connection was closed");
            });
    read(pump, records(1, 3, "k"));
    assertThat(invoked.await(10, TimeUnit.SECONDS)).isTrue();
    Thread stopper = new Thread(() -> pump.leaseLost(LeaseLostInput.builder().build()));
    stopper.start();
    Thread.sleep(200); // the lease is lost while the invocation runs
    released.set(true);
    stopper.join(10_000);
    idle(pump);

    assertThat(failures).isEmpty();
    assertThat(checkpoints).isEmpty();
    assertThat(counters.snapshot().recordsDiscarded()).isZero();
  }
}
