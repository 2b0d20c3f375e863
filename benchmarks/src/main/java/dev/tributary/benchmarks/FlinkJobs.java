package dev.tributary.benchmarks;

import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickTotal;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** The same benchmark jobs on Flink's DataStream API. */
final class FlinkJobs {
  private FlinkJobs() {}

  static DataStream<Click> source(StreamExecutionEnvironment env, Workload workload, long events) {
    return env.fromSequence(0, events - 1).map(workload::click).returns(Click.class);
  }

  static void mapFilter(StreamExecutionEnvironment env, Workload workload, long events) {
    source(env, workload, events)
        .map(c -> c.page().length() + c.timestamp())
        .returns(Types.LONG)
        .filter(v -> (v & 1) == 0)
        .sinkTo(new CountingSink<>());
  }

  static void windowSums(StreamExecutionEnvironment env, Workload workload, long events) {
    source(env, workload, events)
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Click>forBoundedOutOfOrderness(Duration.ofMillis(500))
                .withTimestampAssigner((c, t) -> c.timestamp()))
        .keyBy(Click::userId)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
        .aggregate(new Count(), new WithWindow())
        .sinkTo(new CountingSink<>());
  }

  static void runningCount(StreamExecutionEnvironment env, Workload workload, long events) {
    source(env, workload, events)
        .keyBy(Click::userId)
        .process(new RunningCount())
        .sinkTo(new CountingSink<>());
  }

  static final class Count implements AggregateFunction<Click, Long, Long> {
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

  static final class WithWindow
      extends ProcessWindowFunction<Long, ClickTotal, String, TimeWindow> {
    @Override
    public void process(
        String user, Context ctx, Iterable<Long> counts, Collector<ClickTotal> out) {
      out.collect(
          new ClickTotal(
              user, ctx.window().getStart(), ctx.window().getEnd(), counts.iterator().next()));
    }
  }

  static final class RunningCount extends KeyedProcessFunction<String, Click, Long> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    }

    @Override
    public void processElement(Click value, Context ctx, Collector<Long> out) throws Exception {
      Long current = count.value();
      long next = current == null ? 1 : current + 1;
      count.update(next);
      out.collect(next);
    }
  }
}
