package dev.tributary.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataStream;
import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.testkit.JobTestDriver;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WatermarksTest {
  record Ev(String key, long ts) {}

  /** Emits the watermark seen with each element. */
  static final class WatermarkProbe extends KeyedProcessFunction<String, Ev, Long> {
    @Override
    public void processElement(Ev value, Context ctx, Collector<Long> out) {
      out.collect(ctx.timerService().currentWatermark());
    }
  }

  private static DataStream<Ev> source(
      StreamEnvironment env, String name, WatermarkStrategy<Ev> s) {
    return env.kinesis(name, Serdes.json(Ev.class))
        .assignTimestampsAndWatermarks(s.withTimestampAssigner((e, t) -> e.ts()));
  }

  private static JobProvider probe(WatermarkStrategy<Ev> strategy) {
    return env ->
        source(env, "in", strategy)
            .keyBy(Ev::key)
            .process(new WatermarkProbe())
            .uid("p")
            .sinkTo("out");
  }

  @Test
  void boundedOutOfOrdernessTrailsTheMaximumByTheBoundMinusOne() {
    try (JobTestDriver d =
        JobTestDriver.of(
            probe(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(10))))) {
      d.pipe("in", new Ev("a", 100));
      d.pipe("in", new Ev("a", 50)); // out of order: the watermark holds
      d.pipe("in", new Ev("a", 120));
      d.pipe("in", new Ev("a", 0));
      assertThat(d.sink("out")).containsExactly(Long.MIN_VALUE, 89L, 89L, 109L);
    }
  }

  @Test
  void monotonousTimestampsTrailByOneMillisecond() {
    try (JobTestDriver d = JobTestDriver.of(probe(WatermarkStrategy.forMonotonousTimestamps()))) {
      d.pipe("in", new Ev("a", 100));
      d.pipe("in", new Ev("a", 200));
      assertThat(d.sink("out")).containsExactly(Long.MIN_VALUE, 99L);
    }
  }

  @Test
  void aWholeBatchAdvancesTheWatermarkOnlyAtItsEnd() {
    try (JobTestDriver d = JobTestDriver.of(probe(WatermarkStrategy.forMonotonousTimestamps()))) {
      d.pipeAll("in", java.util.List.of(new Ev("a", 100), new Ev("a", 200), new Ev("a", 300)));
      d.pipe("in", new Ev("a", 400));
      assertThat(d.sink("out"))
          .containsExactly(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, 299L);
    }
  }

  @Test
  void aUnionHoldsItsWatermarkAtTheSlowestInput() {
    JobProvider job =
        env ->
            source(env, "fast", WatermarkStrategy.forMonotonousTimestamps())
                .union(source(env, "slow", WatermarkStrategy.forMonotonousTimestamps()))
                .keyBy(Ev::key)
                .process(new WatermarkProbe())
                .uid("p")
                .sinkTo("out");
    try (JobTestDriver d = JobTestDriver.of(job)) {
      d.pipe("fast", new Ev("a", 1_000));
      d.pipe("slow", new Ev("a", 10));
      d.pipe("fast", new Ev("a", 2_000));
      d.pipe("slow", new Ev("a", 500));
      d.pipe("fast", new Ev("a", 3_000));
      assertThat(d.sink("out")).containsExactly(Long.MIN_VALUE, Long.MIN_VALUE, 9L, 9L, 499L);
    }
  }

  @Test
  void anIdleInputStopsHoldingBackTheUnionAndRejoinsWhenActive() {
    JobProvider job =
        env ->
            source(env, "busy", WatermarkStrategy.forMonotonousTimestamps())
                .union(
                    source(
                        env,
                        "quiet",
                        WatermarkStrategy.<Ev>forMonotonousTimestamps()
                            .withIdleness(Duration.ofSeconds(30))))
                .keyBy(Ev::key)
                .process(new WatermarkProbe())
                .uid("p")
                .sinkTo("out");
    try (JobTestDriver d = JobTestDriver.of(job)) {
      d.pipe("quiet", new Ev("a", 100)); // quiet: watermark 99
      d.pipe("busy", new Ev("a", 5_000)); // union: min(99, 4999) = 99
      d.advanceProcessingTimeBy(Duration.ofSeconds(31)); // quiet goes idle
      d.pipe("busy", new Ev("a", 6_000)); // the union follows busy alone: 4999
      d.pipe("busy", new Ev("a", 7_000));
      d.pipe("quiet", new Ev("a", 200)); // active again, but behind: it does not count yet
      d.pipe("busy", new Ev("a", 8_000));
      d.pipe("quiet", new Ev("a", 9_000)); // caught up: counts again
      d.pipe("busy", new Ev("a", 10_000));
      d.pipe("busy", new Ev("a", 11_000));
      assertThat(d.sink("out"))
          .containsExactly(
              Long.MIN_VALUE,
              Long.MIN_VALUE,
              4_999L, // quiet is idle: busy alone
              5_999L,
              6_999L,
              6_999L, // quiet is back at 199: not aligned, busy alone moves on
              7_999L,
              7_999L, // quiet caught up (8999): min(8999, 9999) after the next batch
              8_999L);
    }
  }

  @Test
  void noWatermarksNeverAdvanceUntilTheEndOfInput() {
    try (JobTestDriver d = JobTestDriver.of(probe(WatermarkStrategy.noWatermarks()))) {
      d.pipe("in", new Ev("a", 100));
      d.pipe("in", new Ev("a", 200));
      assertThat(d.sink("out")).containsExactly(Long.MIN_VALUE, Long.MIN_VALUE);
      d.endOfInput();
      assertThat(d.currentWatermark()).isEqualTo(Long.MAX_VALUE);
    }
  }

  @Test
  void theDriverCanForceTheWatermark() {
    try (JobTestDriver d = JobTestDriver.of(probe(WatermarkStrategy.forMonotonousTimestamps()))) {
      d.advanceWatermarkTo(1_000);
      d.pipe("in", new Ev("a", 10)); // a lower generated watermark does not move it back
      assertThat(d.sink("out")).containsExactly(1_000L);
    }
  }

  @Test
  void customGeneratorsAndSourceTimestamps() {
    WatermarkStrategy<Ev> punctuated =
        WatermarkStrategy.forGenerator(
            ctx ->
                new WatermarkGenerator<>() {
                  @Override
                  public void onEvent(Ev event, long ts, WatermarkOutput output) {
                    if (event.key().equals("tick")) {
                      output.emitWatermark(ts);
                    }
                  }

                  @Override
                  public void onPeriodicEmit(WatermarkOutput output) {}
                });
    JobProvider job =
        env ->
            env.kinesis("in", Serdes.json(Ev.class))
                .assignTimestampsAndWatermarks(punctuated) // keeps the source's record timestamps
                .keyBy(Ev::key)
                .process(new WatermarkProbe())
                .uid("p")
                .sinkTo("out");
    try (JobTestDriver d = JobTestDriver.of(job)) {
      d.pipe("in", new Ev("x", 0), 500);
      d.pipe("in", new Ev("tick", 0), 700);
      d.pipe("in", new Ev("x", 0), 800);
      assertThat(d.sink("out")).containsExactly(Long.MIN_VALUE, Long.MIN_VALUE, 700L);
      assertThat(d.sinkRecords("out").get(2).timestamp()).isEqualTo(800L);
    }
  }
}
