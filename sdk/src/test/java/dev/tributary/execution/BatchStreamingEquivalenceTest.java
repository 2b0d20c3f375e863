package dev.tributary.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.ManualClock;
import dev.tributary.testkit.JobTestDriver;
import dev.tributary.windowing.EventTimeSessionWindows;
import dev.tributary.windowing.SlidingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Batch mode (the runner over bounded input) and streaming mode (records piped one by one) give the
 * same results: exactly, when the watermark advances at the same points, and for any batch size
 * when no element is later than the bound.
 */
class BatchStreamingEquivalenceTest {
  record Ev(String key, long ts, long v) {}

  static final OutputTag<Ev> LATE = new OutputTag<>("late", Ev.class);

  static JobProvider job(long bound) {
    return env -> {
      var windows =
          env.kinesis("in", Serdes.json(Ev.class))
              .assignTimestampsAndWatermarks(
                  WatermarkStrategy.<Ev>forBoundedOutOfOrderness(Duration.ofMillis(bound))
                      .withTimestampAssigner((e, t) -> e.ts()))
              .keyBy(Ev::key);
      windows
          .window(SlidingEventTimeWindows.of(Duration.ofMillis(20), Duration.ofMillis(5)))
          .sideOutputLateData(LATE)
          .reduce((a, b) -> new Ev(a.key(), Math.min(a.ts(), b.ts()), a.v() + b.v()))
          .uid("sliding")
          .sinkTo("sliding");
      windows
          .window(EventTimeSessionWindows.withGap(Duration.ofMillis(7)))
          .reduce((a, b) -> new Ev(a.key(), Math.min(a.ts(), b.ts()), a.v() + b.v()))
          .uid("sessions")
          .sinkTo("sessions");
    };
  }

  static List<String> streaming(List<Ev> events, long bound) {
    List<String> out = new ArrayList<>();
    try (JobTestDriver d = JobTestDriver.of(job(bound))) {
      events.forEach(e -> d.pipe("in", e));
      d.endOfInput();
      d.sinkRecords("sliding").forEach(r -> out.add("sliding " + r));
      d.sinkRecords("sessions").forEach(r -> out.add("sessions " + r));
    }
    return out;
  }

  static List<String> batch(List<Ev> events, long bound, int batchSize) {
    List<String> out = new ArrayList<>();
    InMemoryRunner.forJob(job(bound))
        .bind("in", events)
        .batchSize(batchSize)
        .clock(new ManualClock(0))
        .onSink(
            "sliding", (v, t) -> out.add("sliding " + new dev.tributary.testkit.TestRecord<>(v, t)))
        .onSink(
            "sessions",
            (v, t) -> out.add("sessions " + new dev.tributary.testkit.TestRecord<>(v, t)))
        .run();
    return out;
  }

  @Property(tries = 100)
  void batchOfOneEqualsStreamingForAnyInput(@ForAll("events") List<Ev> events) {
    assertThat(batch(events, 10, 1)).containsExactlyInAnyOrderElementsOf(streaming(events, 10));
  }

  @Property(tries = 100)
  void anyBatchSizeEqualsStreamingWhenNothingIsLate(
      @ForAll("events") List<Ev> events, @ForAll @IntRange(min = 1, max = 50) int batchSize) {
    long bound = 1_000; // larger than any disorder the generator makes: nothing is late
    assertThat(batch(events, bound, batchSize))
        .containsExactlyInAnyOrderElementsOf(streaming(events, bound));
  }

  @Provide
  Arbitrary<List<Ev>> events() {
    return Combinators.combine(
            Arbitraries.of("a", "b", "c"),
            Arbitraries.integers().between(-15, 10),
            Arbitraries.longs().between(1, 9))
        .as((k, d, v) -> new long[] {k.charAt(0), d, v})
        .list()
        .ofMaxSize(60)
        .map(
            steps -> {
              List<Ev> out = new ArrayList<>();
              long ts = 500;
              for (long[] s : steps) {
                ts = Math.max(0, ts + s[1]);
                out.add(new Ev(String.valueOf((char) s[0]), ts, s[2]));
              }
              return out;
            });
  }
}
