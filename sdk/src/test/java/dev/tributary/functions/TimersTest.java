package dev.tributary.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.JobProvider;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.UserFunctionException;
import dev.tributary.testkit.JobTestDriver;
import dev.tributary.testkit.TestRecord;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimersTest {
  record Ev(String key, long ts, String cmd, long at) {}

  /** Registers or deletes timers as told; reports firings with their domain and timestamp. */
  static final class TimerMachine extends KeyedProcessFunction<String, Ev, String> {
    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) {
      TimerService timers = ctx.timerService();
      switch (e.cmd()) {
        case "event" -> timers.registerEventTimeTimer(e.at());
        case "proc" -> timers.registerProcessingTimeTimer(e.at());
        case "del-event" -> timers.deleteEventTimeTimer(e.at());
        case "del-proc" -> timers.deleteProcessingTimeTimer(e.at());
        default ->
            out.collect(
                "echo " + e.key() + " ts=" + ctx.timestamp() + " wm=" + timers.currentWatermark());
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      out.collect(
          ctx.timeDomain()
              + " "
              + ctx.getCurrentKey()
              + "@"
              + timestamp
              + " ctx.ts="
              + ctx.timestamp());
    }
  }

  static JobProvider job() {
    return env ->
        env.kinesis("in", Serdes.json(Ev.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ZERO)
                    .withTimestampAssigner((e, t) -> e.ts()))
            .keyBy(Ev::key)
            .process(new TimerMachine())
            .uid("timers")
            .sinkTo("out");
  }

  @Test
  void eventTimeTimersFireInOrderWhenTheWatermarkPassesThemAndOnlyOnce() {
    try (JobTestDriver d = JobTestDriver.of(job())) {
      d.pipe("in", new Ev("a", 1, "event", 30));
      d.pipe("in", new Ev("b", 2, "event", 20));
      d.pipe("in", new Ev("a", 3, "event", 30)); // duplicate: one timer
      d.pipe("in", new Ev("a", 4, "event", 25));
      assertThat(d.pendingTimers("timers")).isEqualTo(3);
      d.pipe("in", new Ev("c", 26, "noop", 0)); // watermark 25
      assertThat(d.sinkRecords("out"))
          .containsExactly(
              new TestRecord<>("echo c ts=26 wm=3", 26L),
              new TestRecord<>("EVENT_TIME b@20 ctx.ts=20", 20L),
              new TestRecord<>("EVENT_TIME a@25 ctx.ts=25", 25L));
      d.endOfInput();
      assertThat(d.sink("out")).last().isEqualTo("EVENT_TIME a@30 ctx.ts=30");
      assertThat(d.pendingTimers("timers")).isZero();
    }
  }

  @Test
  void deletedTimersDoNotFire() {
    try (JobTestDriver d = JobTestDriver.of(job())) {
      d.pipe("in", new Ev("a", 1, "event", 10));
      d.pipe("in", new Ev("a", 2, "proc", 100));
      d.pipe("in", new Ev("a", 3, "del-event", 10));
      d.pipe("in", new Ev("a", 4, "del-proc", 100));
      d.pipe("in", new Ev("b", 5, "del-event", 99)); // deleting a missing timer is a no-op
      d.advanceProcessingTimeTo(1_000);
      d.endOfInput();
      assertThat(d.sink("out")).isEmpty();
    }
  }

  @Test
  void processingTimeTimersFireWhenTheClockPassesThemAndEmitWithoutTimestamp() {
    try (JobTestDriver d = JobTestDriver.of(job(), 1_000)) {
      d.pipe("in", new Ev("a", 1, "proc", 1_500));
      d.pipe("in", new Ev("b", 2, "proc", 1_200));
      d.advanceProcessingTimeTo(1_199);
      assertThat(d.sink("out")).isEmpty();
      d.advanceProcessingTimeTo(1_500);
      assertThat(d.sinkRecords("out"))
          .containsExactly(
              new TestRecord<>("PROCESSING_TIME b@1200 ctx.ts=1200", null),
              new TestRecord<>("PROCESSING_TIME a@1500 ctx.ts=1500", null));
    }
  }

  @Test
  void timersOnANonKeyedStreamAreRefusedWithTheFix() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env ->
                env.fromElements("in", 1)
                    .process(
                        new ProcessFunction<Integer, Integer>() {
                          @Override
                          public void processElement(
                              Integer value, Context ctx, Collector<Integer> out) {
                            ctx.timerService().registerEventTimeTimer(5);
                          }
                        })
                    .sinkTo("out"))) {
      assertThatThrownBy(() -> d.pipe("in", 1))
          .isInstanceOf(UserFunctionException.class)
          .hasMessageContaining("timers belong to a key: keyBy(...) the stream");
    }
  }
}
