package dev.tributary.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.differential.FlinkHarness;
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
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class SessionizationTest {
  private static final Duration GAP = Duration.ofMillis(100);
  private static final Duration BOUND = Duration.ofMillis(20);
  private static final Duration LATENESS = Duration.ofMillis(50);

  private static JobTestDriver driver() {
    return JobTestDriver.of(new Sessionization(GAP, BOUND, LATENESS));
  }

  @Test
  void activityWithinTheGapFormsOneSession() {
    try (JobTestDriver driver = driver()) {
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "view", 1_000));
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "view", 1_050));
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "buy", 1_120));
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "view", 1_400)); // closes the session
      assertThat(driver.sink(Sessionization.SINK))
          .containsExactly(new Session("ann", 1_000, 1_220, 3, 1));
    }
  }

  @Test
  void lateActivityWithinTheLatenessUpdatesTheSessionAndLaterActivityIsSetAside() {
    try (JobTestDriver driver = driver()) {
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "view", 1_000));
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "view", 1_130)); // watermark 1109
      assertThat(driver.sink(Sessionization.SINK))
          .containsExactly(new Session("ann", 1_000, 1_100, 1, 0));
      assertThat(driver.readSink(Sessionization.SINK)).hasSize(1);
      // late, but within the lateness: merges [1000,1100) and [1130,1230) into one session
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "buy", 1_050));
      assertThat(driver.readSink(Sessionization.SINK)).isEmpty(); // fires when 1229 passes
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "view", 2_000)); // watermark 1979
      assertThat(driver.readSink(Sessionization.SINK))
          .containsExactly(new Session("ann", 1_000, 1_230, 3, 1));
      driver.pipe(Sessionization.SOURCE, new Activity("ann", "buy", 1_010)); // beyond lateness
      assertThat(driver.sink(Sessionization.LATE_SINK))
          .containsExactly(new Activity("ann", "buy", 1_010));
      assertThat(driver.sideOutput(Sessionization.LATE))
          .containsExactly(new Activity("ann", "buy", 1_010));
    }
  }

  @Property(tries = 25)
  void sameSessionsAsFlink(@ForAll("activity") List<Activity> activity) {
    Map<String, List<String>> tributary = new java.util.TreeMap<>();
    try (JobTestDriver driver = driver()) {
      for (Activity a : activity) {
        driver.pipe(Sessionization.SOURCE, a);
      }
      driver.endOfInput();
      for (String sink : List.of(Sessionization.SINK, Sessionization.LATE_SINK)) {
        List<String> out = new ArrayList<>();
        driver
            .sinkRecords(sink)
            .forEach(r -> out.add(FlinkHarness.format(r.value(), r.timestamp())));
        tributary.put(sink, out);
      }
    }
    OutputTag<Activity> late = new OutputTag<>("late", TypeInformation.of(Activity.class));
    Map<String, List<String>> flink =
        FlinkHarness.run(
            (env, out) -> {
              SingleOutputStreamOperator<Session> sessions =
                  env.fromData(activity)
                      .assignTimestampsAndWatermarks(
                          FlinkHarness.<Activity>perEventBoundedOutOfOrderness(BOUND.toMillis())
                              .withTimestampAssigner((a, t) -> a.timestamp()))
                      .keyBy(Activity::userId)
                      .window(EventTimeSessionWindows.withGap(GAP))
                      .allowedLateness(LATENESS)
                      .sideOutputLateData(late)
                      .aggregate(new FlinkSummarize(), new FlinkToSession());
              out.collect(Sessionization.SINK, sessions);
              out.collect(Sessionization.LATE_SINK, sessions.getSideOutput(late));
            });
    for (String sink : flink.keySet()) {
      assertThat(tributary.get(sink)).as(sink).containsExactlyInAnyOrderElementsOf(flink.get(sink));
    }
  }

  @Provide
  Arbitrary<List<Activity>> activity() {
    return Combinators.combine(
            Arbitraries.of("ann", "bob", "cy"),
            Arbitraries.of("view", "view", "buy"),
            Arbitraries.integers().between(-90, 70))
        .as((user, action, delta) -> new Object[] {user, action, delta})
        .list()
        .ofMinSize(1)
        .ofMaxSize(60)
        .map(
            steps -> {
              List<Activity> out = new ArrayList<>();
              long t = 10_000;
              for (Object[] s : steps) {
                t = Math.max(0, t + (Integer) s[2]);
                out.add(new Activity((String) s[0], (String) s[1], t));
              }
              return out;
            });
  }

  /** Flink port of {@link Sessionization.Summarize}. */
  static final class FlinkSummarize implements AggregateFunction<Activity, long[], long[]> {
    @Override
    public long[] createAccumulator() {
      return new long[2];
    }

    @Override
    public long[] add(Activity value, long[] acc) {
      return new long[] {acc[0] + 1, acc[1] + ("buy".equals(value.action()) ? 1 : 0)};
    }

    @Override
    public long[] getResult(long[] acc) {
      return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  /** Flink port of {@link Sessionization.ToSession}. */
  static final class FlinkToSession
      extends ProcessWindowFunction<long[], Session, String, TimeWindow> {
    @Override
    public void process(String user, Context ctx, Iterable<long[]> counts, Collector<Session> out) {
      long[] c = counts.iterator().next();
      out.collect(new Session(user, ctx.window().getStart(), ctx.window().getEnd(), c[0], c[1]));
    }
  }
}
