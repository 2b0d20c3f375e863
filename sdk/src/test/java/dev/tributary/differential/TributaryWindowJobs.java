package dev.tributary.differential;

import dev.tributary.DataStream;
import dev.tributary.OutputTag;
import dev.tributary.WindowedStream;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.Collector;
import dev.tributary.functions.ProcessWindowFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.testkit.JobTestDriver;
import dev.tributary.testkit.TestRecord;
import dev.tributary.windowing.EventTimeSessionWindows;
import dev.tributary.windowing.SlidingEventTimeWindows;
import dev.tributary.windowing.TimeWindow;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The Tributary side of the window differential tests. */
public final class TributaryWindowJobs {
  private TributaryWindowJobs() {}

  static final OutputTag<Ev> LATE = new OutputTag<>("late", Ev.class);

  /** Count and sum, the accumulator of the aggregate variants. */
  public static final class CountSum implements AggregateFunction<Ev, long[], String> {
    @Override
    public long[] createAccumulator() {
      return new long[2];
    }

    @Override
    public long[] add(Ev value, long[] acc) {
      return new long[] {acc[0] + 1, acc[1] + value.value()};
    }

    @Override
    public String getResult(long[] acc) {
      return acc[0] + ":" + acc[1];
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  /** Runs a case with the watermark advancing after every element; returns outputs by name. */
  public static Map<String, List<String>> run(WindowCase c) {
    Map<String, List<String>> out = new TreeMap<>();
    try (JobTestDriver driver =
        JobTestDriver.of(
            env -> {
              DataStream<Ev> in =
                  env.kinesis("in", Serdes.json(Ev.class))
                      .assignTimestampsAndWatermarks(
                          WatermarkStrategy.<Ev>forBoundedOutOfOrderness(
                                  Duration.ofMillis(c.bound()))
                              .withTimestampAssigner((e, t) -> e.ts()));
              WindowedStream<Ev, String, TimeWindow> windowed =
                  in.keyBy(Ev::key)
                      .window(
                          switch (c.kind()) {
                            case TUMBLING ->
                                TumblingEventTimeWindows.of(Duration.ofMillis(c.size()));
                            case SLIDING ->
                                SlidingEventTimeWindows.of(
                                    Duration.ofMillis(c.size()), Duration.ofMillis(c.slide()));
                            case SESSION ->
                                EventTimeSessionWindows.withGap(Duration.ofMillis(c.gap()));
                          })
                      .allowedLateness(Duration.ofMillis(c.lateness()));
              if (c.lateOutput()) {
                windowed.sideOutputLateData(LATE);
              }
              DataStream<?> result =
                  switch (c.function()) {
                    case REDUCE ->
                        windowed.reduce(
                            (a, b) ->
                                new Ev(a.key(), Math.min(a.ts(), b.ts()), a.value() + b.value()));
                    case AGGREGATE -> windowed.aggregate(new CountSum());
                    case PROCESS ->
                        windowed.process(
                            new ProcessWindowFunction<Ev, String, String, TimeWindow>() {
                              @Override
                              public void process(
                                  String key,
                                  Context ctx,
                                  Iterable<Ev> elements,
                                  Collector<String> o) {
                                List<Long> values = new ArrayList<>();
                                elements.forEach(e -> values.add(e.value()));
                                values.sort(null);
                                o.collect(
                                    key
                                        + "["
                                        + ctx.window().start()
                                        + ","
                                        + ctx.window().end()
                                        + ") "
                                        + values);
                              }
                            });
                    case AGGREGATE_PROCESS ->
                        windowed.aggregate(
                            new CountSum(),
                            new ProcessWindowFunction<String, String, String, TimeWindow>() {
                              @Override
                              public void process(
                                  String key,
                                  Context ctx,
                                  Iterable<String> elements,
                                  Collector<String> o) {
                                o.collect(
                                    key
                                        + "["
                                        + ctx.window().start()
                                        + ","
                                        + ctx.window().end()
                                        + ") "
                                        + elements.iterator().next());
                              }
                            });
                    case REDUCE_PROCESS ->
                        windowed.reduce(
                            (a, b) ->
                                new Ev(a.key(), Math.min(a.ts(), b.ts()), a.value() + b.value()),
                            new ProcessWindowFunction<Ev, String, String, TimeWindow>() {
                              @Override
                              public void process(
                                  String key,
                                  Context ctx,
                                  Iterable<Ev> elements,
                                  Collector<String> o) {
                                o.collect(
                                    key
                                        + "["
                                        + ctx.window().start()
                                        + ","
                                        + ctx.window().end()
                                        + ") sum="
                                        + elements.iterator().next().value());
                              }
                            });
                  };
              ((DataStream<Object>) result).uid("windows").sinkTo("main");
              if (c.lateOutput()) {
                ((DataStream<Object>) result).getSideOutput(LATE).sinkTo("late");
              }
            })) {
      for (Ev e : c.events()) {
        driver.pipe("in", e);
      }
      driver.endOfInput();
      out.put("main", format(driver.sinkRecords("main")));
      if (c.lateOutput()) {
        out.put("late", format(driver.sinkRecords("late")));
      }
    }
    return out;
  }

  static List<String> format(List<TestRecord<Object>> records) {
    List<String> out = new ArrayList<>();
    for (TestRecord<Object> r : records) {
      out.add(FlinkHarness.format(r.value(), r.timestamp()));
    }
    return out;
  }
}
