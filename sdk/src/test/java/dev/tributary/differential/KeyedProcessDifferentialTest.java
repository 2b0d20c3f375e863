package dev.tributary.differential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ListState;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import dev.tributary.testkit.JobTestDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/**
 * Keyed process functions with value, list and map state and event-time timers, on Tributary and on
 * Flink, over random out-of-order input: outputs and their timestamps must be equal.
 */
class KeyedProcessDifferentialTest {

  static final class TributaryFn
      extends dev.tributary.functions.KeyedProcessFunction<String, Ev, String> {
    private transient ValueState<Long> sum;
    private transient ListState<Long> values;
    private transient MapState<Long, Long> buckets;

    @Override
    public void open(dev.tributary.functions.OpenContext context) {
      sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Long.class));
      values = getRuntimeContext().getListState(new ListStateDescriptor<>("values", Long.class));
      buckets =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("buckets", Long.class, Long.class));
    }

    @Override
    public void processElement(Ev e, Context ctx, dev.tributary.functions.Collector<String> out) {
      long s = (sum.value() == null ? 0 : sum.value()) + e.value();
      sum.update(s);
      values.add(e.value());
      long bucket = e.value() % 3;
      Long count = buckets.get(bucket);
      buckets.put(bucket, count == null ? 1 : count + 1);
      ctx.timerService().registerEventTimeTimer(e.ts() + (e.value() % 4) * 5);
      if (e.value() % 7 == 0) {
        ctx.timerService().deleteEventTimeTimer(e.ts() + 5);
      }
      if (e.value() % 5 == 0) {
        out.collect(describe("element " + e + " wm=" + ctx.timerService().currentWatermark()));
      }
    }

    @Override
    public void onTimer(
        long ts, OnTimerContext ctx, dev.tributary.functions.Collector<String> out) {
      out.collect(describe("timer " + ctx.getCurrentKey() + "@" + ts));
      if (sum.value() != null && sum.value() > 150) {
        sum.clear();
        values.clear();
        buckets.clear();
      }
    }

    private String describe(String what) {
      List<Long> v = new ArrayList<>();
      values.get().forEach(v::add);
      Map<Long, Long> b = new java.util.TreeMap<>();
      buckets.entries().forEach(en -> b.put(en.getKey(), en.getValue()));
      return what + " sum=" + sum.value() + " values=" + v + " buckets=" + b;
    }
  }

  static final class FlinkFn
      extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, Ev, String> {
    private transient org.apache.flink.api.common.state.ValueState<Long> sum;
    private transient org.apache.flink.api.common.state.ListState<Long> values;
    private transient org.apache.flink.api.common.state.MapState<Long, Long> buckets;

    @Override
    public void open(OpenContext context) {
      sum =
          getRuntimeContext()
              .getState(
                  new org.apache.flink.api.common.state.ValueStateDescriptor<>("sum", Types.LONG));
      values =
          getRuntimeContext()
              .getListState(
                  new org.apache.flink.api.common.state.ListStateDescriptor<>(
                      "values", Types.LONG));
      buckets =
          getRuntimeContext()
              .getMapState(
                  new org.apache.flink.api.common.state.MapStateDescriptor<>(
                      "buckets", Types.LONG, Types.LONG));
    }

    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) throws Exception {
      long s = (sum.value() == null ? 0 : sum.value()) + e.value();
      sum.update(s);
      values.add(e.value());
      long bucket = e.value() % 3;
      Long count = buckets.get(bucket);
      buckets.put(bucket, count == null ? 1 : count + 1);
      ctx.timerService().registerEventTimeTimer(e.ts() + (e.value() % 4) * 5);
      if (e.value() % 7 == 0) {
        ctx.timerService().deleteEventTimeTimer(e.ts() + 5);
      }
      if (e.value() % 5 == 0) {
        out.collect(describe("element " + e + " wm=" + ctx.timerService().currentWatermark()));
      }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<String> out) throws Exception {
      out.collect(describe("timer " + ctx.getCurrentKey() + "@" + ts));
      if (sum.value() != null && sum.value() > 150) {
        sum.clear();
        values.clear();
        buckets.clear();
      }
    }

    private String describe(String what) throws Exception {
      List<Long> v = new ArrayList<>();
      Iterable<Long> all = values.get();
      if (all != null) {
        all.forEach(v::add);
      }
      Map<Long, Long> b = new java.util.TreeMap<>();
      for (Map.Entry<Long, Long> en : buckets.entries()) {
        b.put(en.getKey(), en.getValue());
      }
      return what + " sum=" + sum.value() + " values=" + v + " buckets=" + b;
    }
  }

  @Property(tries = 40, shrinking = ShrinkingMode.BOUNDED)
  void sameOutputsAsFlink(@ForAll("events") List<Ev> events) {
    long bound = 10;
    List<String> tributary = new ArrayList<>();
    try (JobTestDriver driver =
        JobTestDriver.of(
            env ->
                env.kinesis("in", Serdes.json(Ev.class))
                    .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(bound))
                            .withTimestampAssigner((e, t) -> e.ts()))
                    .keyBy(Ev::key)
                    .process(new TributaryFn())
                    .uid("p")
                    .sinkTo("out"))) {
      events.forEach(e -> driver.pipe("in", e));
      driver.endOfInput();
      driver
          .sinkRecords("out")
          .forEach(r -> tributary.add(FlinkHarness.format(r.value(), r.timestamp())));
    }
    Map<String, List<String>> flink =
        FlinkHarness.run(
            (env, out) ->
                out.collect(
                    "out",
                    env.fromData(events)
                        .assignTimestampsAndWatermarks(
                            FlinkHarness.<Ev>perEventBoundedOutOfOrderness(bound)
                                .withTimestampAssigner((e, t) -> e.ts()))
                        .keyBy(Ev::key)
                        .process(new FlinkFn())));
    assertThat(tributary).containsExactlyInAnyOrderElementsOf(flink.get("out"));
  }

  @Provide
  Arbitrary<List<Ev>> events() {
    return Combinators.combine(
            Arbitraries.of("a", "b", "c"),
            Arbitraries.integers().between(-20, 15),
            Arbitraries.longs().between(1, 40))
        .as((k, d, v) -> new Object[] {k, d, v})
        .list()
        .ofMinSize(1)
        .ofMaxSize(50)
        .map(
            steps -> {
              List<Ev> out = new ArrayList<>();
              long ts = 1_000;
              for (Object[] s : steps) {
                ts = Math.max(0, ts + (Integer) s[1]);
                out.add(new Ev((String) s[0], ts, (Long) s[2]));
              }
              return out;
            });
  }
}
