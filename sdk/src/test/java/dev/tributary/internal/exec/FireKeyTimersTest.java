package dev.tributary.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobGraph;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JobExecutor#fireKeyTimers}: one key's event-time timers fire up to a watermark before the
 * watermark gets there, as its advance would fire them, and no other key's; the advance later fires
 * the rest and not these again.
 */
class FireKeyTimersTest {
  /** An event of {@code key} at {@code ts}. */
  public record Ev(String key, long ts) {}

  /**
   * Per event a timer 5 later; a firing tells the key, the time and the watermark it reads, and the
   * timer at 6 registers one at 7.
   */
  static final class Timers extends KeyedProcessFunction<String, Ev, String> {
    @Override
    public void processElement(Ev e, Context ctx, Collector<String> out) {
      out.collect(e.key() + " record@" + e.ts() + " wm=" + ctx.timerService().currentWatermark());
      ctx.timerService().registerEventTimeTimer(e.ts() + 5);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      out.collect(
          ctx.getCurrentKey()
              + " timer@"
              + timestamp
              + " wm="
              + ctx.timerService().currentWatermark());
      if (timestamp == 6) {
        ctx.timerService().registerEventTimeTimer(7);
      }
    }
  }

  private static final JobGraph GRAPH =
      JobGraph.of(
          env ->
              env.kinesis("in", Serdes.json(Ev.class))
                  .assignTimestampsAndWatermarks(
                      WatermarkStrategy.<Ev>forMonotonousTimestamps()
                          .withTimestampAssigner((e, t) -> e.ts()))
                  .keyBy(Ev::key)
                  .process(new Timers())
                  .uid("timers")
                  .sinkTo("out"));

  @Test
  void oneKeysTimersFireUpToTheWatermarkAndTheAdvanceFiresTheRestOnce() {
    List<String> out = new ArrayList<>();
    try (JobExecutor executor =
        new JobExecutor(
            GRAPH,
            new InMemoryStateBackend(),
            new ManualClock(0),
            (sink, value, ts) -> out.add(String.valueOf(value)))) {
      int exchange =
          GRAPH.nodes().stream()
              .filter(n -> n.spec() instanceof KeyBySpec)
              .findFirst()
              .orElseThrow()
              .id();
      executor.injectWatermark(exchange, 0);
      executor.injectKeyed(exchange, "a", new Ev("a", 1), 1);
      executor.injectKeyed(exchange, "b", new Ev("b", 2), 2);
      executor.injectKeyed(exchange, "a", new Ev("a", 3), 3);
      assertThat(executor.fireKeyTimers(exchange, "a", 10)).isTrue();
      executor.injectKeyed(exchange, "b", new Ev("b", 4), 4);
      executor.injectWatermark(exchange, 10);
      executor.injectWatermark(exchange, 20);
    }
    assertThat(out)
        .containsExactly(
            "a record@1 wm=0",
            "b record@2 wm=0",
            "a record@3 wm=0",
            // a's timers in time order, the one a firing registered at 7 included, reading 10
            "a timer@6 wm=10",
            "a timer@7 wm=10",
            "a timer@8 wm=10",
            // b's next record still reads the operator's watermark
            "b record@4 wm=0",
            // the advance fires b's and not a's again
            "b timer@7 wm=10",
            "b timer@9 wm=10");
  }
}
