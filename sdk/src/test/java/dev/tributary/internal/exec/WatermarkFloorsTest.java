package dev.tributary.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataStream;
import dev.tributary.JobGraph;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.ManualClock;
import dev.tributary.spi.OutputCollector;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link JobExecutor#floorWatermarks}: a key group's floor makes its keys' records late as at that
 * watermark, and leaves other key groups' records and the operator's own timers alone.
 */
class WatermarkFloorsTest {
  /** A payment: account and amount; its timestamp is {@code ts}. */
  public record Pay(String account, long amount, long ts) {}

  private static final int A = keyGroup("a");
  private static final int B = keyGroup("b");

  private static int keyGroup(String key) {
    return KeyGroups.keyGroupOf(Serdes.string().serialize(key), KeyGroups.DEFAULT_MAX_KEY_GROUPS);
  }

  /** Payments timed by {@code ts}, with monotonous watermarks. */
  private static DataStream<Pay> payments(StreamEnvironment env) {
    return env.kinesis("in", Serdes.json(Pay.class))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Pay>forMonotonousTimestamps()
                .withTimestampAssigner((p, t) -> p.ts()));
  }

  private static JobGraph windows(Duration lateness) {
    return JobGraph.of(
        env ->
            payments(env)
                .keyBy(Pay::account)
                .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
                .allowedLateness(lateness)
                .reduce((x, y) -> new Pay(x.account(), x.amount() + y.amount(), y.ts()))
                .uid("sums")
                .map(p -> p.account() + "=" + p.amount())
                .sinkTo("out"));
  }

  /** Tells each record's timestamp and the watermark its key reads. */
  static final class Echo extends KeyedProcessFunction<String, Pay, String> {
    @Override
    public void processElement(Pay p, Context ctx, Collector<String> out) {
      out.collect(p.account() + " wm=" + ctx.timerService().currentWatermark());
    }
  }

  /** An executor of {@code graph} in memory whose sink records go to {@code out}. */
  private static JobExecutor collecting(JobGraph graph, List<String> out) {
    return new JobExecutor(
        graph,
        new InMemoryStateBackend(),
        new ManualClock(0),
        (sink, value, ts) -> out.add(String.valueOf(value)));
  }

  private static int exchange(JobGraph graph) {
    return graph.nodes().stream()
        .filter(n -> n.spec() instanceof KeyBySpec)
        .findFirst()
        .orElseThrow()
        .id();
  }

  /** Outputs of {@code graph} for a@5 and b@5 at watermark 0, then watermark 30. */
  private static List<String> run(JobGraph graph, IntToLongFunction floors, long highest) {
    List<String> out = new ArrayList<>();
    OutputCollector collector =
        new OutputCollector() {
          @Override
          public void emit(String sink, Object value, long timestamp) {
            out.add(String.valueOf(value));
          }

          @Override
          public void lateRecordDropped(String operatorUid, Object value, long timestamp) {
            out.add("late " + value);
          }
        };
    try (JobExecutor executor =
        new JobExecutor(graph, new InMemoryStateBackend(), new ManualClock(0), collector)) {
      if (floors != null) {
        executor.floorWatermarks(floors, highest);
      }
      int exchange = exchange(graph);
      executor.injectWatermark(exchange, 0);
      executor.injectKeyed(exchange, "a", new Pay("a", 1, 5), 5);
      executor.injectKeyed(exchange, "b", new Pay("b", 2, 5), 5);
      executor.injectWatermark(exchange, 30);
    }
    return out;
  }

  @Test
  void aRecordOfAKeyGroupFiredPastItsWindowIsLateAndOthersAreNot() {
    assertThat(A).as("staging: a and b in different key groups").isNotEqualTo(B);
    assertThat(run(windows(Duration.ZERO), null, Long.MIN_VALUE))
        .as("control, no floors")
        .containsExactly("a=1", "b=2");
    assertThat(run(windows(Duration.ZERO), kg -> kg == A ? 15 : Long.MIN_VALUE, 15))
        .containsExactly("late Pay[account=a, amount=1, ts=5]", "b=2");
  }

  @Test
  void withinTheAllowedLatenessAFloorPastTheWindowFiresItAtOnceAsALateFiring() {
    // floor 15: [0,10) has fired (9 <= 15) but is not cleaned up (9 + 10 > 15): a late firing now
    assertThat(run(windows(Duration.ofMillis(10)), kg -> kg == A ? 15 : Long.MIN_VALUE, 15))
        .containsExactly("a=1", "b=2");
    // floor 25: cleaned up (19 <= 25): late
    assertThat(run(windows(Duration.ofMillis(10)), kg -> kg == A ? 25 : Long.MIN_VALUE, 25))
        .containsExactly("late Pay[account=a, amount=1, ts=5]", "b=2");
  }

  @Test
  void aKeysTimersUpToItsFloorFireBeforeItsRecord() {
    // a@5 opens [0,10) (timer at 9) at watermark 0; then a floor of 9 for a's key group (the slot
    // that had it fired up to 9 and left the timer at 9 pending): a@7 (5 ms lateness) must see
    // [0,10) fire first, then fire it again late with both records, once each
    List<String> out = new ArrayList<>();
    JobGraph graph = windows(Duration.ofMillis(5));
    try (JobExecutor executor = collecting(graph, out)) {
      int exchange = exchange(graph);
      executor.injectWatermark(exchange, 0);
      executor.injectKeyed(exchange, "a", new Pay("a", 1, 5), 5);
      assertThat(out).as("staging: [0,10) pending").isEmpty();
      executor.floorWatermarks(kg -> kg == A ? 9 : Long.MIN_VALUE, 9);
      executor.injectKeyed(exchange, "b", new Pay("b", 2, 7), 7);
      assertThat(out).as("another key group's timers wait for the watermark").isEmpty();
      executor.injectKeyed(exchange, "a", new Pay("a", 4, 7), 7);
      assertThat(out).containsExactly("a=1", "a=5");
      executor.injectWatermark(exchange, 30);
    }
    assertThat(out).containsExactly("a=1", "a=5", "b=2");
  }

  @Test
  void aKeyedProcessFunctionReadsItsKeyGroupsFloorAsTheWatermark() {
    JobGraph graph =
        JobGraph.of(
            env -> payments(env).keyBy(Pay::account).process(new Echo()).uid("echo").sinkTo("out"));
    assertThat(run(graph, kg -> kg == A ? 15 : Long.MIN_VALUE, 15))
        .containsExactly("a wm=15", "b wm=0");
    // the operator's own watermark past every floor: the floors no longer matter
    assertThat(run(graph, kg -> -5, -5)).containsExactly("a wm=0", "b wm=0");
  }

  /**
   * Counts its key's records; the first registers an event-time timer at the record's timestamp,
   * which emits "key=count" and clears the count.
   */
  static final class CountUntilTimer extends KeyedProcessFunction<String, Pay, String> {
    private transient dev.tributary.state.ValueState<Long> count;

    @Override
    public void open(dev.tributary.functions.OpenContext context) {
      count =
          getRuntimeContext()
              .getState(new dev.tributary.state.ValueStateDescriptor<>("count", Long.class));
    }

    @Override
    public void processElement(Pay p, Context ctx, Collector<String> out) throws Exception {
      Long c = count.value();
      if (c == null) {
        ctx.timerService().registerEventTimeTimer(p.ts());
        c = 0L;
      }
      count.update(c + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
        throws Exception {
      out.collect(ctx.getCurrentKey() + "=" + count.value());
      count.clear();
    }
  }

  /**
   * review of ac6be47: the catch-up in KeyedNode.receiveKeyed fires every timer of the key up to
   * its floor, also one the operator registered itself after the floors were set (a timer behind
   * the watermark). At the watermark the floor stands for (the old slot's, or Flink's), such a
   * timer fires at the next watermark, after the key's next records; with the floor it fires before
   * the key's next record, and the output changes.
   */
  @Test
  void aTimerRegisteredBehindTheFloorFiresAsBehindTheWatermark() {
    JobGraph graph =
        JobGraph.of(
            env ->
                payments(env)
                    .keyBy(Pay::account)
                    .process(new CountUntilTimer())
                    .uid("counts")
                    .sinkTo("out"));
    // control: the operator's own watermark at 9; a@5 registers a timer at 5 (behind it), a@6 is
    // counted before it fires at the next watermark: a=2
    List<String> control = new ArrayList<>();
    try (JobExecutor executor = collecting(graph, control)) {
      int exchange = exchange(graph);
      executor.injectWatermark(exchange, 9);
      executor.injectKeyed(exchange, "a", new Pay("a", 1, 5), 5);
      executor.injectKeyed(exchange, "a", new Pay("a", 1, 6), 6);
      executor.injectWatermark(exchange, 30);
    }
    assertThat(control).as("staging: at watermark 9").containsExactly("a=2");
    // the same with the operator's watermark at 0 and a's key group's floor at 9
    List<String> out = new ArrayList<>();
    try (JobExecutor executor = collecting(graph, out)) {
      int exchange = exchange(graph);
      executor.injectWatermark(exchange, 0);
      executor.floorWatermarks(kg -> kg == A ? 9 : Long.MIN_VALUE, 9);
      executor.injectKeyed(exchange, "a", new Pay("a", 1, 5), 5);
      executor.injectKeyed(exchange, "a", new Pay("a", 1, 6), 6);
      executor.injectWatermark(exchange, 30);
    }
    assertThat(out).as("as at watermark 9").isEqualTo(control);
  }
}
