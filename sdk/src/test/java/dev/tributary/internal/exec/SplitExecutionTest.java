package dev.tributary.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobGraph;
import dev.tributary.differential.Ev;
import dev.tributary.differential.TributaryWindowJobs;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.ManualClock;
import dev.tributary.spi.OutputCollector;
import dev.tributary.windowing.EventTimeSessionWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The split the Lambda runtime will use: one executor runs the stateless prefix and captures what
 * crosses each keyBy; another runs the keyed stage from those records and watermarks. The result
 * must equal running the whole graph in one executor.
 */
class SplitExecutionTest {
  sealed interface Crossing permits KeyedRecord, Watermark {}

  record KeyedRecord(int exchange, Object key, Object value, long ts) implements Crossing {}

  record Watermark(int exchange, long watermark) implements Crossing {}

  static JobGraph graph() {
    return JobGraph.of(
        env ->
            env.kinesis("in", Serdes.json(Ev.class))
                .filter(e -> e.value() != 13)
                .assignTimestampsAndWatermarks(
                    WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(5))
                        .withTimestampAssigner((e, t) -> e.ts()))
                .keyBy(Ev::key)
                .window(EventTimeSessionWindows.withGap(Duration.ofMillis(10)))
                .aggregate(new TributaryWindowJobs.CountSum())
                .uid("sessions")
                .sinkTo("out"));
  }

  static List<Ev> input() {
    List<Ev> events = new ArrayList<>();
    long ts = 100;
    for (int i = 0; i < 300; i++) {
      ts += (i * 7919) % 23 - 9;
      events.add(new Ev("k" + (i % 7), Math.max(0, ts), i % 17));
    }
    return events;
  }

  static OutputCollector collect(List<String> out) {
    return (sink, value, ts) -> out.add(sink + ":" + value + "@" + ts);
  }

  @Test
  void prefixThenKeyedStageEqualsTheWholeGraph() {
    List<String> whole = new ArrayList<>();
    try (JobExecutor executor =
        new JobExecutor(graph(), new InMemoryStateBackend(), new ManualClock(0), collect(whole))) {
      for (Ev e : input()) {
        executor.process("in", e, Long.MIN_VALUE);
        executor.endBatch();
      }
      executor.endOfInput();
    }

    List<Crossing> crossings = new ArrayList<>();
    List<String> prefixOut = new ArrayList<>();
    try (JobExecutor coordinator =
        new JobExecutor(
            graph(), new InMemoryStateBackend(), new ManualClock(0), collect(prefixOut))) {
      coordinator.setExchangeListener(
          new ExchangeListener() {
            @Override
            public void onKeyedRecord(int exchange, Object key, Object value, long ts) {
              crossings.add(new KeyedRecord(exchange, key, value, ts));
            }

            @Override
            public void onWatermark(int exchange, long watermark) {
              crossings.add(new Watermark(exchange, watermark));
            }
          });
      for (Ev e : input()) {
        coordinator.process("in", e, Long.MIN_VALUE);
        coordinator.endBatch();
      }
      coordinator.endOfInput();
    }
    assertThat(prefixOut).isEmpty();
    assertThat(crossings)
        .filteredOn(c -> c instanceof KeyedRecord)
        .hasSizeLessThan(300)
        .isNotEmpty();

    List<String> split = new ArrayList<>();
    try (JobExecutor operator =
        new JobExecutor(graph(), new InMemoryStateBackend(), new ManualClock(0), collect(split))) {
      for (Crossing c : crossings) {
        if (c instanceof KeyedRecord r) {
          operator.injectKeyed(r.exchange(), r.key(), r.value(), r.ts());
        } else if (c instanceof Watermark w) {
          operator.injectWatermark(w.exchange(), w.watermark());
        }
      }
    }
    assertThat(split).isNotEmpty().containsExactlyElementsOf(whole);
  }
}
