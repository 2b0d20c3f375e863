package dev.tributary.benchmarks;

import dev.tributary.JobProvider;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import java.time.Duration;

/** The benchmark jobs on Tributary. */
final class TributaryJobs {
  private TributaryJobs() {}

  /** (a) stateless map then filter. */
  static JobProvider mapFilter() {
    return env ->
        env.kinesis("clicks", Serdes.json(Click.class))
            .map(c -> c.page().length() + c.timestamp())
            .filter(v -> (v & 1) == 0)
            .sinkTo("out");
  }

  /** (b), (c) the click-window-sums example: 1 s tumbling windows. */
  static JobProvider windowSums() {
    return new ClickWindowSums(Duration.ofSeconds(1), Duration.ofMillis(500));
  }

  /** (d) a running count per key in {@link ValueState}. */
  static JobProvider runningCount() {
    return env ->
        env.kinesis("clicks", Serdes.json(Click.class))
            .keyBy(Click::userId)
            .process(new RunningCount())
            .uid("count")
            .sinkTo("out");
  }

  static final class RunningCount extends KeyedProcessFunction<String, Click, Long> {
    private static final ValueStateDescriptor<Long> COUNT =
        new ValueStateDescriptor<>("count", Long.class);
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(COUNT);
    }

    @Override
    public void processElement(Click value, Context ctx, Collector<Long> out) {
      Long current = count.value();
      long next = current == null ? 1 : current + 1;
      count.update(next);
      out.collect(next);
    }
  }

  static WatermarkStrategy<Click> watermarks() {
    return WatermarkStrategy.<Click>forBoundedOutOfOrderness(Duration.ofMillis(500))
        .withTimestampAssigner((c, t) -> c.timestamp());
  }
}
