package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.execution.InMemoryRunner;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.operator.protocol.SourceRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A coordinator remembers what its last batch of a split left committed at every slot, so the next
 * batch of the split reads no checkpoints; a copy that fell behind (another coordinator ran the
 * split since) only sends the slots records they skip, and a slot that did not answer makes the
 * next batch read them again.
 */
class KnownCheckpointsIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static final String SPLIT = "s/shard-0";

  /** The coordinator's client, counting its BatchGetItem calls (its checkpoint reads). */
  private static DynamoDbClient counting(DynamoDbClient dynamo, AtomicInteger batchGets) {
    return (DynamoDbClient)
        Proxy.newProxyInstance(
            DynamoDbClient.class.getClassLoader(),
            new Class<?>[] {DynamoDbClient.class},
            (proxy, method, args) -> {
              if (method.getName().equals("batchGetItem")) {
                batchGets.incrementAndGet();
              }
              try {
                return method.invoke(dynamo, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A coordinator of {@code f}'s job whose checkpoint reads count in {@code reads}. */
  private static Coordinator counted(Fixture f, SlotInvoker invoker, AtomicInteger reads) {
    return new Coordinator(f.settings, counting(f.dynamo, reads), invoker, invoker, f.clock);
  }

  private static List<SourceRecord> records(int from, int to, List<String> lines) {
    List<SourceRecord> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(Fixture.text(1_000 + i, lines.get(i)));
    }
    return out;
  }

  private static List<String> lines(int n) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add("w" + (i % 9) + " v" + (i % 4));
    }
    return lines;
  }

  private static List<String> sorted(List<String> values) {
    List<String> out = new ArrayList<>(values);
    out.sort(null);
    return out;
  }

  private static List<String> reference(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (Object o :
        InMemoryRunner.forJob(new Jobs.WordCounts())
            .bind("lines", lines.iterator())
            .run()
            .sink("counts")) {
      out.add(String.valueOf(o));
    }
    out.sort(null);
    return out;
  }

  @Test
  void aSplitsNextBatchReadsNoCheckpointsAndABatchDeliveredAgainIsSkipped() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      List<String> lines = lines(30);
      AtomicInteger reads = new AtomicInteger();
      Coordinator c = counted(f, f.invoker, reads);
      assertThat(c.process(null, SPLIT, records(0, 10, lines)).firstUncommitted()).isEqualTo(-1);
      assertThat(c.process(null, SPLIT, records(10, 20, lines)).firstUncommitted()).isEqualTo(-1);
      assertThat(reads).as("checkpoint reads: the first batch's only").hasValue(1);
      Coordinator.Outcome again = c.process(null, SPLIT, records(10, 20, lines));
      assertThat(again.skipped()).as("the batch delivered again, skipped here").isEqualTo(10);
      assertThat(again.responses()).isEmpty();
      assertThat(reads).hasValue(1);
      assertThat(c.process(null, SPLIT, records(20, 30, lines)).firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("counts"))).isEqualTo(reference(lines));
    }
  }

  @Test
  void aCopyBehindAnotherCoordinatorsCommitsOnlySendsRecordsTheSlotsSkip() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      List<String> lines = lines(30);
      AtomicInteger reads = new AtomicInteger();
      Coordinator c = counted(f, f.invoker, reads);
      c.process(null, SPLIT, records(0, 10, lines));
      // another coordinator commits the next batch; its answer is lost, and the mapping delivers
      // the batch again here, with more records
      f.another().coordinator().process(null, SPLIT, records(10, 20, lines));
      Coordinator.Outcome again = c.process(null, SPLIT, records(10, 30, lines));
      assertThat(again.firstUncommitted()).isEqualTo(-1);
      assertThat(again.responses().stream().mapToLong(r -> r.skipped()).sum())
          .as("keyed records the slots had committed, passed there")
          .isPositive();
      assertThat(reads).as("no checkpoint read after the first batch").hasValue(1);
      assertThat(sorted(f.outbox("counts")))
          .as("each record applied once")
          .isEqualTo(reference(lines));
    }
  }

  @Test
  void aSlotThatDidNotAnswerMakesTheNextBatchReadTheCheckpoints() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      List<String> lines = lines(30);
      AtomicInteger reads = new AtomicInteger();
      AtomicInteger failSlotOne = new AtomicInteger(0);
      SlotInvoker flaky =
          r ->
              r.slot() == 1 && failSlotOne.getAndSet(0) == 1
                  ? CompletableFuture.failedFuture(new IllegalStateException("slot 1 is down"))
                  : f.invoker.invoke(r);
      Coordinator c = counted(f, flaky, reads);
      c.process(null, SPLIT, records(0, 10, lines));
      failSlotOne.set(1);
      Coordinator.Outcome partly = c.process(null, SPLIT, records(10, 20, lines));
      assertThat(partly.failures()).hasSize(1);
      assertThat(partly.firstUncommitted()).isGreaterThanOrEqualTo(0);
      assertThat(reads).hasValue(1);
      Coordinator.Outcome again =
          c.process(null, SPLIT, records(10 + partly.firstUncommitted(), 30, lines));
      assertThat(reads).as("read again after the lost answer").hasValue(2);
      assertThat(again.firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("counts"))).isEqualTo(reference(lines));
    }
  }
}
