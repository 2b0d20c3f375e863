package dev.tributary.examples.clicks;

import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
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
 * attaches the window's bounds. A click that comes after its window fired (the watermark passed the
 * window's end and the out-of-orderness) is not dropped: it goes to the late-data side output and
 * is committed to {@link #LATE_SINK}, so every click is counted once, in a total or there.
 */
public final class ClickWindowSums implements JobProvider {
  /** The logical source name. */
  public static final String SOURCE = "clicks";

  /** The logical sink name. */
  public static final String SINK = "click-totals";

  /** The windows' length unless given: one second. */
  public static final Duration WINDOW = Duration.ofSeconds(1);

  /** The logical sink of the clicks that came after their window had fired. */
  public static final String LATE_SINK = "late-clicks";

  /** The late-data side output of the window operator. */
  public static final OutputTag<Click> LATE = new OutputTag<>(LATE_SINK, Click.class);

  /** The uid of the window operator. */
  public static final String UID = "click-totals";

  private final Duration window;
  private final Duration outOfOrderness;
  private final boolean setLateClicksAside;

  /** One-second windows, half a second of allowed out-of-orderness. */
  public ClickWindowSums() {
    this(WINDOW, Duration.ofMillis(500));
  }

  /** Windows of {@code window}, allowing {@code outOfOrderness}; late clicks set aside. */
  public ClickWindowSums(Duration window, Duration outOfOrderness) {
    this(window, outOfOrderness, true);
  }

  /**
   * Windows of {@code window}, allowing {@code outOfOrderness}.
   *
   * @param setLateClicksAside false to drop late clicks instead, as a window without a late-data
   *     side output does (Flink's default; they count in the {@code LateRecordsDropped} metric)
   */
  public ClickWindowSums(Duration window, Duration outOfOrderness, boolean setLateClicksAside) {
    this.window = window;
    this.outOfOrderness = outOfOrderness;
    this.setLateClicksAside = setLateClicksAside;
  }

  @Override
  public void build(StreamEnvironment env) {
    var windowed =
        env.jobName("click-window-sums")
            .kinesis(SOURCE, Serdes.json(Click.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Click>forBoundedOutOfOrderness(outOfOrderness)
                    .withTimestampAssigner((click, recordTime) -> click.timestamp()))
            .keyBy(Click::userId)
            .window(TumblingEventTimeWindows.of(window));
    if (setLateClicksAside) {
      windowed = windowed.sideOutputLateData(LATE);
    }
    var totals = windowed.aggregate(new CountClicks(), Serdes.longs(), new WithWindow()).uid(UID);
    totals.sinkTo(SINK, Serdes.json(ClickTotal.class));
    if (setLateClicksAside) {
      totals.getSideOutput(LATE).sinkTo(LATE_SINK, Serdes.json(Click.class));
    }
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
