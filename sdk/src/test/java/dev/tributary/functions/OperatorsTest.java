package dev.tributary.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.DataStream;
import dev.tributary.OutputTag;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.UserFunctionException;
import dev.tributary.testkit.JobTestDriver;
import dev.tributary.testkit.TestRecord;
import dev.tributary.windowing.ProcessingTimeSessionWindows;
import dev.tributary.windowing.SlidingProcessingTimeWindows;
import dev.tributary.windowing.TimeWindow;
import dev.tributary.windowing.TumblingProcessingTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stateless operators, side outputs, rolling aggregations and processing-time windows. */
class OperatorsTest {
  static final OutputTag<String> ODD = new OutputTag<>("odd", String.class);

  @Test
  void mapFilterFlatMapAndUnionKeepTimestamps() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env -> {
              DataStream<String> words =
                  env.kinesis("lines", Serdes.string())
                      .flatMap(
                          (String line, Collector<String> out) -> {
                            for (String w : line.split(" ")) {
                              out.collect(w);
                            }
                          })
                      .filter(w -> !w.isEmpty())
                      .map(String::toUpperCase);
              words.union(env.kafka("more", Serdes.string())).sinkTo("out");
            })) {
      d.pipe("lines", "a bb  c", 100);
      d.pipe("more", "X", 200);
      assertThat(d.sinkRecords("out"))
          .containsExactly(
              new TestRecord<>("A", 100L),
              new TestRecord<>("BB", 100L),
              new TestRecord<>("C", 100L),
              new TestRecord<>("X", 200L));
    }
  }

  @Test
  void processFunctionsEmitToSideOutputsReadableAsStreams() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env -> {
              DataStream<Integer> evens =
                  env.kinesis("in", Serdes.integers())
                      .process(
                          new ProcessFunction<Integer, Integer>() {
                            @Override
                            public void processElement(
                                Integer value, Context ctx, Collector<Integer> out) {
                              if (value % 2 == 0) {
                                out.collect(value);
                              } else {
                                ctx.output(ODD, "odd:" + value + "@" + ctx.timestamp());
                              }
                            }
                          });
              evens.sinkTo("evens");
              evens.getSideOutput(ODD).map(s -> s + "!").sinkTo("odds");
            })) {
      d.pipeAll("in", List.of(1, 2, 3, 4));
      d.pipe("in", 5, 42);
      assertThat(d.sink("evens")).containsExactly(2, 4);
      assertThat(d.sink("odds")).containsExactly("odd:1@null!", "odd:3@null!", "odd:5@42!");
      assertThat(d.sideOutput(ODD)).containsExactly("odd:1@null", "odd:3@null", "odd:5@42");
    }
  }

  @Test
  void rollingReduceAndAggregateEmitTheRunningResultPerKey() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env -> {
              DataStream<String> in = env.kinesis("in", Serdes.string());
              in.keyBy(s -> s.substring(0, 1))
                  .reduce((a, b) -> a + b)
                  .uid("concat")
                  .sinkTo("reduced");
              in.keyBy(s -> s.substring(0, 1))
                  .aggregate(
                      new AggregateFunction<String, Integer, String>() {
                        @Override
                        public Integer createAccumulator() {
                          return 0;
                        }

                        @Override
                        public Integer add(String value, Integer acc) {
                          return acc + value.length();
                        }

                        @Override
                        public String getResult(Integer acc) {
                          return "len=" + acc;
                        }

                        @Override
                        public Integer merge(Integer a, Integer b) {
                          return a + b;
                        }
                      },
                      Serdes.integers())
                  .uid("lengths")
                  .sinkTo("aggregated");
            })) {
      for (String s : List.of("a1", "b22", "a333", "b4")) {
        d.pipe("in", s);
      }
      assertThat(d.sink("reduced")).containsExactly("a1", "b22", "a1a333", "b22b4");
      assertThat(d.sink("aggregated")).containsExactly("len=2", "len=3", "len=6", "len=5");
    }
  }

  @Test
  void userExceptionsNameTheOperatorAndTheElement() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env ->
                env.kinesis("in", Serdes.string())
                    .map(
                        s -> {
                          if (s.equals("boom")) {
                            throw new IllegalStateException("cannot handle it");
                          }
                          return s;
                        })
                    .name("parse")
                    .sinkTo("out"))) {
      assertThatThrownBy(() -> d.pipe("in", "boom"))
          .isInstanceOf(UserFunctionException.class)
          .hasMessageContaining("operator 'parse' failed on element boom")
          .hasRootCauseMessage("cannot handle it");
      assertThatCode(() -> d.pipeBytes("in", new byte[0])).doesNotThrowAnyException();
    }
  }

  @Test
  void nullsAreRefusedWithTheOperatorsName() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env -> env.kinesis("in", Serdes.string()).map(s -> (String) null).sinkTo("out"))) {
      assertThatThrownBy(() -> d.pipe("in", "x"))
          .isInstanceOf(UserFunctionException.class)
          .hasMessageContaining("'Map'")
          .hasMessageContaining("emitted null");
    }
  }

  @Test
  void unknownSourcesAndSinksAreNamedWithTheAlternatives() {
    try (JobTestDriver d =
        JobTestDriver.of(env -> env.kinesis("in", Serdes.string()).sinkTo("out"))) {
      assertThatThrownBy(() -> d.pipe("nope", "x"))
          .hasMessageContaining("has no source named 'nope'; its sources are [in]");
      assertThatThrownBy(() -> d.sink("nope"))
          .hasMessageContaining("has no sink named 'nope'; its sinks are [out]");
      assertThatThrownBy(() -> d.keys("nope"))
          .hasMessageContaining("no stateful operator with uid 'nope'");
    }
  }

  private static String windowed(String key, Context<TimeWindow> ctx, Iterable<String> elements) {
    List<String> all = new ArrayList<>();
    elements.forEach(all::add);
    return key + "[" + ctx.window().start() + "," + ctx.window().end() + ")" + all;
  }

  interface Context<W> {
    W window();
  }

  static final class ListAll extends ProcessWindowFunction<String, String, String, TimeWindow> {
    @Override
    public void process(String key, Context ctx, Iterable<String> elements, Collector<String> out) {
      out.collect(windowed(key, ctx::window, elements));
    }
  }

  @Test
  void processingTimeWindowsFireWhenTheClockPassesTheirEnd() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env ->
                env.kinesis("in", Serdes.string())
                    .keyBy(s -> "k")
                    .window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(10)))
                    .process(new ListAll())
                    .uid("w")
                    .sinkTo("out"),
            1_000)) {
      d.pipe("in", "a");
      d.advanceProcessingTimeTo(5_000);
      d.pipe("in", "b");
      d.advanceProcessingTimeTo(9_998);
      assertThat(d.sink("out")).isEmpty();
      d.advanceProcessingTimeTo(9_999); // the window's max timestamp
      assertThat(d.sink("out")).hasSize(1);
      d.advanceProcessingTimeTo(10_000);
      d.pipe("in", "c");
      d.advanceProcessingTimeTo(20_000);
      assertThat(d.sinkRecords("out"))
          .containsExactly(
              new TestRecord<>("k[0,10000)[a, b]", 9_999L),
              new TestRecord<>("k[10000,20000)[c]", 19_999L));
    }
  }

  @Test
  void slidingAndSessionProcessingTimeWindows() {
    try (JobTestDriver d =
        JobTestDriver.of(
            env -> {
              DataStream<String> in = env.kinesis("in", Serdes.string());
              in.keyBy(s -> "k")
                  .window(
                      SlidingProcessingTimeWindows.of(
                          Duration.ofSeconds(10), Duration.ofSeconds(5)))
                  .process(new ListAll())
                  .uid("sliding")
                  .sinkTo("sliding");
              in.keyBy(s -> "k")
                  .window(ProcessingTimeSessionWindows.withGap(Duration.ofSeconds(3)))
                  .process(new ListAll())
                  .uid("sessions")
                  .sinkTo("sessions");
            },
            0)) {
      d.pipe("in", "a"); // t=0
      d.advanceProcessingTimeTo(2_000);
      d.pipe("in", "b"); // t=2s: same session
      d.advanceProcessingTimeTo(6_000);
      d.pipe("in", "c"); // t=6s: the session [0,5000) closed at 5s
      d.advanceProcessingTimeTo(30_000);
      assertThat(d.sink("sliding"))
          .containsExactly("k[-5000,5000)[a, b]", "k[0,10000)[a, b, c]", "k[5000,15000)[c]");
      assertThat(d.sink("sessions")).containsExactly("k[0,5000)[a, b]", "k[6000,9000)[c]");
    }
  }

  @Test
  void windowFunctionsHaveWindowAndGlobalState() {
    dev.tributary.state.ValueStateDescriptor<Integer> firings =
        new dev.tributary.state.ValueStateDescriptor<>("firings", Integer.class);
    try (JobTestDriver d =
        JobTestDriver.of(
            env ->
                env.kinesis("in", Serdes.json(long[].class))
                    .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<long[]>forMonotonousTimestamps()
                            .withTimestampAssigner((e, t) -> e[0]))
                    .keyBy(e -> "k")
                    .window(
                        dev.tributary.windowing.TumblingEventTimeWindows.of(Duration.ofMillis(10)))
                    .allowedLateness(Duration.ofMillis(100))
                    .process(
                        new ProcessWindowFunction<long[], String, String, TimeWindow>() {
                          @Override
                          public void process(
                              String key,
                              Context ctx,
                              Iterable<long[]> elements,
                              Collector<String> out) {
                            var perWindow = ctx.windowState().getState(firings);
                            var total = ctx.globalState().getState(firings);
                            int w = perWindow.value() == null ? 1 : perWindow.value() + 1;
                            int g = total.value() == null ? 1 : total.value() + 1;
                            perWindow.update(w);
                            total.update(g);
                            out.collect(ctx.window().start() + ":" + w + "/" + g);
                          }

                          @Override
                          public void clear(Context ctx) {
                            ctx.windowState().getState(firings).clear();
                          }
                        })
                    .uid("w")
                    .sinkTo("out"))) {
      d.pipe("in", new long[] {1});
      d.pipe("in", new long[] {15}); // fires [0,10)
      d.pipe("in", new long[] {5}); // late within lateness: fires [0,10) again
      d.pipe("in", new long[] {25}); // fires [10,20)
      assertThat(d.sink("out")).containsExactly("0:1/1", "0:2/2", "10:1/3");
      assertThat(d.valueState("w", "k", firings)).isEqualTo(3);
    }
  }
}
