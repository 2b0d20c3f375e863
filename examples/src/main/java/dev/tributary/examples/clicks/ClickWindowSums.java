package dev.tributary.examples.clicks;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.Collector;
import dev.tributary.functions.ProcessWindowFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.TimeWindow;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.time.Duration;

/**
 * Example 1 and the benchmark job: clicks per user in tumbling event-time windows. The click count
 * is pre-aggregated per window (one long of state per user and window), then the window function
 * attaches the window's bounds.
 */
public final class ClickWindowSums implements JobProvider {
  /** The logical source name. */
  public static final String SOURCE = "clicks";

  /** The logical sink name. */
  public static final String SINK = "click-totals";

  /** The uid of the window operator. */
  public static final String UID = "click-totals";

  private final Duration window;
  private final Duration outOfOrderness;

  /** One-second windows, half a second of allowed out-of-orderness. */
  public ClickWindowSums() {
    this(Duration.ofSeconds(1), Duration.ofMillis(500));
  }

  /** Windows of {@code window}, allowing {@code outOfOrderness}. */
  public ClickWindowSums(Duration window, Duration outOfOrderness) {
    this.window = window;
    this.outOfOrderness = outOfOrderness;
  }

  @Override
  public void build(StreamEnvironment env) {
    env.jobName("click-window-sums")
        .kinesis(SOURCE, Serdes.json(Click.class))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Click>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((click, recordTime) -> click.timestamp()))
        .keyBy(Click::userId)
        .window(TumblingEventTimeWindows.of(window))
        .aggregate(new CountClicks(), Serdes.longs(), new WithWindow())
        .uid(UID)
        .sinkTo(SINK, Serdes.json(ClickTotal.class));
  }

  /** Counts clicks; the accumulator is the count. */
  public static final class CountClicks implements AggregateFunction<Click, Long, Long> {
    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(Click value, Long accumulator) {
      return accumulator + 1;
    }

    @Override
    public Long getResult(Long accumulator) {
      return accumulator;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Attaches the user and the window to the count. */
  public static final class WithWindow
      extends ProcessWindowFunction<Long, ClickTotal, String, TimeWindow> {
    @Override
    public void process(
        String userId, Context context, Iterable<Long> counts, Collector<ClickTotal> out) {
      TimeWindow w = context.window();
      out.collect(new ClickTotal(userId, w.start(), w.end(), counts.iterator().next()));
    }
  }
}
