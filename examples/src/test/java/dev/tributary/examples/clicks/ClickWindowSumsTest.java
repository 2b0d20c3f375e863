package dev.tributary.examples.clicks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobGraph;
import dev.tributary.differential.FlinkHarness;
import dev.tributary.graph.SinkSpec;
import dev.tributary.testkit.JobTestDriver;
import dev.tributary.testkit.TestRecord;
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
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class ClickWindowSumsTest {
  private static final org.apache.flink.util.OutputTag<Click> FLINK_LATE =
      new org.apache.flink.util.OutputTag<>(
          "late", org.apache.flink.api.common.typeinfo.TypeInformation.of(Click.class));

  @Test
  void countsClicksPerUserAndWindowWhenTheWatermarkPassesTheWindow() {
    try (JobTestDriver driver = JobTestDriver.of(new ClickWindowSums())) {
      driver.pipe(ClickWindowSums.SOURCE, new Click("ann", "/a", 100));
      driver.pipe(ClickWindowSums.SOURCE, new Click("bob", "/a", 200));
      driver.pipe(ClickWindowSums.SOURCE, new Click("ann", "/b", 900));
      driver.pipe(ClickWindowSums.SOURCE, new Click("ann", "/b", 1_400));
      assertThat(driver.sink(ClickWindowSums.SINK)).isEmpty(); // watermark 899 < 999
      driver.pipe(ClickWindowSums.SOURCE, new Click("bob", "/c", 1_500)); // watermark 999
      assertThat(driver.sinkRecords(ClickWindowSums.SINK))
          .containsExactlyInAnyOrder(
              new TestRecord<>(new ClickTotal("ann", 0, 1_000, 2), 999L),
              new TestRecord<>(new ClickTotal("bob", 0, 1_000, 1), 999L));
      driver.endOfInput();
      assertThat(driver.sink(ClickWindowSums.SINK))
          .contains(new ClickTotal("ann", 1_000, 2_000, 1), new ClickTotal("bob", 1_000, 2_000, 1))
          .hasSize(4);
    }
  }

  @Test
  void setsAsideClicksLaterThanTheOutOfOrderness() {
    try (JobTestDriver driver = JobTestDriver.of(new ClickWindowSums())) {
      pipeAClickAfterItsWindowFired(driver);
      assertThat(driver.sink(ClickWindowSums.LATE_SINK))
          .containsExactly(new Click("ann", "/a", 999));
      assertThat(driver.lateRecordsDropped()).isZero();
    }
  }

  @Test
  void withoutTheLateSinkDropsClicksLaterThanTheOutOfOrderness() {
    ClickWindowSums dropping =
        new ClickWindowSums(Duration.ofSeconds(1), Duration.ofMillis(500), false);
    assertThat(JobGraph.of(dropping).sinks())
        .extracting(n -> ((SinkSpec) n.spec()).sinkName())
        .containsExactly(ClickWindowSums.SINK);
    try (JobTestDriver driver = JobTestDriver.of(dropping)) {
      pipeAClickAfterItsWindowFired(driver);
      assertThat(driver.lateRecordsDropped()).isEqualTo(1);
    }
  }

  /** Two windows of one click each, and a click for the first after it fired. */
  private static void pipeAClickAfterItsWindowFired(JobTestDriver driver) {
    driver.pipe(ClickWindowSums.SOURCE, new Click("ann", "/a", 100));
    driver.pipe(ClickWindowSums.SOURCE, new Click("ann", "/a", 1_600)); // watermark 1099
    driver.pipe(ClickWindowSums.SOURCE, new Click("ann", "/a", 999)); // window [0,1000) closed
    driver.endOfInput();
    assertThat(driver.sink(ClickWindowSums.SINK))
        .containsExactlyInAnyOrder(
            new ClickTotal("ann", 0, 1_000, 1), new ClickTotal("ann", 1_000, 2_000, 1));
  }

  @Test
  void readsJsonPayloadsWithTheSourceSerde() {
    try (JobTestDriver driver = JobTestDriver.of(new ClickWindowSums())) {
      driver.pipeBytes(
          ClickWindowSums.SOURCE,
          "{\"userId\":\"ann\",\"page\":\"/a\",\"timestamp\":5}".getBytes());
      driver.endOfInput();
      assertThat(driver.sink(ClickWindowSums.SINK))
          .containsExactly(new ClickTotal("ann", 0, 1_000, 1));
    }
  }

  @Test
  void graphSplitsIntoAStatelessPrefixAndOneKeyedStage() {
    JobGraph graph = JobGraph.of(new ClickWindowSums());
    assertThat(graph.keyedStageCount()).isEqualTo(1);
    assertThat(graph.statelessPrefix())
        .extracting(n -> n.spec().kind())
        .containsExactly("source", "timestamps/watermarks");
    assertThat(graph.describe())
        .contains("uid=click-totals")
        .contains("tumblingEventTime(1s)")
        .contains("key=String");
  }

  @Property(tries = 25)
  void sameResultsAsFlink(@ForAll("clicks") List<Click> clicks) {
    Duration window = Duration.ofMillis(100);
    Duration bound = Duration.ofMillis(30);
    List<String> tributary = new ArrayList<>();
    List<String> late = new ArrayList<>();
    try (JobTestDriver driver = JobTestDriver.of(new ClickWindowSums(window, bound))) {
      for (Click c : clicks) {
        driver.pipe(ClickWindowSums.SOURCE, c);
      }
      driver.endOfInput();
      driver
          .sinkRecords(ClickWindowSums.SINK)
          .forEach(r -> tributary.add(FlinkHarness.format(r.value(), r.timestamp())));
      driver
          .sinkRecords(ClickWindowSums.LATE_SINK)
          .forEach(r -> late.add(FlinkHarness.format(r.value(), r.timestamp())));
    }
    Map<String, List<String>> flink =
        FlinkHarness.run(
            (env, out) -> {
              var totals =
                  env.fromData(clicks)
                      .assignTimestampsAndWatermarks(
                          FlinkHarness.<Click>perEventBoundedOutOfOrderness(bound.toMillis())
                              .withTimestampAssigner((c, t) -> c.timestamp()))
                      .keyBy(Click::userId)
                      .window(TumblingEventTimeWindows.of(window))
                      .sideOutputLateData(FLINK_LATE)
                      .aggregate(new FlinkCount(), new FlinkWithWindow());
              out.collect("totals", totals);
              out.collect("late", totals.getSideOutput(FLINK_LATE));
            });
    assertThat(tributary).containsExactlyInAnyOrderElementsOf(flink.get("totals"));
    assertThat(late).containsExactlyInAnyOrderElementsOf(flink.getOrDefault("late", List.of()));
  }

  @Provide
  Arbitrary<List<Click>> clicks() {
    return Combinators.combine(
            Arbitraries.of("ann", "bob", "cy", "dee"), Arbitraries.integers().between(-50, 30))
        .as((user, delta) -> new Object[] {user, delta})
        .list()
        .ofMinSize(1)
        .ofMaxSize(60)
        .map(
            steps -> {
              List<Click> out = new ArrayList<>();
              long t = 10_000;
              for (Object[] s : steps) {
                t = Math.max(0, t + (Integer) s[1]);
                out.add(new Click((String) s[0], "/p", t));
              }
              return out;
            });
  }

  /** Flink port of {@link ClickWindowSums.CountClicks}. */
  static final class FlinkCount implements AggregateFunction<Click, Long, Long> {
    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(Click value, Long acc) {
      return acc + 1;
    }

    @Override
    public Long getResult(Long acc) {
      return acc;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Flink port of {@link ClickWindowSums.WithWindow}. */
  static final class FlinkWithWindow
      extends ProcessWindowFunction<Long, ClickTotal, String, TimeWindow> {
    @Override
    public void process(
        String user, Context ctx, Iterable<Long> counts, Collector<ClickTotal> out) {
      out.collect(
          new ClickTotal(
              user, ctx.window().getStart(), ctx.window().getEnd(), counts.iterator().next()));
    }
  }
}
