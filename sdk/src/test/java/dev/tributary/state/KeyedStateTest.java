package dev.tributary.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.JobProvider;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.functions.RichMapFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.UserFunctionException;
import dev.tributary.testkit.JobTestDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Keyed state semantics through a keyed process function in the test driver. */
class KeyedStateTest {
  record Cmd(String key, String op, long n) {}

  static final ValueStateDescriptor<Long> VALUE = new ValueStateDescriptor<>("value", Long.class);
  static final ListStateDescriptor<Long> LIST = new ListStateDescriptor<>("list", Long.class);
  static final MapStateDescriptor<String, Long> MAP =
      new MapStateDescriptor<>("map", String.class, Long.class);
  static final ReducingStateDescriptor<Long> SUM =
      new ReducingStateDescriptor<>("sum", Long::sum, Long.class);
  static final AggregatingStateDescriptor<Long, long[], Double> AVG =
      new AggregatingStateDescriptor<>("avg", new Average(), Serdes.json(long[].class));

  static final class Average
      implements dev.tributary.functions.AggregateFunction<Long, long[], Double> {
    @Override
    public long[] createAccumulator() {
      return new long[2];
    }

    @Override
    public long[] add(Long value, long[] acc) {
      return new long[] {acc[0] + value, acc[1] + 1};
    }

    @Override
    public Double getResult(long[] acc) {
      return (double) acc[0] / acc[1];
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  /** Applies commands to every kind of state and emits a snapshot of the key's state. */
  static final class StateMachine extends KeyedProcessFunction<String, Cmd, String> {
    private final StateTtlConfig ttl;
    private transient ValueState<Long> value;
    private transient ListState<Long> list;
    private transient MapState<String, Long> map;
    private transient ReducingState<Long> sum;
    private transient AggregatingState<Long, Double> avg;

    StateMachine(StateTtlConfig ttl) {
      this.ttl = ttl;
    }

    @Override
    public void open(OpenContext context) {
      value = getRuntimeContext().getState(ttl == null ? VALUE : VALUE.withTtl(ttl));
      list = getRuntimeContext().getListState(ttl == null ? LIST : LIST.withTtl(ttl));
      map = getRuntimeContext().getMapState(ttl == null ? MAP : MAP.withTtl(ttl));
      sum = getRuntimeContext().getReducingState(SUM);
      avg = getRuntimeContext().getAggregatingState(AVG);
    }

    @Override
    public void processElement(Cmd cmd, Context ctx, Collector<String> out) {
      switch (cmd.op()) {
        case "set" -> value.update(cmd.n());
        case "add" -> {
          list.add(cmd.n());
          map.put("k" + cmd.n(), cmd.n());
          sum.add(cmd.n());
          avg.add(cmd.n());
        }
        case "remove" -> map.remove("k" + cmd.n());
        case "replace" -> list.update(List.of(cmd.n()));
        case "clear" -> {
          value.clear();
          list.clear();
          map.clear();
          sum.clear();
          avg.clear();
        }
        case "read" -> {}
        default -> throw new IllegalArgumentException("bad op " + cmd.op());
      }
      List<Long> items = new ArrayList<>();
      list.get().forEach(items::add);
      List<String> keys = new ArrayList<>();
      map.keys().forEach(keys::add);
      keys.sort(null);
      out.collect(
          ctx.getCurrentKey()
              + " value="
              + value.value()
              + " list="
              + items
              + " map="
              + keys
              + " sum="
              + sum.get()
              + " avg="
              + avg.get()
              + " empty="
              + map.isEmpty());
    }
  }

  static JobProvider job(StateTtlConfig ttl) {
    return env ->
        env.kinesis("cmds", Serdes.json(Cmd.class))
            .keyBy(Cmd::key)
            .process(new StateMachine(ttl))
            .uid("sm")
            .sinkTo("out");
  }

  @Test
  void everyStateKindKeepsOneValuePerKey() {
    try (JobTestDriver d = JobTestDriver.of(job(null))) {
      d.pipe("cmds", new Cmd("a", "set", 7));
      d.pipe("cmds", new Cmd("a", "add", 2));
      d.pipe("cmds", new Cmd("a", "add", 4));
      d.pipe("cmds", new Cmd("b", "add", 10));
      d.pipe("cmds", new Cmd("a", "remove", 2));
      assertThat(d.readSink("out"))
          .containsExactly(
              "a value=7 list=[] map=[] sum=null avg=null empty=true",
              "a value=7 list=[2] map=[k2] sum=2 avg=2.0 empty=false",
              "a value=7 list=[2, 4] map=[k2, k4] sum=6 avg=3.0 empty=false",
              "b value=null list=[10] map=[k10] sum=10 avg=10.0 empty=false",
              "a value=7 list=[2, 4] map=[k4] sum=6 avg=3.0 empty=false");
      assertThat(d.valueState("sm", "a", VALUE)).isEqualTo(7L);
      assertThat(d.listState("sm", "a", LIST)).containsExactly(2L, 4L);
      assertThat(d.mapState("sm", "a", MAP)).isEqualTo(Map.of("k4", 4L));
      assertThat(d.state("sm", "b", SUM)).isEqualTo(10L);
      assertThat(d.keys("sm")).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void clearAndUpdateReplaceState() {
    try (JobTestDriver d = JobTestDriver.of(job(null))) {
      d.pipe("cmds", new Cmd("a", "add", 2));
      d.pipe("cmds", new Cmd("a", "replace", 9));
      d.pipe("cmds", new Cmd("a", "clear", 0));
      assertThat(d.readSink("out"))
          .containsExactly(
              "a value=null list=[2] map=[k2] sum=2 avg=2.0 empty=false",
              "a value=null list=[9] map=[k2] sum=2 avg=2.0 empty=false",
              "a value=null list=[] map=[] sum=null avg=null empty=true");
      assertThat(d.listState("sm", "a", LIST)).isEmpty();
    }
  }

  @Test
  void ttlOnWriteExpiresValuesAndIsNeverReturnedAfterwards() {
    try (JobTestDriver d = JobTestDriver.of(job(StateTtlConfig.ofWrite(Duration.ofSeconds(10))))) {
      d.pipe("cmds", new Cmd("a", "set", 1));
      d.pipe("cmds", new Cmd("a", "add", 5));
      d.advanceProcessingTimeBy(Duration.ofSeconds(6));
      d.pipe("cmds", new Cmd("a", "add", 6)); // written at 6 s: lives until 16 s
      d.advanceProcessingTimeBy(Duration.ofSeconds(3)); // 9 s: all alive
      d.pipe("cmds", new Cmd("a", "read", 0));
      d.advanceProcessingTimeBy(Duration.ofSeconds(1)); // 10 s: value and 5 expired
      d.pipe("cmds", new Cmd("a", "read", 0));
      assertThat(d.readSink("out"))
          .endsWith(
              "a value=1 list=[5, 6] map=[k5, k6] sum=11 avg=5.5 empty=false",
              "a value=null list=[6] map=[k6] sum=11 avg=5.5 empty=false");
      assertThat(
              d.valueState(
                  "sm", "a", VALUE.withTtl(StateTtlConfig.ofWrite(Duration.ofSeconds(10)))))
          .isNull();
      d.advanceProcessingTimeBy(Duration.ofSeconds(6)); // 16 s: everything with TTL expired
      d.pipe("cmds", new Cmd("a", "read", 0));
      assertThat(d.readSink("out"))
          .containsExactly("a value=null list=[] map=[] sum=11 avg=5.5 empty=true");
    }
  }

  @Test
  void ttlOnReadAndWriteIsRefreshedByReads() {
    StateTtlConfig ttl = StateTtlConfig.ofReadAndWrite(Duration.ofSeconds(10));
    try (JobTestDriver d = JobTestDriver.of(job(ttl))) {
      d.pipe("cmds", new Cmd("a", "set", 1));
      for (int i = 0; i < 5; i++) {
        d.advanceProcessingTimeBy(Duration.ofSeconds(8));
        d.pipe("cmds", new Cmd("a", "read", 0)); // each read keeps it alive
      }
      assertThat(d.readSink("out")).last().asString().startsWith("a value=1 ");
      d.advanceProcessingTimeBy(Duration.ofSeconds(10));
      d.pipe("cmds", new Cmd("a", "read", 0));
      assertThat(d.readSink("out")).last().asString().startsWith("a value=null ");
    }
  }

  @Test
  void keyedStateInANonKeyedFunctionFailsAtStartWithTheFix() {
    assertThatThrownBy(
            () ->
                JobTestDriver.of(
                    env ->
                        env.fromElements("in", 1)
                            .map(
                                new RichMapFunction<Integer, Integer>() {
                                  @Override
                                  public void open(OpenContext context) {
                                    getRuntimeContext().getState(VALUE);
                                  }

                                  @Override
                                  public Integer map(Integer value) {
                                    return value;
                                  }
                                })
                            .sinkTo("out")))
        .isInstanceOf(UserFunctionException.class)
        .hasMessageContaining("operator 'Map' failed in open()")
        .hasMessageContaining("asks for keyed state 'value' but its input is not keyed")
        .hasMessageContaining("keyBy(...)");
  }

  @Test
  void oneNameWithTwoKindsIsRefused() {
    BiConsumer<String, String> nothing = (a, b) -> {};
    assertThatThrownBy(
            () ->
                JobTestDriver.of(
                    env ->
                        env.fromElements("in", "x")
                            .keyBy(s -> s)
                            .process(
                                new KeyedProcessFunction<String, String, String>() {
                                  @Override
                                  public void open(OpenContext context) {
                                    getRuntimeContext().getState(VALUE);
                                    getRuntimeContext()
                                        .getListState(
                                            new ListStateDescriptor<>("value", Long.class));
                                  }

                                  @Override
                                  public void processElement(
                                      String value, Context ctx, Collector<String> out) {}
                                })
                            .uid("p")
                            .sinkTo("out")))
        .hasMessageContaining("state 'value'")
        .hasMessageContaining("give each state its own name");
  }

  @Test
  void descriptorsRefuseMissingSerdesAndBadNames() {
    assertThatThrownBy(
            () -> new ValueStateDescriptor<>("count", (dev.tributary.serde.Serde<Long>) null))
        .hasMessageContaining("ValueStateDescriptor 'count' has no serde")
        .hasMessageContaining("Long.class");
    assertThatThrownBy(() -> new MapStateDescriptor<>("m", null, Serdes.longs()))
        .hasMessageContaining("MapStateDescriptor 'm' has no key serde");
    assertThatThrownBy(() -> new ListStateDescriptor<>("", Long.class))
        .hasMessageContaining("name is ''");
    assertThatThrownBy(() -> StateTtlConfig.ofWrite(Duration.ZERO))
        .hasMessageContaining("positive");
  }

  @Test
  void stateIsReadAsOfTheCurrentKeyOnly() {
    try (JobTestDriver d = JobTestDriver.of(job(null))) {
      for (int i = 0; i < 100; i++) {
        d.pipe("cmds", new Cmd("k" + (i % 10), "add", i));
      }
      for (int k = 0; k < 10; k++) {
        long expected = 0;
        for (int i = k; i < 100; i += 10) {
          expected += i;
        }
        assertThat(d.state("sm", "k" + k, SUM)).isEqualTo(expected);
      }
    }
  }
}
