package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.operator.Functions;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.SlotExecutor;
import dev.tributary.operator.protocol.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's deadline: slots still working then count as lost answers, and the batch is
 * answered with what is committed, never with a failed invocation that reports nothing.
 */
class DeadlineIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static final SlotInvoker HANGS = r -> new CompletableFuture<>();

  private static long inNanos(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static SourceRecord keyed(long sequence, String text, String partitionKey) {
    return new SourceRecord(
        Long.toString(sequence),
        0,
        sequence,
        text.getBytes(StandardCharsets.UTF_8),
        Map.of("partitionKey", partitionKey));
  }

  @Test
  void theOnlySlotStillWorkingAtTheDeadlineIsAnsweredNotThrown() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts(), RuntimeSettings.SLOTS, "1")) {
      Coordinator c = new Coordinator(f.settings, f.dynamo, HANGS, HANGS, f.clock);
      List<SourceRecord> all = List.of(Fixture.text(1, "a b"), Fixture.text(2, "c d"));
      Coordinator.Outcome late = c.process(null, "s/shard-0", all, inNanos(300));
      assertThat(late.firstUncommitted()).isZero();
      assertThat(late.missedDeadline()).isEqualTo(1);
    }
  }

  @Test
  void pastTheDeadlineNothingIsStartedAndTheBatchIsAnsweredFromItsStart() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      AtomicInteger started = new AtomicInteger();
      SlotInvoker counting =
          r -> {
            started.incrementAndGet();
            return f.invoker.invoke(r);
          };
      Coordinator c = new Coordinator(f.settings, f.dynamo, counting, counting, f.clock);
      List<SourceRecord> all = List.of(Fixture.text(1, "a b"), Fixture.text(2, "c d"));
      assertThat(c.process(null, "s/shard-0", all, inNanos(-1)).firstUncommitted()).isZero();
      assertThat(started).hasValue(0);
    }
  }

  @Test
  void theKinesisHandlerAnswersWhenItsOnlySlotTimesOutAndCountsTheMiss() throws Exception {
    PrintStream stdout = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Fixture f = new Fixture(local, new Jobs.WordCounts(), RuntimeSettings.SLOTS, "1")) {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      CoordinatorRuntime runtime =
          new CoordinatorRuntime(f.settings, f.dynamo, HANGS, HANGS, f.clock);
      KinesisEvent.Record data = new KinesisEvent.Record();
      data.setSequenceNumber("1");
      data.setPartitionKey("p");
      data.setData(ByteBuffer.wrap("a b".getBytes(StandardCharsets.UTF_8)));
      data.setApproximateArrivalTimestamp(new Date(1));
      KinesisEvent.KinesisEventRecord record = new KinesisEvent.KinesisEventRecord();
      record.setEventID("shardId-000000000000:1");
      record.setEventSourceARN("arn:aws:kinesis:us-east-1:123456789012:stream/s");
      record.setKinesis(data);
      KinesisEvent event = new KinesisEvent();
      event.setRecords(List.of(record));
      StreamsEventResponse answer =
          new KinesisHandler(runtime).handleRequest(event, TimeLeft.of(2_000));
      assertThat(answer.getBatchItemFailures())
          .singleElement()
          .satisfies(failure -> assertThat(failure.getItemIdentifier()).isEqualTo("1"));
    } finally {
      System.setOut(stdout);
    }
    List<JsonNode> misses = new ArrayList<>();
    for (String line : printed.toString(StandardCharsets.UTF_8).lines().toList()) {
      if (line.contains("\"DeadlineMisses\"")) {
        misses.add(new ObjectMapper().readTree(line));
      }
    }
    assertThat(misses)
        .singleElement()
        .satisfies(
            emf -> {
              assertThat(emf.get("DeadlineMisses").asDouble()).isEqualTo(1.0);
              assertThat(emf.get("split").asText()).isEqualTo("s/shardId-000000000000");
            });
  }

  @Test
  void aPartitionKeyTimingOutIsAnsweredFromItsFirstRecordWhileTheOthersCommit() {
    try (Fixture f =
        new Fixture(local, new Jobs.WordCounts(), RuntimeSettings.PARALLELIZATION_FACTOR, "2")) {
      SlotInvoker p2Hangs =
          r -> r.split().endsWith("/k/p2") ? new CompletableFuture<>() : f.invoker.invoke(r);
      Coordinator c = new Coordinator(f.settings, f.dynamo, p2Hangs, p2Hangs, f.clock);
      List<SourceRecord> all =
          List.of(keyed(1, "x", "p1"), keyed(2, "y", "p2"), keyed(3, "z", "p1"));
      Coordinator.Outcome late = c.process(null, "s/shard-0", all, inNanos(1_000));
      assertThat(late.firstUncommitted()).isEqualTo(1);
      assertThat(late.responses()).isNotEmpty(); // p1 committed
    }
  }

  @Test
  void requestsStillQueuedAtTheDeadlineAreDroppedNotRunBesideTheRedelivery() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger executed = new AtomicInteger();
      InProcessInvoker oneAtATime =
          new InProcessInvoker(
              () -> {
                SlotExecutor real = Functions.slotExecutorUnchecked(f.settings, f.dynamo);
                try {
                  release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return real;
              },
              1);
      SlotInvoker counting =
          r -> {
            CompletableFuture<dev.tributary.operator.protocol.OperatorResponse> call =
                oneAtATime.invoke(r);
            call.thenRun(executed::incrementAndGet);
            return call;
          };
      try (oneAtATime) {
        Coordinator c = new Coordinator(f.settings, f.dynamo, counting, counting, f.clock);
        List<SourceRecord> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          all.add(Fixture.text(i + 1, "w" + i));
        }
        Coordinator.Outcome late = c.process(null, "s/shard-0", all, inNanos(300));
        assertThat(late.firstUncommitted()).isZero();
        release.countDown();
        // the request that had started finishes; the queued ones were cancelled at the deadline
        Thread.sleep(2_000);
        assertThat(executed.get()).isLessThanOrEqualTo(1);
      }
    }
  }
}
