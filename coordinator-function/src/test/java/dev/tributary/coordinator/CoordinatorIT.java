package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.tributary.DataStream;
import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.execution.InMemoryRunner;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.operator.Functions;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.EventTimeSessionWindows;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The coordinator with its slots in process on the embedded DynamoDB endpoint: AWS-shaped Kinesis
 * and Kafka events, redeliveries, overlapping batches, duplicated records, poison records, fan-out
 * to every slot, and the tick. Outputs always equal the in-memory reference run of the same job.
 */
class CoordinatorIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static <T> T event(String name, Class<T> type) throws Exception {
    try (InputStream in = CoordinatorIT.class.getResourceAsStream("/events/" + name)) {
      return LambdaEventSerializers.serializerFor(type, CoordinatorIT.class.getClassLoader())
          .fromJson(in);
    }
  }

  private static List<String> reference(
      JobProvider job, String source, List<?> input, String sink) {
    return reference(job, source, input, sink, true);
  }

  /** The outputs of the in-memory run of {@code job} on {@code sink}, sorted or as emitted. */
  private static List<String> reference(
      JobProvider job, String source, List<?> input, String sink, boolean sort) {
    List<String> out = new ArrayList<>();
    for (Object o : InMemoryRunner.forJob(job).bind(source, input.iterator()).run().sink(sink)) {
      out.add(String.valueOf(o));
    }
    if (sort) {
      out.sort(null);
    }
    return out;
  }

  /** {@code n} lines of words, some repeated. */
  private static List<String> lines(int n) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add("w" + i + " v" + (i % 5));
    }
    return lines;
  }

  /** {@code lines} as source records from sequence number {@code first}. */
  private static List<SourceRecord> texts(long first, List<String> lines) {
    List<SourceRecord> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      out.add(Fixture.text(first + i, lines.get(i)));
    }
    return out;
  }

  private static List<String> sorted(List<String> values) {
    List<String> out = new ArrayList<>(values);
    out.sort(null);
    return out;
  }

  @Test
  void aKinesisEventCommitsAndItsRedeliveryAnswersNoFailure() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      KinesisHandler handler = new KinesisHandler(f.runtime);
      KinesisEvent event = event("kinesis-sample.json", KinesisEvent.class);
      StreamsEventResponse first = handler.handleRequest(event, null);
      assertThat(first.getBatchItemFailures()).isEmpty();
      List<String> expected =
          reference(
              new Jobs.WordCounts(),
              "lines",
              List.of("the quick brown fox", "jumps over the lazy dog"),
              "counts");
      assertThat(sorted(f.outbox("counts"))).isEqualTo(expected);
      StreamsEventResponse again = handler.handleRequest(event, null);
      assertThat(again.getBatchItemFailures()).isEmpty();
      assertThat(sorted(f.outbox("counts"))).as("nothing applied twice").isEqualTo(expected);
      assertThat(f.outbox("counts")).contains("the=2");
    }
  }

  @Test
  void aKafkaEventCommitsEachPartitionAsASplit() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      KafkaEvent event = event("kafka-sample.json", KafkaEvent.class);
      KafkaBatchResponse response = new KafkaHandler(f.runtime).handleRequest(event, null);
      assertThat(response.getBatchItemFailures()).isEmpty();
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(
              reference(
                  new Jobs.WordCounts(),
                  "lines",
                  List.of("the quick brown fox", "jumps over the lazy dog", "hello tributary"),
                  "counts"));
      assertThat(new KafkaHandler(f.runtime).handleRequest(event, null).getBatchItemFailures())
          .isEmpty();
      assertThat(f.outbox("counts")).hasSize(11);
    }
  }

  /**
   * A slot that has not answered by the coordinator's deadline counts as a lost answer: the
   * coordinator answers the mapping with what is committed instead of running into its own timeout,
   * and the batch delivered again completes exactly once.
   */
  @Test
  void aSlotStillWorkingAtTheDeadlineCountsAsALostAnswer() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      List<String> lines = lines(40);
      List<SourceRecord> all = texts(2000, lines);
      SlotInvoker slotOneHangs =
          r -> r.slot() == 1 ? new CompletableFuture<>() : f.invoker.invoke(r);
      Coordinator hanging =
          new Coordinator(f.settings, f.dynamo, slotOneHangs, slotOneHangs, f.clock);
      Coordinator.Outcome late =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(60),
              () -> hanging.process(null, "s/shard-0", all, System.nanoTime() + 1_000_000_000L));
      assertThat(late.firstUncommitted()).isGreaterThanOrEqualTo(0);
      assertThat(late.responses()).isNotEmpty(); // the other slots answered and committed
      Coordinator.Outcome again =
          f.coordinator().process(null, "s/shard-0", all.subList(late.firstUncommitted(), 40));
      assertThat(again.firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(reference(new Jobs.WordCounts(), "lines", lines, "counts"));
    }
  }

  /**
   * The slot count changes while a batch is only partly committed (docs/protocol.md, "Rescaling"):
   * the batch delivered again to the coordinator of the new count applies what the old slots did
   * not commit, and nothing they did.
   */
  @Test
  void aBatchDeliveredAgainAfterTheSlotCountChangedAppliesEveryRecordOnce() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      List<String> lines = lines(40);
      List<SourceRecord> all = texts(3000, lines);
      SlotInvoker slotOneFails =
          r ->
              r.slot() == 1
                  ? CompletableFuture.failedFuture(new IllegalStateException("slot 1 is down"))
                  : f.invoker.invoke(r);
      Coordinator.Outcome partly =
          new Coordinator(f.settings, f.dynamo, slotOneFails, slotOneFails, f.clock)
              .process(null, "s/shard-0", all);
      assertThat(partly.firstUncommitted()).isGreaterThanOrEqualTo(0);
      assertThat(partly.responses()).hasSize(3); // slots 0, 2 and 3 committed their records
      Coordinator eight = f.redeployed(RuntimeSettings.SLOTS, "8").coordinator();
      Coordinator.Outcome again =
          eight.process(null, "s/shard-0", all.subList(partly.firstUncommitted(), 40));
      assertThat(again.firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(reference(new Jobs.WordCounts(), "lines", lines, "counts"));
      assertThat(eight.process(null, "s/shard-0", all).firstUncommitted())
          .as("the whole batch again, at 8 slots")
          .isEqualTo(-1);
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(reference(new Jobs.WordCounts(), "lines", lines, "counts"));
    }
  }

  @Test
  void overlappingBatchesDeliveredConcurrentlyApplyEveryRecordOnce() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      List<SourceRecord> all = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        String line = "w" + (i % 7) + " x" + (i % 3);
        lines.add(line);
        all.add(Fixture.text(1000 + i, line));
      }
      // records 0..9 are committed; then two invocations at once, both starting at the first
      // uncommitted record as the mapping delivers (a timed-out one still running, and its retry
      // with more records): 10..39 and 10..59
      assertThat(f.coordinator().process(null, "s/shard-0", all.subList(0, 10)).firstUncommitted())
          .isEqualTo(-1);
      CompletableFuture<Coordinator.Outcome> a =
          CompletableFuture.supplyAsync(
              () -> f.coordinator().process(null, "s/shard-0", all.subList(10, 40)));
      CompletableFuture<Coordinator.Outcome> b =
          CompletableFuture.supplyAsync(
              () -> f.another().coordinator().process(null, "s/shard-0", all.subList(10, 60)));
      Coordinator.Outcome first = a.join();
      Coordinator.Outcome second = b.join();
      // whatever one of them could not commit (fenced by the other), a redelivery does, from the
      // first uncommitted record (an index into the batch, which starts at record 10)
      if (first.firstUncommitted() >= 0) {
        f.coordinator().process(null, "s/shard-0", all.subList(10 + first.firstUncommitted(), 40));
      }
      if (second.firstUncommitted() >= 0) {
        f.coordinator().process(null, "s/shard-0", all.subList(10 + second.firstUncommitted(), 60));
      }
      assertThat(f.coordinator().process(null, "s/shard-0", all).firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(reference(new Jobs.WordCounts(), "lines", lines, "counts"));
    }
  }

  @Test
  void withAParallelizationFactorConcurrentBatchesOfOneShardKeepEveryRecord() {
    try (Fixture f =
        new Fixture(local, new Jobs.WordCounts(), RuntimeSettings.PARALLELIZATION_FACTOR, "2")) {
      // the mapping runs two batches of one shard at once, each holding some partition keys;
      // their positions interleave
      List<SourceRecord> lane1 = new ArrayList<>();
      List<SourceRecord> lane2 = new ArrayList<>();
      List<SourceRecord> whole = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String line = "w" + (i % 6);
        lines.add(line);
        SourceRecord r =
            new SourceRecord(
                Long.toString(100 + i),
                0,
                i,
                line.getBytes(StandardCharsets.UTF_8),
                Map.of("partitionKey", "pk" + (i % 4)));
        (i % 4 < 2 ? lane1 : lane2).add(r);
        whole.add(r);
      }
      CompletableFuture<Coordinator.Outcome> a =
          CompletableFuture.supplyAsync(() -> f.coordinator().process(null, "s/shard-0", lane1));
      CompletableFuture<Coordinator.Outcome> b =
          CompletableFuture.supplyAsync(
              () -> f.another().coordinator().process(null, "s/shard-0", lane2));
      assertThat(a.join().firstUncommitted()).isEqualTo(-1);
      assertThat(b.join().firstUncommitted()).isEqualTo(-1);
      assertThat(f.coordinator().process(null, "s/shard-0", whole).firstUncommitted())
          .as("the shard delivered again: all committed")
          .isEqualTo(-1);
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(reference(new Jobs.WordCounts(), "lines", lines, "counts"));
    }
  }

  /**
   * Sinks that records reach without crossing a keyBy (a map, a side output taken before keyBy) had
   * every output dropped on Lambda: the coordinator's prefix run discarded them. They now run
   * behind an added keyBy, so a slot commits them with its checkpoint: each output exactly once, in
   * the split's order, whether the slots run in process or through the wire, across batches
   * delivered again and a change of the slot count.
   */
  @Test
  void sinksThatNoKeyByFeedsGetEveryOutputExactlyOnce() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lines.add(i % 4 == 0 ? "short " + i : "a longer line " + i);
    }
    List<SourceRecord> all = texts(500, lines);
    JobProvider job = new Jobs.HalfKeyedLines();
    for (boolean throughWire : new boolean[] {false, true}) {
      try (Fixture f = new Fixture(local, job, throughWire)) {
        assertThat(
                f.coordinator().process(null, "s/shard-0", all.subList(0, 20)).firstUncommitted())
            .isEqualTo(-1);
        assertThat(f.outbox("upper"))
            .as("in the split's order")
            .isEqualTo(reference(job, "lines", lines.subList(0, 20), "upper", false));
        assertThat(
                f.coordinator().process(null, "s/shard-0", all.subList(10, 25)).firstUncommitted())
            .as("delivered again with new records")
            .isEqualTo(-1);
        Coordinator two = f.redeployed(RuntimeSettings.SLOTS, "2").coordinator();
        assertThat(two.process(null, "s/shard-0", all).firstUncommitted())
            .as("the whole split again, at 2 slots")
            .isEqualTo(-1);
        for (String sink : List.of("upper", "short", "counts")) {
          assertThat(sorted(f.outbox(sink)))
              .as("%s, through the wire: %s", sink, throughWire)
              .isEqualTo(reference(job, "lines", lines, sink));
        }
        assertThat(f.outbox("short")).hasSize(8);
      }
    }
  }

  /**
   * A filter before keyBy that keeps every other line its instance sees makes other keyed records
   * in the coordinator (the whole batch) than in each operator (its slot's part). The operators
   * check the coordinator's count per record and fail the batch, naming the cause, instead of
   * dropping records the coordinator sent them or missing ones it did not.
   */
  @Test
  void aFunctionBeforeKeyByThatDependsOnMoreThanItsRecordFailsTheBatchLoudly() {
    try (Fixture f = new Fixture(local, new Jobs.EveryOtherLine(), true)) {
      List<SourceRecord> batch = texts(1, lines(40));
      java.util.concurrent.atomic.AtomicReference<Throwable> error =
          new java.util.concurrent.atomic.AtomicReference<>();
      SlotInvoker watching =
          r ->
              f.invoker
                  .invoke(r)
                  .whenComplete(
                      (response, e) -> {
                        if (e != null) {
                          error.compareAndSet(null, e);
                        }
                      });
      Coordinator.Outcome o;
      try {
        o =
            new Coordinator(f.settings, f.dynamo, watching, watching, f.clock)
                .process(null, "s/shard-0", batch);
        assertThat(o.firstUncommitted()).as("not answered as done").isGreaterThanOrEqualTo(0);
      } catch (IllegalStateException everySlotFailed) {
        error.compareAndSet(null, everySlotFailed);
      }
      assertThat(error.get())
          .isNotNull()
          .hasStackTraceContaining("depend on more than the record")
          .hasStackTraceContaining("in the coordinator");
    }
  }

  /** A payment of {@code amount} (also its event time) to {@code account}, at {@code sequence}. */
  private static SourceRecord payment(long sequence, String account, long amount) {
    return json(sequence, "{\"account\":\"" + account + "\",\"amount\":" + amount + "}");
  }

  /**
   * Runs {@code payments} of split {@code split} on slot 0 of 1 of the job {@code settings} run,
   * with a fresh slot executor (another invocation), on {@code f}'s tables.
   */
  private static OperatorResponse onSlot(
      RuntimeSettings settings,
      Fixture f,
      String split,
      long inputWatermark,
      long watermark,
      SourceRecord... payments) {
    return Functions.slotExecutor(settings, f.dynamo)
        .execute(
            paymentsRequest(
                settings.graph().jobName(), split, inputWatermark, watermark, List.of(payments)));
  }

  private static OperatorRequest paymentsRequest(
      String job, String split, long inputWatermark, long watermark, List<SourceRecord> records) {
    return new OperatorRequest(
        Protocol.VERSION, job, "payments", split, 0, 1, inputWatermark, watermark, 1_000L, records);
  }

  private static int forwardId(RuntimeSettings settings) {
    return settings.graph().nodes().stream()
        .filter(n -> n.spec() instanceof dev.tributary.graph.ForwardSpec)
        .findFirst()
        .orElseThrow()
        .id();
  }

  /**
   * The added forward keeps nothing in DynamoDB, so an edit that moves it (a filter before the
   * unkeyed sink) leaves the slot's fired-up-to watermark alone: a record for a window that fired
   * is late after the redeploy too, not the start of the window again (review of ee8227d, where the
   * forward had a uid from its node id, and a new uid without a timer item pulled the slot's
   * fired-up-to down to nothing).
   */
  @Test
  void anEditThatMovesTheAddedForwardDoesNotFireAWindowTwice() {
    for (JobProvider second : List.of(new Jobs.WindowsAndRaw(), new Jobs.WindowsAndFilteredRaw())) {
      try (Fixture f = new Fixture(local, new Jobs.WindowsAndRaw(), RuntimeSettings.SLOTS, "1")) {
        // a@1, a@2, then the watermark passes 15: window [0,10) fires a=3
        firstWindowFired(f, f.settings);
        RuntimeSettings redeployed = deployed(f, second.getClass());
        assertThat(forwardId(redeployed) == forwardId(f.settings))
            .as("staging: the edit moves the forward")
            .isEqualTo(second instanceof Jobs.WindowsAndRaw);
        // another split, its batch behind the fired window (a split back from idle): a@3 is late
        OperatorResponse r2 = onSlot(redeployed, f, "p/shard-B", 0, 20, payment(3, "a", 3));
        assertThat(r2.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
        assertThat(f.outbox("raw")).as("staging: the record was applied").contains("\"a:3\"");
        assertThat(f.outbox("sums"))
            .as("after %s", second.getClass().getSimpleName())
            .containsExactly("a=3");
      }
    }
  }

  /**
   * A keyed operator added to a running job has no timer item at a slot until the slot's next
   * firing; it must not take the slot's fired-up-to back to the start, or a record for a window
   * that fired opens it again (the review of ee8227d found it through the added forward's uid).
   */
  @Test
  void aKeyedOperatorAddedToARunningJobDoesNotFireAWindowTwice() {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
      firstWindowFired(f, f.settings);
      RuntimeSettings grown = deployed(f, Jobs.GrownWindows.class);
      // another split, its batch behind the fired window (a split back from idle): a@4 is late
      OperatorResponse r2 = onSlot(grown, f, "p/shard-B", 0, 9, payment(3, "a", 4));
      assertThat(r2.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("totals")).as("staging: the new operator ran").containsExactly("a=4");
      assertThat(f.outbox("sums")).as("window [0,10) fired once").containsExactly("a=3");
      assertThat(r2.lateRecordsDropped()).as("a@4 was late for the windows").isEqualTo(1);
    }
  }

  /** The settings of {@code job} deployed on {@code f}'s tables with one slot. */
  private static RuntimeSettings deployed(Fixture f, Class<? extends JobProvider> job) {
    return deployed(f, job, 1);
  }

  /** The settings of {@code job} deployed on {@code f}'s tables with {@code slots} slots. */
  private static RuntimeSettings deployed(Fixture f, Class<? extends JobProvider> job, int slots) {
    return RuntimeSettings.from(
        Map.of(
            RuntimeSettings.JOB_CLASS, job.getName(),
            RuntimeSettings.STATE_TABLE, f.settings.tables().state(),
            RuntimeSettings.OUTBOX_TABLE, f.settings.tables().outbox(),
            RuntimeSettings.DEAD_LETTER_TABLE, f.settings.tables().deadLetters(),
            RuntimeSettings.SLOTS, Integer.toString(slots)));
  }

  /** fe of operator {@code uid}'s timer item at slot 0 of 1 (null: no item). */
  private static Long firedUpTo(Fixture f, String uid) {
    return firedUpTo(f, uid, 1, 0);
  }

  /** fe of operator {@code uid}'s timer item at {@code slot} of {@code slots} (null: no item). */
  private static Long firedUpTo(Fixture f, String uid, int slots, int slot) {
    Map<String, AttributeValue> item = timerItem(f, uid, slots, slot);
    return item == null ? null : Long.parseLong(item.get("fe").n());
  }

  /** Operator {@code uid}'s timer item at {@code slot} of {@code slots} (null: none). */
  private static Map<String, AttributeValue> timerItem(Fixture f, String uid, int slots, int slot) {
    Map<String, AttributeValue> item =
        f.dynamo
            .getItem(
                b ->
                    b.tableName(f.settings.tables().state())
                        .consistentRead(true)
                        .key(
                            Map.of(
                                "pk", AttributeValue.fromS("F#" + uid),
                                "sk", AttributeValue.fromS(slots + "#" + slot))))
            .item();
    return item == null || item.isEmpty() ? null : item;
  }

  /**
   * A keyed operator removed from the job and later added again keeps its old timer item (firings
   * while it was gone wrote only the other operators' items): the slot's fired-up-to is the highest
   * of the items, not the lowest, or a record another split judged against the old item opens a
   * window that has fired, and it fires twice (review of 90d2d87, which took the lowest).
   */
  @Test
  void aKeyedOperatorRemovedAndAddedAgainDoesNotFireAWindowTwice() {
    try (Fixture f = new Fixture(local, new Jobs.GrownWindows(), RuntimeSettings.SLOTS, "1")) {
      // v1 (sums + total): a@1, a@2, watermark 15: [0,10) fires a=3; both items at fe 15
      firstWindowFired(f, deployed(f, Jobs.GrownWindows.class));
      // v2 (total removed): a@12, watermark 25: [10,20) fires a=12; only sums' item moves
      OperatorResponse r2 =
          onSlot(
              deployed(f, Jobs.GrowingWindows.class), f, "p/shard-A", 15, 25, payment(3, "a", 12));
      assertThat(r2.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("sums")).containsExactly("a=3", "a=12");
      assertThat(firedUpTo(f, "sums")).as("staging: sums fired up to 25").isEqualTo(25L);
      assertThat(firedUpTo(f, "total")).as("staging: total's item is left at 15").isEqualTo(15L);
      // v3 (total back): another split, its batch behind the fired window (back from idle): a@13
      // is late for [10,20), which fired at 25
      OperatorResponse r3 =
          onSlot(deployed(f, Jobs.GrownWindows.class), f, "p/shard-B", 0, 20, payment(4, "a", 13));
      assertThat(r3.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("totals"))
          .as("staging: the re-added operator ran the record")
          .contains("a=16");
      assertThat(f.outbox("sums")).as("window [10,20) fired once").containsExactly("a=3", "a=12");
      assertThat(r3.lateRecordsDropped()).as("a@13 was late for the windows").isEqualTo(1);
    }
  }

  /**
   * Split p/shard-A brings a@1 and a@2 to slot 0 of 1 with the watermark passing 15: window [0,10)
   * fires a=3, and the slot's fired-up-to is 15.
   */
  private static void firstWindowFired(Fixture f, RuntimeSettings settings) {
    OperatorResponse r =
        onSlot(
            settings, f, "p/shard-A", Long.MIN_VALUE, 15, payment(1, "a", 1), payment(2, "a", 2));
    assertThat(r.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(f.outbox("sums")).containsExactly("a=3");
  }

  /** Runs {@code payments} of {@code split} on {@code slot} of {@code slots} of GrowingWindows. */
  private static OperatorResponse onSlotOf(
      Fixture f, int slot, int slots, String split, long inW, long w, List<SourceRecord> payments) {
    return onSlotOf(f, f.dynamo, Jobs.GrowingWindows.class, slot, slots, split, inW, w, payments);
  }

  /** Runs {@code payments} of {@code split} on {@code slot} of {@code slots} of {@code job}. */
  private static OperatorResponse onSlotOf(
      Fixture f,
      DynamoDbClient dynamo,
      Class<? extends JobProvider> job,
      int slot,
      int slots,
      String split,
      long inW,
      long w,
      List<SourceRecord> payments) {
    RuntimeSettings settings = deployed(f, job, slots);
    return Functions.slotExecutor(settings, dynamo)
        .execute(
            new OperatorRequest(
                Protocol.VERSION,
                settings.graph().jobName(),
                "payments",
                split,
                slot,
                slots,
                inW,
                w,
                1_000L,
                payments));
  }

  /**
   * A batch at 2 slots: slot 0 commits it (its windows fire, fe 15), slot 1 fails. Delivered again
   * at 1 slot, the records of slot 1's key groups, on time against the batch's input watermark and
   * never applied, are applied: a slot's fired-up-to covers only its own key groups (a review of
   * 942315f, which started a slot of a new count at the highest fe of any old slot over its key
   * groups and dropped them as late). Control: the batch delivered again at 2 slots.
   */
  @Test
  void aRecordOfASlotThatDidNotCommitIsNotLateAfterTheCountShrinks() {
    String[] accounts = {"a", "b", "c", "d", "e", "f", "g", "h"};
    List<SourceRecord> batch = new ArrayList<>();
    for (int i = 0; i < accounts.length; i++) {
      batch.add(payment(i + 1, accounts[i], 5)); // each at t=5: window [0,10)
    }
    for (int again : new int[] {2, 1}) {
      try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "2")) {
        OperatorResponse r0 = onSlotOf(f, 0, 2, "p/shard-A", 0, 15, batch);
        assertThat(r0.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
        List<String> firstSlot = List.copyOf(f.outbox("sums"));
        assertThat(firstSlot)
            .as("staging: slot 0 of 2 fired some windows, not all (slot 1 owns the rest)")
            .isNotEmpty()
            .hasSizeLessThan(accounts.length);
        assertThat(firedUpTo(f, "sums", 2, 0)).as("staging: 2#0 fired up to 15").isEqualTo(15L);
        assertThat(firedUpTo(f, "sums", 2, 1)).as("staging: slot 1 of 2 never ran").isNull();
        // slot 1 of 2 failed; the batch is delivered again (same input watermark) at `again` slots
        long late = 0;
        for (int slot = 0; slot < again; slot++) {
          OperatorResponse r = onSlotOf(f, slot, again, "p/shard-A", 0, 15, batch);
          assertThat(r.status()).as("%s", r).isEqualTo(OperatorResponse.Status.COMMITTED);
          late += r.lateRecordsDropped();
        }
        List<String> expected = new ArrayList<>();
        for (String a : accounts) {
          expected.add(a + "=5");
        }
        assertThat(late).as("no record of the batch is late (again at %d slots)", again).isZero();
        assertThat(f.outbox("sums"))
            .as("every account's window fired once (again at %d slots)", again)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  /**
   * The same with ranges that partly overlap: the batch committed by slot 0 of 3 only, then
   * delivered again at 2 slots, where slot 0 covers 3#0's key groups and part of 3#1's.
   */
  @Test
  void partlyOverlappingSlotsDoNotMakeAnotherSlotsRecordsLate() {
    List<SourceRecord> batch = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (char c = 'a'; c <= 'z'; c++) {
      batch.add(payment(batch.size() + 1, Character.toString(c), 5));
      expected.add(c + "=5");
    }
    for (int again : new int[] {3, 2}) {
      try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "3")) {
        OperatorResponse r0 = onSlotOf(f, 0, 3, "p/shard-A", 0, 15, batch);
        assertThat(r0.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
        assertThat(f.outbox("sums"))
            .as("staging: slot 0 of 3 fired some windows, not all")
            .isNotEmpty()
            .hasSizeLessThan(batch.size());
        assertThat(firedUpTo(f, "sums", 3, 0)).as("staging: 3#0 fired up to 15").isEqualTo(15L);
        long late = 0;
        for (int slot = 0; slot < again; slot++) {
          OperatorResponse r = onSlotOf(f, slot, again, "p/shard-A", 0, 15, batch);
          assertThat(r.status()).as("%s", r).isEqualTo(OperatorResponse.Status.COMMITTED);
          late += r.lateRecordsDropped();
        }
        assertThat(late).as("no record of the batch is late (again at %d slots)", again).isZero();
        assertThat(f.outbox("sums"))
            .as("every account's window fired once (again at %d slots)", again)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  /**
   * Timer items are kept per slot count: a slot of a new count judges each record against what the
   * old slot of its key group fired, not from the beginning, or a record of a split behind it opens
   * a window the old count fired, and it fires twice (a review of 4aaf4b4; older than it). At the
   * same count (the control) the slot's own item holds.
   */
  @Test
  void aWindowFiredBeforeTheSlotCountChangedDoesNotFireTwice() {
    for (int slots : new int[] {1, 2, 4}) {
      try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
        firstWindowFired(f, deployed(f, Jobs.GrowingWindows.class));
        assertThat(firedUpTo(f, "sums")).as("staging: 1#0 fired up to 15").isEqualTo(15L);
        // another split, behind the fired window: a@7 at watermark 12, on every slot of the count
        long late = 0;
        for (int slot = 0; slot < slots; slot++) {
          OperatorResponse r =
              onSlotOf(f, slot, slots, "p/shard-B", 0, 12, List.of(payment(3, "a", 7)));
          assertThat(r.status()).as("%s", r).isEqualTo(OperatorResponse.Status.COMMITTED);
          late += r.lateRecordsDropped();
        }
        assertThat(f.outbox("sums"))
            .as("window [0,10) fired once (slots %d)", slots)
            .containsExactly("a=3");
        assertThat(late).as("a@7 was late for [0,10) (slots %d)", slots).isEqualTo(1);
      }
    }
  }

  /**
   * The new count's slot writes its timer item with the key groups the old count fired further
   * ({@code kf}), so its later invocations, which read no other count's items, still judge such a
   * record late; once the slot's own fired-up-to passes them, the item drops them.
   */
  @Test
  void theNewCountsTimerItemCarriesTheOldFiringsUntilItsOwnPassesThem() {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
      firstWindowFired(f, deployed(f, Jobs.GrowingWindows.class));
      int slot =
          KeyGroups.slotOf(
              KeyGroups.keyGroupOf(
                  Serdes.string().serialize("a"), KeyGroups.DEFAULT_MAX_KEY_GROUPS),
              KeyGroups.DEFAULT_MAX_KEY_GROUPS,
              2);
      // at 2 slots: a@31 stores a timer at watermark 5, which writes a's slot's item (fe 5)
      OperatorResponse r1 = onSlotOf(f, slot, 2, "p/shard-B", 0, 5, List.of(payment(3, "a", 31)));
      assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
      Map<String, AttributeValue> item = timerItem(f, "sums", 2, slot);
      assertThat(item).as("staging: the new count's item is written").isNotNull();
      assertThat(item.get("fe").n()).isEqualTo("5");
      assertThat(item.get("kf").l()).as("the old count's firing, above fe 5").isNotEmpty();
      assertThat(item.get("kf").l().get(2).n()).isEqualTo("15");
      // its next invocation reads its own item only (fe 5): a@8 is late there too
      OperatorResponse r2 = onSlotOf(f, slot, 2, "p/shard-B", 0, 5, List.of(payment(4, "a", 8)));
      assertThat(r2.status()).as("%s", r2).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(r2.lateRecordsDropped()).as("a@8 was late for [0,10)").isEqualTo(1);
      // the watermark passes 40: [30,40) fires; fe 50 is past 15, so kf goes
      OperatorResponse r3 = onSlotOf(f, slot, 2, "p/shard-B", 5, 50, List.of());
      assertThat(r3.status()).as("%s", r3).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("sums")).containsExactly("a=3", "a=31");
      item = timerItem(f, "sums", 2, slot);
      assertThat(item.get("fe").n()).isEqualTo("50");
      assertThat(item).doesNotContainKey("kf");
    }
  }

  /** The slot of {@code account} at {@code slots} slots (128 key groups). */
  private static int slotOfAccount(String account, int slots) {
    return KeyGroups.slotOf(
        KeyGroups.keyGroupOf(Serdes.string().serialize(account), KeyGroups.DEFAULT_MAX_KEY_GROUPS),
        KeyGroups.DEFAULT_MAX_KEY_GROUPS,
        slots);
  }

  /**
   * A client over {@code real} that calls {@code hook} with the number of earlier
   * TransactWriteItems calls just before each one.
   */
  private static DynamoDbClient onEachCommit(DynamoDbClient real, IntConsumer hook) {
    int[] commits = {0};
    return (DynamoDbClient)
        Proxy.newProxyInstance(
            CoordinatorIT.class.getClassLoader(),
            new Class<?>[] {DynamoDbClient.class},
            (proxy, method, args) -> {
              if (method.getName().equals("transactWriteItems")) {
                hook.accept(commits[0]++);
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /**
   * An invocation of the old count (1 slot) on split A fires b's window [0,10) (fe 15), and the new
   * count (2) starts on split B: its slot's first invocation stores a timer for another account,
   * which writes its item with the floors read then; split B's record b@7 must be late. With {@code
   * interleaved}, the old count's invocation read everything before that first invocation and
   * commits after it (review of f59392f): the new slot's floors did not know of the firing, and b@7
   * opened [0,10) again, which fired twice. The new slot now seals the old count's items over its
   * key groups when it reads them, so the old commit fails on its item's version and, redone, finds
   * it sealed and seals the new slot's item in turn, whose next invocation reads the floors again.
   */
  @Test
  void anOldCountsCommitInFlightAcrossTheChangeIsSeenByTheNewSlot() {
    for (boolean interleaved : new boolean[] {false, true}) {
      try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
        int slot = slotOfAccount("b", 2);
        String other = null;
        for (char c = 'c'; c <= 'z' && other == null; c++) {
          if (slotOfAccount("x" + c, 2) == slot) {
            other = "x" + c;
          }
        }
        String x = other;
        OperatorResponse r1 =
            onSlotOf(f, 0, 1, "p/shard-A", Long.MIN_VALUE, 0, List.of(payment(1, "b", 5)));
        assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
        OperatorResponse[] newCount = new OperatorResponse[1];
        Runnable newCountRuns =
            () -> newCount[0] = onSlotOf(f, slot, 2, "p/shard-B", 0, 0, List.of(payment(1, x, 13)));
        // the old count's next invocation on split A (c@12, watermark 15); interleaved, the new
        // count's first invocation runs just before its first commit
        OperatorResponse r2 =
            onSlotOf(
                f,
                interleaved
                    ? onEachCommit(
                        f.dynamo,
                        n -> {
                          if (n == 0) {
                            newCountRuns.run();
                          }
                        })
                    : f.dynamo,
                Jobs.GrowingWindows.class,
                0,
                1,
                "p/shard-A",
                0,
                15,
                List.of(payment(2, "c", 12)));
        if (!interleaved) {
          newCountRuns.run();
        }
        assertThat(newCount[0].status())
            .as("%s", newCount[0])
            .isEqualTo(OperatorResponse.Status.COMMITTED);
        assertThat(r2.status()).as("%s", r2).isEqualTo(OperatorResponse.Status.COMMITTED);
        assertThat(f.outbox("sums"))
            .as("staging: the old count fired b's [0,10)")
            .containsExactly("b=5");
        assertThat(firedUpTo(f, "sums", 1, 0)).as("staging: 1#0 fired up to 15").isEqualTo(15L);
        assertThat(timerItem(f, "sums", 2, slot))
            .as("staging: the new slot's item is written")
            .isNotNull();
        // split B (behind, back from idle): b@7 is late for [0,10), which fired at 15
        OperatorResponse r3 = onSlotOf(f, slot, 2, "p/shard-B", 0, 0, List.of(payment(2, "b", 7)));
        assertThat(r3.status()).as("%s", r3).isEqualTo(OperatorResponse.Status.COMMITTED);
        OperatorResponse r4 = onSlotOf(f, slot, 2, "p/shard-B", 0, 20, List.of());
        assertThat(r4.status()).as("%s", r4).isEqualTo(OperatorResponse.Status.COMMITTED);
        assertThat(f.outbox("sums")).as("staging: %s's window fired", x).contains(x + "=13");
        assertThat(f.outbox("sums").stream().filter(o -> o.startsWith("b=")).toList())
            .as("b's [0,10) fired once (interleaved %s)", interleaved)
            .containsExactly("b=5");
        assertThat(r3.lateRecordsDropped())
            .as("b@7 was late (interleaved %s)", interleaved)
            .isEqualTo(1);
      }
    }
  }

  /** Sums per account in event-time sessions with a 10 ms gap, to "ssums" as "account=sum". */
  public static final class SessionSums implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      Jobs.timedPayments(env, "sessions", 0)
          .keyBy(Jobs.Payment::account)
          .window(EventTimeSessionWindows.withGap(Duration.ofMillis(10)))
          .reduce((a, b) -> new Jobs.Payment(a.account(), a.amount() + b.amount()))
          .uid("ssums")
          .map(p -> p.account() + "=" + p.amount())
          .returns(String.class)
          .sinkTo("ssums", Serdes.string());
    }
  }

  /** Tumbling 10 ms sums with 5 ms of allowed lateness, to "lsums" as "account=sum". */
  public static final class LateSums implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      Jobs.timedPayments(env, "latesums", 0)
          .keyBy(Jobs.Payment::account)
          .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
          .allowedLateness(Duration.ofMillis(5))
          .reduce((a, b) -> new Jobs.Payment(a.account(), a.amount() + b.amount()))
          .uid("lsums")
          .map(p -> p.account() + "=" + p.amount())
          .returns(String.class)
          .sinkTo("lsums", Serdes.string());
    }
  }

  /**
   * At 1 slot, 80 accounts pay 5 at t=5; then the watermark passes 20 and the firing, cut into
   * epochs, commits its first epoch (fe at the time of the pending timers, {@code fe}) before the
   * invocation dies. Returns an account whose window is still pending.
   */
  private static String aCutFiringDies(
      Fixture f, Class<? extends JobProvider> job, String sink, String uid, long fe) {
    List<SourceRecord> opened = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      opened.add(payment(i + 1, "k" + i, 5));
    }
    OperatorResponse r1 = onSlotOf(f, f.dynamo, job, 0, 1, "p/shard-A", Long.MIN_VALUE, 0, opened);
    assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
    DynamoDbClient dying =
        onEachCommit(
            f.dynamo,
            n -> {
              if (n > 0) {
                throw new Error("the invocation dies");
              }
            });
    try {
      onSlotOf(f, dying, job, 0, 1, "p/shard-A", 0, 20, List.of());
    } catch (Error expected) {
      // died after the first epoch
    }
    List<String> fired = f.outbox(sink);
    assertThat(fired).as("staging: some windows fired, not all").isNotEmpty().hasSizeLessThan(80);
    assertThat(firedUpTo(f, uid, 1, 0)).as("staging: 1#0 fired up to %d", fe).isEqualTo(fe);
    for (int i = 0; i < 80; i++) {
      if (!fired.contains("k" + i + "=5")) {
        return "k" + i;
      }
    }
    throw new AssertionError("staging: every window fired");
  }

  /**
   * At {@code slots} slots, split B (behind: watermark 0) brings {@code account}@{@code ts} to its
   * slot, then every slot runs at watermark 30; returns the first answer.
   */
  private static OperatorResponse behindThenPastEverything(
      Fixture f, Class<? extends JobProvider> job, int slots, String account, long ts) {
    OperatorResponse first =
        onSlotOf(
            f,
            f.dynamo,
            job,
            slotOfAccount(account, slots),
            slots,
            "p/shard-B",
            0,
            0,
            List.of(payment(1, account, ts)));
    assertThat(first.status())
        .as("%s (slots %d)", first, slots)
        .isEqualTo(OperatorResponse.Status.COMMITTED);
    for (int s = 0; s < slots; s++) {
      OperatorResponse r = onSlotOf(f, f.dynamo, job, s, slots, "p/shard-B", 0, 30, List.of());
      assertThat(r.status()).as("%s", r).isEqualTo(OperatorResponse.Status.COMMITTED);
    }
    return first;
  }

  /**
   * A firing cut into epochs commits fe at the time of the next pending timer (14, the end of many
   * sessions [5,15)); the invocation dies after that first epoch. At the same count the next
   * invocation fires the pending sessions before any record (as in Flink), so a record at 2 of such
   * a key is late. At a new count the key group's floor was 14 but the slot's own watermark 0, so
   * the pending timer did not fire first: the record's session [2,12) merged with the stored [5,15)
   * into [2,15), whose end is at the floor, and WindowNode.mergeWindows threw on every delivery
   * (review of f59392f). A key's timers up to its floor now fire before its record.
   */
  @Test
  void aSessionPendingAtTheOldCountsFiredUpToFiresBeforeTheNewCountsRecord() {
    for (int slots : new int[] {1, 2}) {
      try (Fixture f = new Fixture(local, new SessionSums(), RuntimeSettings.SLOTS, "1")) {
        String victim = aCutFiringDies(f, SessionSums.class, "ssums", "ssums", 14);
        // split B (behind): victim@2 is late, its session [5,15) having come due at 14
        OperatorResponse r3 = behindThenPastEverything(f, SessionSums.class, slots, victim, 2);
        assertThat(r3.lateRecordsDropped()).as("victim@2 late (slots %d)", slots).isEqualTo(1);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
          expected.add("k" + i + "=5");
        }
        assertThat(f.outbox("ssums"))
            .as("every session fired once (slots %d)", slots)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  /**
   * As above with tumbling windows and 5 ms of allowed lateness: the cut firing commits fe 9 with
   * some [0,10) triggers still pending. At the same count they fire first (victim=5), then victim@7
   * is a late firing (victim=12). At a new count victim@7 fired the window at once against the
   * floor 9 (victim=12), and the pending trigger fired it again when the slot's own watermark
   * passed 9: victim=12 twice, the on-time firing never (review of f59392f).
   */
  @Test
  void aTriggerPendingAtTheOldCountsFiredUpToFiresOnce() {
    for (int slots : new int[] {1, 2}) {
      try (Fixture f = new Fixture(local, new LateSums(), RuntimeSettings.SLOTS, "1")) {
        String victim = aCutFiringDies(f, LateSums.class, "lsums", "lsums", 9);
        behindThenPastEverything(f, LateSums.class, slots, victim, 7);
        assertThat(f.outbox("lsums").stream().filter(o -> o.startsWith(victim + "=")).toList())
            .as("victim's [0,10): on time with 5, then a late firing with 7 (slots %d)", slots)
            .containsExactlyInAnyOrder(victim + "=5", victim + "=12");
        assertThat(f.outbox("lsums")).as("staging: every window fired").hasSize(81);
      }
    }
  }

  /** Payments by parity of the amount (a Long key), and every payment to "raw" (no keyBy). */
  public static final class LongKeyedAndRaw implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<Jobs.Payment> payments =
          env.jobName("long-keyed").kinesis("payments", Serdes.json(Jobs.Payment.class));
      payments
          .keyBy(p -> p.amount() % 2, Serdes.longs())
          .process(new ParityCount())
          .uid("parity")
          .sinkTo("parity", Serdes.string());
      payments.map(p -> p.account() + ":" + p.amount()).returns(String.class).sinkTo("raw");
    }
  }

  /** Emits "parity=amount" per payment. */
  public static final class ParityCount extends KeyedProcessFunction<Long, Jobs.Payment, String> {
    @Override
    public void processElement(Jobs.Payment p, Context ctx, Collector<String> out) {
      out.collect(ctx.getCurrentKey() + "=" + p.amount());
    }
  }

  /**
   * Each record's key is loaded only into the stores of the operators behind its own keyBy: the
   * runner loaded every key into every store, so the constant String key of the keyBy added in
   * front of an unkeyed sink reached an operator keyed by a Long, whose key serde failed on it, and
   * every batch failed (review of c41f6a6; two keyBys with keys of two types failed the same way).
   */
  @Test
  void aJobKeyedByALongWithAnUnkeyedSinkCommits() {
    try (Fixture f = new Fixture(local, new LongKeyedAndRaw(), RuntimeSettings.SLOTS, "1")) {
      RuntimeSettings settings = deployed(f, LongKeyedAndRaw.class);
      List<GraphNode> exchanges = settings.graph().exchanges();
      assertThat(exchanges)
          .as("staging: a Long-keyed exchange and an added String-keyed one")
          .extracting(n -> ((KeyBySpec) n.spec()).keySerde().getClass())
          .hasSize(2);
      assertThat(exchanges)
          .extracting(n -> settings.graph().addedExchange(n.id()))
          .containsExactlyInAnyOrder(true, false);
      OperatorResponse r =
          onSlot(
              settings,
              f,
              "p/shard-A",
              Long.MIN_VALUE,
              Long.MIN_VALUE,
              payment(1, "a", 1),
              payment(2, "b", 2));
      assertThat(r.status()).as("%s", r).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("raw")).containsExactly("\"a:1\"", "\"b:2\"");
      assertThat(f.outbox("parity")).containsExactlyInAnyOrder("1=1", "0=2");
    }
  }

  /**
   * The keyBy added in front of a sink that no keyBy feeds brings no watermark into the split's: a
   * raw sink whose own watermark runs ahead of the windows' does not make them fire early and drop
   * records the job keeps (review of ee8227d: a@7 was dropped as late, "a=5" for "a=12").
   */
  @Test
  void anUnkeyedSinkWithAWatermarkOfItsOwnLeavesTheWindowsAlone() {
    List<Jobs.Payment> input =
        List.of(
            new Jobs.Payment("a", 5),
            new Jobs.Payment("a", 25),
            new Jobs.Payment("a", 7),
            new Jobs.Payment("a", 300));
    for (JobProvider job : List.of(new Jobs.LaggingWindows(), new Jobs.LaggingWindowsAndRaw())) {
      assertThat(reference(job, "payments", input, "sums")).as("the job").contains("a=12");
      try (Fixture f = new Fixture(local, job)) {
        long sequence = 0;
        for (Jobs.Payment p : input) { // one payment per batch
          String text = "{\"account\":\"a\",\"amount\":" + p.amount() + "}";
          assertThat(
                  f.coordinator()
                      .process(null, "p/shard-0", List.of(json(sequence++, text)))
                      .firstUncommitted())
              .isEqualTo(-1);
        }
        assertThat(f.outbox("sums"))
            .as("%s on Lambda (the window of 300 is still open)", job.getClass().getSimpleName())
            .containsExactly("a=12", "a=25");
        if (job instanceof Jobs.LaggingWindowsAndRaw) {
          assertThat(f.outbox("raw")).as("staging: the raw sink ran").hasSize(4);
        }
      }
    }
  }

  @Test
  void aRecordDeliveredTwiceInOneBatchIsAppliedOnce() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      SourceRecord r = Fixture.text(7, "echo");
      Coordinator.Outcome o =
          f.coordinator().process(null, "s/shard-0", List.of(r, r, Fixture.text(8, "echo")));
      assertThat(o.firstUncommitted()).isEqualTo(-1);
      assertThat(f.outbox("counts")).containsExactly("echo=1", "echo=2");
    }
  }

  @Test
  void aRecordWhoseKeysLandInEverySlotReachesEverySlot() {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts())) {
      Coordinator.Outcome o =
          f.coordinator().process(null, "s/shard-0", List.of(Fixture.text(1, "every")));
      assertThat(o.responses())
          .extracting(OperatorResponse::slot)
          .containsExactlyInAnyOrder(0, 1, 2, 3);
      assertThat(o.responses().stream().mapToLong(OperatorResponse::applied).sum()).isEqualTo(64);
      assertThat(sorted(f.outbox("counts")))
          .isEqualTo(reference(new Jobs.WordCounts(), "lines", List.of("every"), "counts"));
    }
  }

  @Test
  void aNonJsonPayloadIsRetriedThenSetAsideAndTheStreamMovesOn() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.Payments(), RuntimeSettings.MAX_ATTEMPTS, "3")) {
      List<SourceRecord> batch =
          List.of(
              json(1, "{\"account\":\"a\",\"amount\":5}"),
              json(2, "this is not json"),
              json(3, "{\"account\":\"a\",\"amount\":7}"));
      for (int attempt = 1; attempt <= 2; attempt++) {
        Coordinator.Outcome o = f.coordinator().process(null, "p/shard-0", batch);
        assertThat(o.firstUncommitted()).as("attempt %d", attempt).isEqualTo(1);
      }
      assertThat(f.outbox("totals")).containsExactly("a=5");
      Coordinator.Outcome third = f.coordinator().process(null, "p/shard-0", batch);
      assertThat(third.firstUncommitted()).isEqualTo(-1);
      assertThat(third.deadLettered()).isEqualTo(1);
      assertThat(f.outbox("totals")).containsExactly("a=5", "a=12");
      List<Map<String, AttributeValue>> letters = f.deadLetters();
      assertThat(letters).hasSize(1);
      assertThat(
              new String(letters.get(0).get("payload").b().asByteArray(), StandardCharsets.UTF_8))
          .isEqualTo("this is not json");
      assertThat(letters.get(0).get("error").s()).containsIgnoringCase("json");
    }
  }

  @Test
  void aRecordTheKeyedFunctionFailsOnIsRetriedThenSetAside() {
    try (Fixture f = new Fixture(local, new Jobs.Payments())) {
      List<SourceRecord> batch = withAPoisonPayment();
      for (int attempt = 1; attempt <= 2; attempt++) {
        Coordinator.Outcome o = f.coordinator().process(null, "p/shard-0", batch);
        assertThat(o.firstUncommitted()).isEqualTo(1);
        assertThat(o.responses())
            .anyMatch(
                r ->
                    r.status() == OperatorResponse.Status.POISON
                            && r.attempts() == 1 + 0 * r.attempts()
                        || r.status() == OperatorResponse.Status.POISON);
      }
      Coordinator.Outcome third = f.coordinator().process(null, "p/shard-0", batch);
      assertThat(third.firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("totals"))).containsExactly("a=5", "b=7");
      assertThat(f.deadLetters()).hasSize(1);
    }
  }

  /**
   * In-process slots get the request object as it is; through the wire format (as the operator
   * function gets it) every answer, output and dead letter is the same: first deliveries, a poison
   * record retried and set aside, and a batch delivered again with new records after it.
   */
  @Test
  void inProcessSlotsAnswerAsTheyDoThroughTheWireFormat() {
    List<SourceRecord> first = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int amount = i == 23 ? -1 : i + 1; // a negative amount fails the keyed function
      first.add(json(i, "{\"account\":\"a" + (i % 9) + "\",\"amount\":" + amount + "}"));
    }
    List<SourceRecord> again = new ArrayList<>(first.subList(10, 40));
    for (int i = 40; i < 50; i++) {
      again.add(json(i, "{\"account\":\"a" + (i % 7) + "\",\"amount\":" + i + "}"));
    }
    List<List<String>> answers = new ArrayList<>();
    List<List<String>> outputs = new ArrayList<>();
    for (boolean throughWire : new boolean[] {false, true}) {
      try (Fixture f =
          new Fixture(local, new Jobs.Payments(), throughWire, RuntimeSettings.MAX_ATTEMPTS, "2")) {
        List<String> seen = new ArrayList<>();
        for (List<SourceRecord> batch : List.of(first, first, first, again)) {
          Coordinator.Outcome o = f.coordinator().process(null, "p/shard-0", batch);
          seen.add(o.firstUncommitted() + " " + o.deadLettered() + " " + o.skipped());
          o.responses().stream()
              .sorted(java.util.Comparator.comparingInt(OperatorResponse::slot))
              .forEach(
                  r ->
                      seen.add(
                          List.of(
                                  r.status(),
                                  r.slot(),
                                  r.committedThrough(),
                                  r.epoch(),
                                  r.applied(),
                                  r.skipped(),
                                  r.deadLettered(),
                                  r.outputs(),
                                  String.valueOf(r.poisonPosition()),
                                  r.attempts())
                              .toString()));
        }
        answers.add(seen);
        List<String> out = sorted(f.outbox("totals"));
        for (Map<String, AttributeValue> letter : f.deadLetters()) {
          out.add(
              "dead letter "
                  + new String(letter.get("payload").b().asByteArray(), StandardCharsets.UTF_8));
        }
        outputs.add(out);
      }
    }
    assertThat(answers.get(0)).isEqualTo(answers.get(1));
    assertThat(outputs.get(0)).isEqualTo(outputs.get(1));
    assertThat(outputs.get(0))
        .contains("dead letter {\"account\":\"a5\",\"amount\":-1}")
        .hasSize(49 + 1); // every record but the poison one has a running total
    assertThat(answers.get(0)).anyMatch(a -> a.startsWith("[POISON"));
  }

  /**
   * In process, the slots run on the keyed records of the coordinator's prefix run when no function
   * can change them (records of strings and numbers): the prefix runs once per record. With beans
   * they run the prefix again, each on objects of its own. Outputs are the same.
   */
  @Test
  void inProcessSlotsReuseThePrefixRunOnlyForValuesNoFunctionCanChange() {
    List<SourceRecord> batch = new ArrayList<>();
    List<String> totals = new ArrayList<>();
    long[] sums = new long[9];
    for (int i = 0; i < 40; i++) {
      batch.add(json(i, "{\"account\":\"a" + (i % 9) + "\",\"amount\":" + (i + 1) + "}"));
      sums[i % 9] += i + 1;
      totals.add("a" + (i % 9) + "=" + sums[i % 9]);
    }
    totals.sort(null);
    try (Fixture f = new Fixture(local, new Jobs.CountedPayments())) {
      Jobs.CountedPayments.KEYED.set(0);
      assertThat(f.coordinator().process(null, "p/shard-0", batch).firstUncommitted())
          .isEqualTo(-1);
      assertThat(Jobs.CountedPayments.KEYED.get()).as("prefix runs once").isEqualTo(40);
      assertThat(sorted(f.outbox("totals"))).isEqualTo(totals);
    }
    try (Fixture f = new Fixture(local, new Jobs.BeanPayments())) {
      Jobs.BeanPayments.KEYED.set(0);
      assertThat(f.coordinator().process(null, "p/shard-0", batch).firstUncommitted())
          .isEqualTo(-1);
      assertThat(Jobs.BeanPayments.KEYED.get()).as("coordinator and slots").isEqualTo(80);
      assertThat(sorted(f.outbox("totals"))).isEqualTo(totals);
    }
  }

  /**
   * A record the keyed function fails on, twice at 4 slots, is set aside at its third failure
   * although that one is at 2 slots: its failures are counted per record, not per slot.
   */
  @Test
  void aPoisonRecordsFailuresAddUpAcrossASlotCountChange() {
    try (Fixture f = new Fixture(local, new Jobs.Payments(), RuntimeSettings.MAX_ATTEMPTS, "3")) {
      List<SourceRecord> batch = withAPoisonPayment();
      for (int attempt = 1; attempt <= 2; attempt++) {
        Coordinator.Outcome o = f.coordinator().process(null, "p/shard-0", batch);
        assertThat(o.firstUncommitted()).as("attempt %d", attempt).isEqualTo(1);
        assertThat(o.responses())
            .filteredOn(r -> r.status() == OperatorResponse.Status.POISON)
            .extracting(OperatorResponse::attempts)
            .containsExactly(attempt);
      }
      Coordinator two = f.redeployed(RuntimeSettings.SLOTS, "2").coordinator();
      Coordinator.Outcome third = two.process(null, "p/shard-0", batch);
      assertThat(third.firstUncommitted()).isEqualTo(-1);
      assertThat(f.deadLetters()).hasSize(1);
      assertThat(sorted(f.outbox("totals"))).containsExactly("a=5", "b=7");
    }
  }

  /**
   * A function before keyBy that reads the watermark (a per-element generator, late payments
   * counted 1000) gives the same totals in process, where the slots run on the coordinator's prefix
   * run over the whole batch, and through the wire, where each slot runs the prefix over its part:
   * both read the batch's input watermark (found in review: they differed).
   */
  @Test
  void aPrefixThatReadsTheWatermarkGivesTheSameTotalsInProcessAndThroughTheWire() {
    List<SourceRecord> batch = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // timestamps fall: with the watermark of a run, every record but the first would be late
      batch.add(
          new SourceRecord(
              Long.toString(i),
              0,
              1000 - i,
              ("{\"account\":\"a" + i + "\",\"amount\":" + (i + 1) + "}")
                  .getBytes(StandardCharsets.UTF_8),
              Map.of()));
    }
    List<List<String>> outputs = new ArrayList<>();
    List<Long> prefixCalls = new ArrayList<>();
    List<Long> slotsAnswered = new ArrayList<>();
    for (boolean throughWire : new boolean[] {false, true}) {
      try (Fixture f = new Fixture(local, new Jobs.LatePayments(), throughWire)) {
        Jobs.LatePayments.KEYED.set(0);
        Coordinator.Outcome o = f.coordinator().process(null, "p/shard-0", batch);
        assertThat(o.firstUncommitted()).isEqualTo(-1);
        slotsAnswered.add(o.responses().stream().map(OperatorResponse::slot).distinct().count());
        prefixCalls.add(Jobs.LatePayments.KEYED.get());
        outputs.add(sorted(f.outbox("totals")));
      }
    }
    // several slots answered; in process the prefix ran once, through the wire in every slot too
    assertThat(slotsAnswered.get(0)).isGreaterThan(1);
    assertThat(prefixCalls).containsExactly(8L, 16L);
    assertThat(outputs.get(0)).as("in process vs the operator function").isEqualTo(outputs.get(1));
    assertThat(outputs.get(0)).doesNotContain("a3=1000").contains("a3=4");
  }

  /**
   * A batch delivered again after its own commit moved the watermark (its answer lost) is applied
   * once, although a function before keyBy routes late records to another key: the prefix reads no
   * watermark, so every delivery makes the same keyed records (found in review: pinned to the
   * batch's input watermark, the second delivery sent record 1 to "late" and applied it again).
   */
  @Test
  void aBatchDeliveredAgainAfterItsWatermarkMovedIsAppliedOnce() {
    try (Fixture f = new Fixture(local, new Jobs.RoutedPayments(), true)) {
      List<SourceRecord> batch =
          List.of(
              new SourceRecord(
                  "1",
                  0,
                  100,
                  "{\"account\":\"a\",\"amount\":5}".getBytes(StandardCharsets.UTF_8),
                  Map.of()),
              new SourceRecord(
                  "2",
                  0,
                  200,
                  "{\"account\":\"b\",\"amount\":7}".getBytes(StandardCharsets.UTF_8),
                  Map.of()));
      assertThat(f.coordinator().process(null, "p/shard-0", batch).firstUncommitted())
          .isEqualTo(-1);
      assertThat(sorted(f.outbox("totals"))).containsExactly("a=5", "b=7");
      Coordinator.Outcome again = f.coordinator().process(null, "p/shard-0", batch);
      assertThat(again.inputWatermark()).as("the redelivery's input watermark").isGreaterThan(100);
      assertThat(again.firstUncommitted()).isEqualTo(-1);
      assertThat(sorted(f.outbox("totals"))).containsExactly("a=5", "b=7");
    }
  }

  @Test
  void theTickFiresAWindowOnAnIdleStream() {
    try (Fixture f = clickWindows()) {
      long t = 1_767_225_600_000L;
      List<SourceRecord> clicks = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        clicks.add(
            json(
                100 + i,
                "{\"userId\":\"u"
                    + (i % 2)
                    + "\",\"page\":\"/p\",\"timestamp\":"
                    + (t + i * 100)
                    + "}"));
      }
      assertThat(f.coordinator().process(null, "c/shard-0", clicks).firstUncommitted())
          .isEqualTo(-1);
      assertThat(f.outbox("click-totals")).as("the window is still open").isEmpty();
      List<OperatorResponse> early = f.coordinator().tick();
      assertThat(early).hasSize(4);
      assertThat(f.outbox("click-totals")).as("the split is not idle yet").isEmpty();
      f.clock.set(f.clock.currentTimeMillis() + 31_000);
      f.coordinator().tick();
      assertThat(f.outbox("click-totals")).hasSize(2);
      assertThat(String.join(",", f.outbox("click-totals"))).contains("u0").contains("u1");
    }
  }

  @Test
  void aSplitWhoseBatchHasStartedHoldsTheGlobalWatermarkBack() {
    try (Fixture f = clickWindows()) {
      long t = 1_767_225_600_000L;
      SplitWatermarks watermarks =
          new SplitWatermarks(f.dynamo, f.settings.tables(), f.settings.graph().jobName());
      // b committed long ago at event time t, then went quiet past the idle timeout
      watermarks.advance("c/shard-b", t, f.clock.currentTimeMillis());
      f.clock.set(f.clock.currentTimeMillis() + 60_000);
      long now = f.clock.currentTimeMillis();
      long ahead = t + 50_000;
      assertThat(
              SplitWatermarks.global(
                  watermarks.read(), "c/shard-a", ahead, now, f.settings.idleTimeout()))
          .as("b is idle: a alone decides")
          .isEqualTo(ahead);
      // b starts a new batch: until it commits, nobody moves past b's watermark
      watermarks.heartbeat("c/shard-b", now);
      assertThat(watermarks.read().get("c/shard-b")).isEqualTo(new SplitWatermarks.Split(t, now));
      assertThat(
              SplitWatermarks.global(
                  watermarks.read(), "c/shard-a", ahead, now, f.settings.idleTimeout()))
          .isEqualTo(t);
      // a split new to the job holds everyone at the lowest watermark until its first commit
      watermarks.heartbeat("c/shard-new", now);
      assertThat(
              SplitWatermarks.global(
                  watermarks.read(), "c/shard-a", ahead, now, f.settings.idleTimeout()))
          .isEqualTo(Long.MIN_VALUE);
    }
  }

  /**
   * Two partitions of 20 users; the first batch has only partition 0's records and already passes
   * the first window's end, and a tick follows. Partition 1's records of that window come in a
   * later batch. Declared splits (TRIBUTARY_SPLITS) hold the watermark until partition 1 has
   * committed, so its records count; undeclared, the window fires without them and they are late
   * (the defect this fixes).
   */
  @Test
  void aDeclaredSplitHoldsTheWatermarkUntilItsFirstBatch() {
    for (boolean declared : new boolean[] {true, false}) {
      try (Fixture f =
          declared ? clickWindows(RuntimeSettings.SPLITS, "c-0,c-1") : clickWindows()) {
        TwoSplits clicks = new TwoSplits();
        assertThat(f.coordinator().process(null, "c-0", clicks.first).firstUncommitted())
            .isEqualTo(-1);
        f.coordinator().tick(); // the scheduled tick moves every slot to the global watermark
        assertThat(f.coordinator().process(null, "c-1", clicks.second).firstUncommitted())
            .isEqualTo(-1);
        f.clock.set(f.clock.currentTimeMillis() + 31_000);
        f.coordinator().tick();
        if (declared) {
          assertThat(sorted(f.outbox("click-totals"))).isEqualTo(clicks.expected());
        } else {
          assertThat(sorted(f.outbox("click-totals")))
              .as("undeclared, partition 1's first window is lost as late")
              .isNotEqualTo(clicks.expected())
              .hasSizeLessThan(clicks.expected().size());
        }
      }
    }
  }

  /**
   * The same on Kinesis without TRIBUTARY_SPLITS: the handler lists the stream's open shards at its
   * first batch (a closed one is left out) and declares them.
   */
  @Test
  void theKinesisHandlerDeclaresTheOpenShardsOfTheStream() {
    try (Fixture f = clickWindows()) {
      String arn = "arn:aws:kinesis:us-east-1:000000000000:stream/clicks";
      List<String> listed = new ArrayList<>();
      CoordinatorRuntime runtime =
          new CoordinatorRuntime(
              f.settings,
              f.dynamo,
              f.invoker,
              f.invoker,
              f.clock,
              streamArn -> {
                listed.add(streamArn);
                return List.of("shardId-000000000000", "shardId-000000000001");
              });
      KinesisHandler handler = new KinesisHandler(runtime);
      TwoSplits clicks = new TwoSplits();
      assertThat(
              handler
                  .handleRequest(kinesis(arn, "shardId-000000000000", clicks.first), null)
                  .getBatchItemFailures())
          .isEmpty();
      runtime.coordinator().tick();
      assertThat(
              handler
                  .handleRequest(kinesis(arn, "shardId-000000000001", clicks.second), null)
                  .getBatchItemFailures())
          .isEmpty();
      f.clock.set(f.clock.currentTimeMillis() + 31_000);
      runtime.coordinator().tick();
      assertThat(sorted(f.outbox("click-totals"))).isEqualTo(clicks.expected());
      assertThat(listed).as("listed once per stream").containsExactly(arn);
    }
  }

  /**
   * On Kafka without TRIBUTARY_SPLITS the coordinator cannot list the partitions, so the handler
   * declares a start hold: no window fires during the job's first idle timeout, and a partition
   * whose first batch comes after another's (and after a tick) loses nothing. Declared, there is no
   * hold: the partitions hold the watermark themselves.
   */
  @Test
  void theKafkaHandlerHoldsTheWatermarkAtTheStartWhenThePartitionsAreNotDeclared() {
    for (boolean declared : new boolean[] {false, true}) {
      try (Fixture f =
          declared ? clickWindows(RuntimeSettings.SPLITS, "c-0,c-1") : clickWindows()) {
        KafkaHandler handler = new KafkaHandler(f.runtime);
        TwoSplits clicks = new TwoSplits();
        assertThat(handler.handleRequest(kafka("c", 0, clicks.first), null).getBatchItemFailures())
            .isEmpty();
        f.coordinator().tick();
        assertThat(f.outbox("click-totals"))
            .as("no window fired before partition 1 came")
            .isEmpty();
        Map<String, SplitWatermarks.Split> stored =
            new SplitWatermarks(f.dynamo, f.settings.tables(), f.settings.graph().jobName()).read();
        if (declared) {
          assertThat(stored).containsOnlyKeys("c-0", "c-1");
        } else {
          assertThat(stored).containsOnlyKeys("c-0", SplitWatermarks.START_HOLD);
        }
        f.clock.set(f.clock.currentTimeMillis() + 20_000);
        assertThat(handler.handleRequest(kafka("c", 1, clicks.second), null).getBatchItemFailures())
            .isEmpty();
        f.clock.set(f.clock.currentTimeMillis() + 31_000);
        f.coordinator().tick();
        assertThat(sorted(f.outbox("click-totals"))).isEqualTo(clicks.expected());
        if (declared) {
          // deployed again without the declaration: the job has moved its watermark, so no hold
          // pauses its windows
          new KafkaHandler(f.redeployed(RuntimeSettings.SPLITS, null))
              .handleRequest(
                  kafka(
                      "c",
                      0,
                      List.of(
                          json(
                              1_000,
                              "{\"userId\":\"u0\",\"page\":\"/p\",\"timestamp\":1767225610000}"))),
                  null);
          assertThat(
                  new SplitWatermarks(f.dynamo, f.settings.tables(), f.settings.graph().jobName())
                      .read())
              .containsOnlyKeys("c-0", "c-1");
        }
      }
    }
  }

  /** 300 clicks of 20 users, 10 ms apart: even users in one split, odd ones in the other. */
  private static final class TwoSplits {
    final List<SourceRecord> first = new ArrayList<>();
    final List<SourceRecord> second = new ArrayList<>();
    final List<dev.tributary.examples.clicks.Click> all = new ArrayList<>();

    TwoSplits() {
      long t = 1_767_225_600_000L;
      for (int i = 0; i < 300; i++) {
        int user = i % 20; // as a producer keyed by user writes them
        String click =
            "{\"userId\":\"u" + user + "\",\"page\":\"/p\",\"timestamp\":" + (t + i * 10) + "}";
        all.add(
            dev.tributary.serde.Serdes.json(dev.tributary.examples.clicks.Click.class)
                .deserialize(click.getBytes(StandardCharsets.UTF_8)));
        (user % 2 == 0 ? first : second).add(json(100 + i, click));
      }
    }

    /** The in-memory reference run's window totals, as the outbox holds them, sorted. */
    List<String> expected() {
      List<String> expected = new ArrayList<>();
      for (Object total :
          InMemoryRunner.forJob(new dev.tributary.examples.clicks.ClickWindowSums())
              .bind(dev.tributary.examples.clicks.ClickWindowSums.SOURCE, all.iterator())
              .run()
              .sink(dev.tributary.examples.clicks.ClickWindowSums.SINK)) {
        expected.add(
            new String(
                dev.tributary.serde.Serdes.json(dev.tributary.examples.clicks.ClickTotal.class)
                    .serialize((dev.tributary.examples.clicks.ClickTotal) total),
                StandardCharsets.UTF_8));
      }
      expected.sort(null);
      return expected;
    }
  }

  /** A Kafka event of {@code records} from one partition of {@code topic}. */
  private static KafkaEvent kafka(String topic, int partition, List<SourceRecord> records) {
    List<KafkaEvent.KafkaEventRecord> out = new ArrayList<>();
    for (SourceRecord r : records) {
      out.add(
          KafkaEvent.KafkaEventRecord.builder()
              .withTopic(topic)
              .withPartition(partition)
              .withOffset(Long.parseLong(r.sequence()))
              .withTimestamp(r.timestamp())
              .withTimestampType("CREATE_TIME")
              .withValue(java.util.Base64.getEncoder().encodeToString(r.data()))
              .build());
    }
    return KafkaEvent.builder()
        .withEventSource("aws:kafka")
        .withRecords(Map.of(topic + "-" + partition, out))
        .build();
  }

  /** A Kinesis event of {@code records} from one shard of the stream {@code arn}. */
  private static KinesisEvent kinesis(String arn, String shard, List<SourceRecord> records) {
    List<KinesisEvent.KinesisEventRecord> out = new ArrayList<>();
    for (SourceRecord r : records) {
      String sequence = String.format("%056d", Long.parseLong(r.sequence()));
      KinesisEvent.Record data = new KinesisEvent.Record();
      data.setData(java.nio.ByteBuffer.wrap(r.data()));
      data.setSequenceNumber(sequence);
      data.setPartitionKey("pk");
      data.setApproximateArrivalTimestamp(new java.util.Date(1_767_225_600_000L));
      KinesisEvent.KinesisEventRecord e = new KinesisEvent.KinesisEventRecord();
      e.setKinesis(data);
      e.setEventID(shard + ":" + sequence);
      e.setEventSourceARN(arn);
      e.setEventSource("aws:kinesis");
      out.add(e);
    }
    KinesisEvent event = new KinesisEvent();
    event.setRecords(out);
    return event;
  }

  /** click-window-sums with a 30 s idle timeout and {@code env}. */
  private static Fixture clickWindows(String... env) {
    String[] all = new String[env.length + 2];
    all[0] = RuntimeSettings.IDLE_TIMEOUT;
    all[1] = "PT30S";
    System.arraycopy(env, 0, all, 2, env.length);
    return new Fixture(local, new dev.tributary.examples.clicks.ClickWindowSums(), all);
  }

  /** a 5, a -1 (the keyed function fails on a negative amount), b 7. */
  private static List<SourceRecord> withAPoisonPayment() {
    return List.of(
        json(1, "{\"account\":\"a\",\"amount\":5}"),
        json(2, "{\"account\":\"a\",\"amount\":-1}"),
        json(3, "{\"account\":\"b\",\"amount\":7}"));
  }

  private static SourceRecord json(long sequence, String text) {
    return new SourceRecord(
        Long.toString(sequence), 0, sequence, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** Set by a test: {@link FailingTimer}'s onTimer throws. */
  static volatile boolean timersFail;

  /** Every payment registers an event-time timer at 9; onTimer emits "account=5". */
  public static final class TimerAtNine implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      Jobs.processed(env, "timer-at-nine", new FailingTimer(), "nine");
    }
  }

  /** Registers a timer at 9; on it emits "account=5", or throws while {@link #timersFail}. */
  public static final class FailingTimer
      extends KeyedProcessFunction<String, Jobs.Payment, String> {
    @Override
    public void processElement(Jobs.Payment p, Context ctx, Collector<String> out) {
      ctx.timerService().registerEventTimeTimer(9);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      if (timersFail) {
        throw new IllegalStateException("onTimer fails");
      }
      out.collect(ctx.getCurrentKey() + "=5");
    }
  }

  /**
   * A timer pending at the old count's fired-up-to (a cut firing) fires at the new count before the
   * first record of its key (KeyedNode.receiveKeyed); a failing onTimer was blamed on that record
   * (review of ac6be47): the slot answers POISON for it, and after the allowed attempts the record
   * is set aside as a dead letter, although nothing failed on it (the timer stays pending and fails
   * the next record of the key the same way). At the old count the same timer fires before the
   * records, and its failure fails the invocation (retried; nothing set aside).
   */
  @Test
  void aFailingTimerCaughtUpBeforeARecordDoesNotSetTheRecordAside() {
    for (int slots : new int[] {1, 2}) {
      try (Fixture f = new Fixture(local, new TimerAtNine(), RuntimeSettings.SLOTS, "1")) {
        String victim = aCutFiringDies(f, TimerAtNine.class, "nine", "nine", 9);
        timersFail = true;
        List<String> answers = new ArrayList<>();
        try {
          for (int attempt = 0; attempt < 4; attempt++) {
            try {
              OperatorResponse r =
                  onSlotOf(
                      f,
                      f.dynamo,
                      TimerAtNine.class,
                      slotOfAccount(victim, slots),
                      slots,
                      "p/shard-B",
                      0,
                      0,
                      List.of(payment(1, victim, 7)));
              answers.add(r.status() + " deadLettered=" + r.deadLettered());
            } catch (RuntimeException e) {
              answers.add("failed: " + e);
            }
          }
        } finally {
          timersFail = false;
        }
        assertThat(answers).as("staging: every delivery answered (slots %d)", slots).hasSize(4);
        assertThat(f.deadLetters())
            .as("the record set aside for its key's timer (slots %d): %s", slots, answers)
            .isEmpty();
        assertThat(answers)
            .as("the record blamed for its key's timer (slots %d)", slots)
            .noneMatch(a -> a.startsWith("POISON"));
      }
    }
  }

  // ---- sealing and catch-up across a slot-count change (tests from the review of 6766b5b) ----

  /**
   * The old count's run ({@code old}) and the new slot's ({@code newSlot}) both committed, the old
   * count fired b's [0,10), and split B's b@7 at {@code slots} slots (sequence {@code seq}) is
   * late: the window fired once.
   */
  private static void theOldFiringIsSeen(
      Fixture f, OperatorResponse old, OperatorResponse newSlot, int slots, long seq) {
    assertThat(old.status()).as("%s", old).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(newSlot.status()).as("%s", newSlot).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(f.outbox("sums")).as("staging: the old count fired b's [0,10)").contains("b=5");
    OperatorResponse r3 = behindB(f, slots, seq);
    assertThat(f.outbox("sums").stream().filter(o -> o.startsWith("b=")).toList())
        .as("b's [0,10) fired once")
        .containsExactly("b=5");
    assertThat(r3.lateRecordsDropped()).as("b@7 was late").isEqualTo(1);
  }

  /** Whether operator {@code uid}'s timer item at {@code slot} of {@code slots} is sealed. */
  private static boolean isSealed(Fixture f, String uid, int slots, int slot) {
    Map<String, AttributeValue> item = timerItem(f, uid, slots, slot);
    return item != null && item.containsKey("sl") && Boolean.TRUE.equals(item.get("sl").bool());
  }

  /** An account other than b in b's slot at {@code slots} slots. */
  private static String otherInSlotOfB(int slots) {
    int slot = slotOfAccount("b", slots);
    for (char c = 'c'; c <= 'z'; c++) {
      if (slotOfAccount("x" + c, slots) == slot) {
        return "x" + c;
      }
    }
    throw new AssertionError("no account");
  }

  /**
   * The new count's slot runs split B (x@13): it puts its placeholder, reads the partition and
   * seals the old count's items; just before its commit, {@code old} runs in full. Returns its
   * answer.
   */
  private static OperatorResponse newSlotWithOldRunBeforeItsCommit(
      Fixture f, int slots, String x, long xTs, long seq, int oldSlots, int oldSlot, Runnable old) {
    int slot = slotOfAccount("b", slots);
    boolean[] ran = {false};
    DynamoDbClient hooked =
        onEachCommit(
            f.dynamo,
            n -> {
              if (!ran[0] && isSealed(f, "sums", oldSlots, oldSlot)) {
                ran[0] = true;
                old.run();
              }
            });
    OperatorResponse r =
        onSlotOf(
            f,
            hooked,
            Jobs.GrowingWindows.class,
            slot,
            slots,
            "p/shard-B",
            0,
            0,
            List.of(payment(seq, x, xTs)));
    assertThat(ran[0]).as("staging: the old count ran after the seal, before the commit").isTrue();
    return r;
  }

  /** Split B, behind (back from idle): b@7, then the watermark passes 20, at {@code slots}. */
  private static OperatorResponse behindB(Fixture f, int slots, long seq) {
    int slot = slotOfAccount("b", slots);
    OperatorResponse r3 =
        onSlotOf(f, slot, slots, "p/shard-B", 0, 0, List.of(payment(seq, "b", 7)));
    assertThat(r3.status()).as("%s", r3).isEqualTo(OperatorResponse.Status.COMMITTED);
    OperatorResponse r4 = onSlotOf(f, slot, slots, "p/shard-B", 0, 20, List.of());
    assertThat(r4.status()).as("%s", r4).isEqualTo(OperatorResponse.Status.COMMITTED);
    return r3;
  }

  /**
   * First change ever (1 -> 2; the layout is at generation 1). The new slot seals 1#0 and, while
   * its first commit is in flight, a fresh invocation of the old count (split A, watermark 15)
   * finds 1#0 sealed. The layout still names count 1 at generation 1, so the old count does not
   * read the partition nor seal the new slot's placeholder; it fires b's [0,10) (b=5) and commits
   * (its condition is on the sealed version). The new slot then commits with floors that miss that
   * firing, its item is trusted, and b@7 of split B opens [0,10) again.
   */
  @Test
  void anOldCountRunBetweenTheSealAndTheNewSlotsCommitIsSeen() {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
      String x = otherInSlotOfB(2);
      OperatorResponse r1 =
          onSlotOf(f, 0, 1, "p/shard-A", Long.MIN_VALUE, 0, List.of(payment(1, "b", 5)));
      assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
      OperatorResponse[] old = new OperatorResponse[1];
      OperatorResponse r2 =
          newSlotWithOldRunBeforeItsCommit(
              f,
              2,
              x,
              13,
              1,
              1,
              0,
              () -> old[0] = onSlotOf(f, 0, 1, "p/shard-A", 0, 15, List.of(payment(2, "c", 12))));
      assertThat(firedUpTo(f, "sums", 1, 0)).as("staging: 1#0 fired up to 15").isEqualTo(15L);
      theOldFiringIsSeen(f, old[0], r2, 2, 2);
    }
  }

  /**
   * 1 -> 2 -> 1 -> 2: when count 1 came back it sealed 2#s, which stays sealed. At the second
   * change the new slot 2#s (its item sealed, untrusted) seals 1#0 and, while its commit is in
   * flight, a fresh old-count invocation finds 1#0 sealed, reads the partition (generation > 1),
   * and skips 2#s because it is already sealed: nothing makes the new slot's commit fail, and the
   * old count's firing of b's [0,10) is missing from its floors.
   */
  @Test
  void anAlreadySealedItemOfTheNewSlotIsSealedAgain() {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
      String x = otherInSlotOfB(2);
      int slot = slotOfAccount("b", 2);
      OperatorResponse r1 =
          onSlotOf(f, 0, 1, "p/shard-A", Long.MIN_VALUE, 0, List.of(payment(1, "b", 5)));
      assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
      // count 2: 2#s written (fe 0)
      OperatorResponse a1 = onSlotOf(f, slot, 2, "p/shard-B", 0, 0, List.of(payment(1, x, 13)));
      assertThat(a1.status()).as("%s", a1).isEqualTo(OperatorResponse.Status.COMMITTED);
      // count 1 back (no record, watermark 0): 1#0 seals 2#s and is written again
      OperatorResponse back = onSlotOf(f, 0, 1, "p/shard-A", 0, 0, List.of());
      assertThat(back.status()).as("%s", back).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(isSealed(f, "sums", 2, slot)).as("staging: 2#s sealed").isTrue();
      assertThat(isSealed(f, "sums", 1, 0)).as("staging: 1#0 not sealed").isFalse();
      // count 2 again, with the old count's run between the seal and the commit
      OperatorResponse[] old = new OperatorResponse[1];
      OperatorResponse r2 =
          newSlotWithOldRunBeforeItsCommit(
              f,
              2,
              x,
              14,
              2,
              1,
              0,
              () -> {
                assertThat(isSealed(f, "sums", 2, slot))
                    .as("staging: 2#s still sealed when the old count runs")
                    .isTrue();
                old[0] = onSlotOf(f, 0, 1, "p/shard-A", 0, 15, List.of(payment(2, "c", 12)));
              });
      assertThat(firedUpTo(f, "sums", 1, 0)).as("staging: 1#0 fired up to 15").isEqualTo(15L);
      theOldFiringIsSeen(f, old[0], r2, 2, 3);
    }
  }

  /**
   * At 2 slots, an account of the old slot that is not b's stores a timer there (the layout exists,
   * at count 2, generation 1), and b's old slot has no item; returns the account.
   */
  private static String theOtherOldSlotStoresATimer(Fixture f) {
    int oldSlot = slotOfAccount("b", 2);
    String y = null;
    for (char c = 'c'; c <= 'z' && y == null; c++) {
      if (slotOfAccount("y" + c, 2) != oldSlot) {
        y = "y" + c;
      }
    }
    OperatorResponse r0 =
        onSlotOf(f, 1 - oldSlot, 2, "p/shard-A", Long.MIN_VALUE, 0, List.of(payment(1, y, 5)));
    assertThat(r0.status()).as("%s", r0).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(timerItem(f, "sums", 2, oldSlot)).as("staging: no item at b's old slot").isNull();
    return y;
  }

  /**
   * 2 -> 4, the first change (layout (2, generation 1)). The old slot over b's key groups has no
   * timer item (nothing there ever stored a timer). The new slot over b reads the partition (no
   * item to seal there) and, while its commit is in flight, the old slot's first invocation on
   * split A brings b@5 with the watermark at 15: [0,10) opens and fires (b=5), and its item is put
   * (absent, as it read). The new slot's floors miss it, its item is trusted, and b@7 of split B
   * opens [0,10) again.
   */
  @Test
  void anOldSlotWithoutAnItemIsSealedToo() {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "2")) {
      int oldSlot = slotOfAccount("b", 2);
      int newSlot = slotOfAccount("b", 4);
      String x = otherInSlotOfB(4);
      theOtherOldSlotStoresATimer(f);
      OperatorResponse[] old = new OperatorResponse[1];
      boolean[] ran = {false};
      DynamoDbClient hooked =
          onEachCommit(
              f.dynamo,
              n -> {
                Map<String, AttributeValue> mine = timerItem(f, "sums", 4, newSlot);
                if (!ran[0]
                    && mine != null
                    && !mine.containsKey("kf")
                    && "0".equals(mine.get("g").n())) {
                  // the placeholder exists; the next TransactWriteItems after the read is ours
                  ran[0] = true;
                  old[0] =
                      onSlotOf(
                          f,
                          oldSlot,
                          2,
                          "p/shard-A",
                          0,
                          15,
                          List.of(payment(2, "b", 5), payment(3, "c", 12)));
                }
              });
      OperatorResponse r2 =
          onSlotOf(
              f,
              hooked,
              Jobs.GrowingWindows.class,
              newSlot,
              4,
              "p/shard-B",
              0,
              0,
              List.of(payment(1, x, 13)));
      assertThat(ran[0]).as("staging: the old slot ran while the new one was in flight").isTrue();
      theOldFiringIsSeen(f, old[0], r2, 4, 2);
    }
  }

  /**
   * 2 -> 4, the first change (layout (2, generation 1)); b's old slot has no timer item. Its first
   * invocation (split A: b@5, c@12, watermark 15) reads everything while the layout still names
   * count 2 at generation 1 (so it takes no seal path: nothing stored), and before its commit: a
   * slot of count 4 over the OTHER old slot commits (split C), which moves the layout to (4,
   * generation 2); then the new slot over b runs (split B): its layout names its own count, so it
   * puts no sealed placeholder for b's absent old slot, and its floors miss the old slot's firing
   * that is about to land. The old slot then commits (its item absent as read).
   */
  @Test
  void anAbsentOldSlotIsSealedAfterTheLayoutMovedToTheNewCount() {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "2")) {
      int oldSlot = slotOfAccount("b", 2);
      int newSlot = slotOfAccount("b", 4);
      String x = otherInSlotOfB(4);
      String yy = theOtherOldSlotStoresATimer(f);
      int otherNew = slotOfAccount(yy, 4);
      OperatorResponse[] others = new OperatorResponse[2];
      DynamoDbClient hooked =
          onEachCommit(
              f.dynamo,
              n -> {
                if (n == 0) {
                  others[0] =
                      onSlotOf(f, otherNew, 4, "p/shard-C", 0, 0, List.of(payment(1, yy, 6)));
                  Map<String, AttributeValue> layout =
                      f.dynamo
                          .getItem(
                              b ->
                                  b.tableName(f.settings.tables().state())
                                      .consistentRead(true)
                                      .key(
                                          Map.of(
                                              "pk", AttributeValue.fromS("F#sums"),
                                              "sk", AttributeValue.fromS("layout"))))
                          .item();
                  assertThat(layout.get("s").n())
                      .as("staging: the layout names count 4 before the new slot over b reads it")
                      .isEqualTo("4");
                  others[1] =
                      onSlotOf(f, newSlot, 4, "p/shard-B", 0, 0, List.of(payment(1, x, 13)));
                }
              });
      OperatorResponse old =
          onSlotOf(
              f,
              hooked,
              Jobs.GrowingWindows.class,
              oldSlot,
              2,
              "p/shard-A",
              0,
              15,
              List.of(payment(2, "b", 5), payment(3, "c", 12)));
      assertThat(others[0].status())
          .as("%s", others[0])
          .isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(others[1].status())
          .as("%s", others[1])
          .isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(old.status()).as("%s", old).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("sums")).as("staging: the old slot fired b's [0,10)").contains("b=5");
      assertThat(firedUpTo(f, "sums", 2, oldSlot))
          .as("staging: old slot fired up to 15")
          .isEqualTo(15L);
      assertThat(timerItem(f, "sums", 4, newSlot)).as("staging: new slot's item").isNotNull();
      OperatorResponse r3 = behindB(f, 4, 2);
      assertThat(f.outbox("sums").stream().filter(o -> o.startsWith("b=")).toList())
          .as("b's [0,10) fired once")
          .containsExactly("b=5");
      assertThat(r3.lateRecordsDropped()).as("b@7 was late").isEqualTo(1);
    }
  }

  /**
   * A payment below 1000 registers an event-time timer at its timestamp, whose firing emits
   * "account@t" padded to 290 KB; a payment at or above 1000 emits twelve 100 KB outputs.
   */
  public static final class BigOutputs implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      Jobs.processed(env, "review-big-outputs", new BigOutputsFunction(), "big");
    }
  }

  /** See {@link BigOutputs}. */
  public static final class BigOutputsFunction
      extends KeyedProcessFunction<String, Jobs.Payment, String> {
    @Override
    public void processElement(Jobs.Payment p, Context ctx, Collector<String> out) {
      if (p.amount() < 1000) {
        ctx.timerService().registerEventTimeTimer(p.amount());
      } else {
        for (int i = 0; i < 12; i++) {
          out.collect(p.account() + "#" + i + "|" + "x".repeat(100 * 1024));
        }
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      out.collect(ctx.getCurrentKey() + "@" + timestamp + "|" + "y".repeat(290 * 1024));
    }
  }

  /**
   * After 1 -> 2 the key group of k has a floor of 1000; split B (behind) stores ten timers of k
   * behind it, in an item without the caught-up mark (as written before it existed). The next
   * invocation's record of k catches them up before the records (2.9 MB of outputs: the epoch is
   * not full, so it stays open) and the record itself then emits 1.2 MB: the epoch outgrows a
   * transaction with one record in it, and the runner cannot cut it before that record (a cut
   * before the first record is never committed: recordCount is 0), so it fails with
   * StateTooLargeException on every delivery, though each part fits on its own.
   */
  @Test
  void aCaughtUpEpochLeftOpenDoesNotMakeTheFirstRecordTooLarge() {
    try (Fixture f = new Fixture(local, new BigOutputs(), RuntimeSettings.SLOTS, "1")) {
      List<SourceRecord> ten = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        ten.add(payment(i, "k", i));
      }
      assertThat(kBehindAFloorOf1000(f, BigOutputs.class, "big", ten, payment(11, "k", 2000)))
          .as("the invocation commits")
          .isEqualTo("COMMITTED");
      assertThat(f.outbox("big").stream().filter(o -> o.startsWith("k@")).toList())
          .as("k's 10 timers behind the floor fired")
          .hasSize(10);
      assertThat(f.outbox("big").stream().filter(o -> o.startsWith("k#")).toList())
          .as("the record's outputs")
          .hasSize(12);
    }
  }

  /**
   * At 1 slot, split A fires operator {@code uid} of {@code job} up to 1000 (z@500); then, at 2
   * slots, split B (behind: watermark 0) brings {@code stored} payments of k to k's slot, whose
   * timers are stored behind the floor, not fired; then {@code next}. Returns its answer's status,
   * or the failure.
   */
  private static String kBehindAFloorOf1000(
      Fixture f,
      Class<? extends JobProvider> job,
      String uid,
      List<SourceRecord> stored,
      SourceRecord next) {
    OperatorResponse r0 =
        onSlotOf(
            f,
            f.dynamo,
            job,
            0,
            1,
            "p/shard-A",
            Long.MIN_VALUE,
            1000,
            List.of(payment(1, "z", 500)));
    assertThat(r0.status()).as("%s", r0).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(firedUpTo(f, uid, 1, 0)).as("staging: 1#0 fired up to 1000").isEqualTo(1000L);
    int slot = slotOfAccount("k", 2);
    OperatorResponse r1 = onSlotOf(f, f.dynamo, job, slot, 2, "p/shard-B", 0, 0, stored);
    assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(f.outbox(uid).stream().filter(o -> o.startsWith("k@")).toList())
        .as("staging: k's timers are stored, not fired")
        .isEmpty();
    // k's item says it was caught up to 1000 before its first record: a timer a record registers
    // behind the floor waits for the watermark, as one behind the watermark does. Items written
    // before that mark existed carry none, and their timers behind the floor are caught up before
    // the key's next record: the case these tests stage
    assertThat(forgetCaughtUp(f))
        .as("staging: k's item said how far it was caught up")
        .isPositive();
    return answer(() -> onSlotOf(f, f.dynamo, job, slot, 2, "p/shard-B", 0, 0, List.of(next)));
  }

  /**
   * Removes the caught-up mark ({@code cu}) from every key item of {@code f}'s state table, as
   * items written before Tributary stored it read; answers how many items had one.
   */
  private static int forgetCaughtUp(Fixture f) {
    int n = 0;
    String table = f.settings.tables().state();
    for (Map<String, AttributeValue> item :
        f.dynamo.scanPaginator(b -> b.tableName(table)).items()) {
      if (item.containsKey("cu")) {
        n++;
        f.dynamo.updateItem(
            b ->
                b.tableName(table)
                    .key(Map.of("pk", item.get("pk"), "sk", item.get("sk")))
                    .updateExpression("REMOVE cu"));
      }
    }
    return n;
  }

  /** The status {@code run} answers, or "failed: " and what it threw. */
  private static String answer(java.util.function.Supplier<OperatorResponse> run) {
    try {
      return String.valueOf(run.get().status());
    } catch (RuntimeException e) {
      return "failed: " + e;
    }
  }

  /**
   * The same without a slot-count change (older than the catch-up): ten timers of k stored; the
   * next batch's input watermark (100) fires them before the records (2.9 MB of outputs, left open)
   * and its record emits 1.2 MB: StateTooLargeException on every delivery.
   */
  @Test
  void aBeforePhaseEpochLeftOpenDoesNotMakeTheFirstRecordTooLarge() {
    try (Fixture f = new Fixture(local, new BigOutputs(), RuntimeSettings.SLOTS, "1")) {
      List<SourceRecord> ten = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        ten.add(payment(i, "k", i));
      }
      OperatorResponse r1 =
          onSlotOf(f, f.dynamo, BigOutputs.class, 0, 1, "p/shard-A", Long.MIN_VALUE, 0, ten);
      assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
      assertThat(f.outbox("big")).as("staging: k's timers are stored, not fired").isEmpty();
      assertThat(
              answer(
                  () ->
                      onSlotOf(
                          f,
                          f.dynamo,
                          BigOutputs.class,
                          0,
                          1,
                          "p/shard-A",
                          100,
                          100,
                          List.of(payment(11, "k", 2000)))))
          .as("the invocation commits")
          .isEqualTo("COMMITTED");
      assertThat(f.outbox("big").stream().filter(o -> o.startsWith("k@")).toList()).hasSize(10);
      assertThat(f.outbox("big").stream().filter(o -> o.startsWith("k#")).toList()).hasSize(12);
    }
  }

  /** Every payment registers an event-time timer at its timestamp; onTimer emits "account@t". */
  public static final class TimerAtTs implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      Jobs.processed(env, "timer-at-ts", new TimerAtTsFunction(), "atts");
    }
  }

  /** See {@link TimerAtTs}. */
  public static final class TimerAtTsFunction
      extends KeyedProcessFunction<String, Jobs.Payment, String> {
    @Override
    public void processElement(Jobs.Payment p, Context ctx, Collector<String> out) {
      ctx.timerService().registerEventTimeTimer(p.amount());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      out.collect(ctx.getCurrentKey() + "@" + timestamp);
    }
  }

  /**
   * After 1 -> 2 the key group of k has a floor of 1000 (the old slot fired that far); split B,
   * behind (watermark 0), brings 150 payments of k (t = 1..150): each registers a timer behind the
   * floor, stored (the catch-up runs once per key, before the first), in an item without the
   * caught-up mark (as written before it existed). The next invocation's first record of k catches
   * up all 150 stored timers inside that one record's epoch: more than one transaction holds, and
   * the epoch cannot be cut inside a record, so the invocation fails with StateTooLargeException on
   * every delivery (a stuck split). At the old count those timers fire in the firing phase, cut
   * into epochs.
   */
  @Test
  void manyTimersCaughtUpForOneKeyAreCutIntoEpochs() {
    try (Fixture f = new Fixture(local, new TimerAtTs(), RuntimeSettings.SLOTS, "1")) {
      List<SourceRecord> many = new ArrayList<>();
      for (int i = 1; i <= 150; i++) {
        many.add(payment(i, "k", i));
      }
      assertThat(kBehindAFloorOf1000(f, TimerAtTs.class, "atts", many, payment(151, "k", 160)))
          .as("the invocation commits")
          .isEqualTo("COMMITTED");
      assertThat(f.outbox("atts").stream().filter(o -> o.startsWith("k@")).toList())
          .as("k's 150 timers behind the floor fired")
          .hasSize(150);
    }
  }

  /**
   * The commit's own scenario, at the first change (layout (1, generation 1)): the old count's
   * invocation (split A, watermark 15) reads everything; the new slot (split B, x@13) then puts its
   * placeholder, reads the partition, seals 1#0 and stops just before its commit (another thread).
   * The old count's commit fails on 1#0's version, as intended; its redo finds 1#0 sealed, but the
   * layout names count 1 at generation 1, so it neither reads the partition nor seals the new
   * slot's item: it fires b's [0,10) and commits. The new slot's commit then succeeds with floors
   * that miss the firing, its item is trusted, and b@7 of split B opens [0,10) again.
   */
  @Test
  void anOldCountsRedoAfterTheSealSealsTheNewSlot() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.GrowingWindows(), RuntimeSettings.SLOTS, "1")) {
      String x = otherInSlotOfB(2);
      int slot = slotOfAccount("b", 2);
      OperatorResponse r1 =
          onSlotOf(f, 0, 1, "p/shard-A", Long.MIN_VALUE, 0, List.of(payment(1, "b", 5)));
      assertThat(r1.status()).as("%s", r1).isEqualTo(OperatorResponse.Status.COMMITTED);
      CompletableFuture<Void> atCommit = new CompletableFuture<>();
      CompletableFuture<Void> release = new CompletableFuture<>();
      DynamoDbClient newHooked =
          onEachCommit(
              f.dynamo,
              n -> {
                if (!atCommit.isDone() && isSealed(f, "sums", 1, 0)) {
                  atCommit.complete(null);
                  release.join();
                }
              });
      CompletableFuture<OperatorResponse>[] newRun = new CompletableFuture[1];
      DynamoDbClient oldHooked =
          onEachCommit(
              f.dynamo,
              n -> {
                if (n == 0) {
                  newRun[0] =
                      CompletableFuture.supplyAsync(
                          () ->
                              onSlotOf(
                                  f,
                                  newHooked,
                                  Jobs.GrowingWindows.class,
                                  slot,
                                  2,
                                  "p/shard-B",
                                  0,
                                  0,
                                  List.of(payment(1, x, 13))));
                  atCommit.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
                }
              });
      OperatorResponse old;
      try {
        old =
            onSlotOf(
                f,
                oldHooked,
                Jobs.GrowingWindows.class,
                0,
                1,
                "p/shard-A",
                0,
                15,
                List.of(payment(2, "c", 12)));
      } finally {
        release.complete(null);
      }
      OperatorResponse r2 = newRun[0].get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(old.conflicts()).as("staging: the old count's first commit failed").isPositive();
      assertThat(firedUpTo(f, "sums", 1, 0)).as("staging: 1#0 fired up to 15").isEqualTo(15L);
      theOldFiringIsSeen(f, old, r2, 2, 2);
    }
  }
}
