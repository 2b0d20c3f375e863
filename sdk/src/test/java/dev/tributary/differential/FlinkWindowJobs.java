package dev.tributary.differential;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** The Flink side of the window differential tests: the same logical jobs on Flink's API. */
public final class FlinkWindowJobs {
  private FlinkWindowJobs() {}

  static final OutputTag<Ev> LATE = new OutputTag<>("late", TypeInformation.of(Ev.class));

  static final class SumReduce implements ReduceFunction<Ev> {
    @Override
    public Ev reduce(Ev a, Ev b) {
      return new Ev(a.key(), Math.min(a.ts(), b.ts()), a.value() + b.value());
    }
  }

  static final class CountSum implements AggregateFunction<Ev, Tuple2<Long, Long>, String> {
    @Override
    public Tuple2<Long, Long> createAccumulator() {
      return Tuple2.of(0L, 0L);
    }

    @Override
    public Tuple2<Long, Long> add(Ev value, Tuple2<Long, Long> acc) {
      return Tuple2.of(acc.f0 + 1, acc.f1 + value.value());
    }

    @Override
    public String getResult(Tuple2<Long, Long> acc) {
      return acc.f0 + ":" + acc.f1;
    }

    @Override
    public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
      return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
    }
  }

  static final class AllValues extends ProcessWindowFunction<Ev, String, String, TimeWindow> {
    @Override
    public void process(String key, Context ctx, Iterable<Ev> elements, Collector<String> out) {
      List<Long> values = new ArrayList<>();
      elements.forEach(e -> values.add(e.value()));
      values.sort(null);
      out.collect(
          key + "[" + ctx.window().getStart() + "," + ctx.window().getEnd() + ") " + values);
    }
  }

  static final class WithWindow extends ProcessWindowFunction<String, String, String, TimeWindow> {
    @Override
    public void process(String key, Context ctx, Iterable<String> elements, Collector<String> out) {
      out.collect(
          key
              + "["
              + ctx.window().getStart()
              + ","
              + ctx.window().getEnd()
              + ") "
              + elements.iterator().next());
    }
  }

  static final class SumWithWindow extends ProcessWindowFunction<Ev, String, String, TimeWindow> {
    @Override
    public void process(String key, Context ctx, Iterable<Ev> elements, Collector<String> out) {
      out.collect(
          key
              + "["
              + ctx.window().getStart()
              + ","
              + ctx.window().getEnd()
              + ") sum="
              + elements.iterator().next().value());
    }
  }

  /** Runs a case on Flink; returns outputs by name. */
  public static Map<String, List<String>> run(WindowCase c) {
    return FlinkHarness.run(
        (env, outputs) -> {
          DataStream<Ev> in =
              env.fromData(c.events())
                  .assignTimestampsAndWatermarks(
                      FlinkHarness.<Ev>perEventBoundedOutOfOrderness(c.bound())
                          .withTimestampAssigner((e, t) -> e.ts()));
          WindowedStream<Ev, String, TimeWindow> windowed =
              in.keyBy(Ev::key)
                  .window(
                      switch (c.kind()) {
                        case TUMBLING -> TumblingEventTimeWindows.of(Duration.ofMillis(c.size()));
                        case SLIDING ->
                            SlidingEventTimeWindows.of(
                                Duration.ofMillis(c.size()), Duration.ofMillis(c.slide()));
                        case SESSION -> EventTimeSessionWindows.withGap(Duration.ofMillis(c.gap()));
                      })
                  .allowedLateness(Duration.ofMillis(c.lateness()));
          if (c.lateOutput()) {
            windowed = windowed.sideOutputLateData(LATE);
          }
          SingleOutputStreamOperator<?> result =
              switch (c.function()) {
                case REDUCE -> windowed.reduce(new SumReduce());
                case AGGREGATE -> windowed.aggregate(new CountSum());
                case PROCESS -> windowed.process(new AllValues());
                case AGGREGATE_PROCESS -> windowed.aggregate(new CountSum(), new WithWindow());
                case REDUCE_PROCESS -> windowed.reduce(new SumReduce(), new SumWithWindow());
              };
          outputs.collect("main", result);
          if (c.lateOutput()) {
            outputs.collect("late", result.getSideOutput(LATE));
          }
        });
  }
}
