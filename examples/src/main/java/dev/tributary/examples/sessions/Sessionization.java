package dev.tributary.examples.sessions;

import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.Collector;
import dev.tributary.functions.ProcessWindowFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.EventTimeSessionWindows;
import dev.tributary.windowing.TimeWindow;
import java.time.Duration;

/**
 * Example 3: sessions of user activity in event time. A session closes after {@code gap} without
 * activity; late activity within {@code allowedLateness} updates the session (which is emitted
 * again), later activity goes to the {@value #LATE_SINK} sink through a side output.
 */
public final class Sessionization implements JobProvider {
  /** The logical source name. */
  public static final String SOURCE = "activity";

  /** The logical sink name of sessions. */
  public static final String SINK = "sessions";

  /** The logical sink name of activity too late for its session. */
  public static final String LATE_SINK = "late-activity";

  /** The uid of the session window operator. */
  public static final String UID = "sessions";

  /** The side output of late activity. */
  public static final OutputTag<Activity> LATE = new OutputTag<>("late-activity", Activity.class);

  private final Duration gap;
  private final Duration outOfOrderness;
  private final Duration allowedLateness;

  /** 30-minute sessions, 1 minute of out-of-orderness, 10 minutes of allowed lateness. */
  public Sessionization() {
    this(Duration.ofMinutes(30), Duration.ofMinutes(1), Duration.ofMinutes(10));
  }

  /** Sessions with the given gap, out-of-orderness and allowed lateness. */
  public Sessionization(Duration gap, Duration outOfOrderness, Duration allowedLateness) {
    this.gap = gap;
    this.outOfOrderness = outOfOrderness;
    this.allowedLateness = allowedLateness;
  }

  @Override
  public void build(StreamEnvironment env) {
    var sessions =
        env.jobName("sessionization")
            .kinesis(SOURCE, Serdes.json(Activity.class))
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Activity>forBoundedOutOfOrderness(outOfOrderness)
                    .withTimestampAssigner((a, recordTime) -> a.timestamp()))
            .keyBy(Activity::userId)
            .window(EventTimeSessionWindows.withGap(gap))
            .allowedLateness(allowedLateness)
            .sideOutputLateData(LATE)
            .aggregate(new Summarize(), Serdes.json(long[].class), new ToSession())
            .uid(UID);
    sessions.sinkTo(SINK, Serdes.json(Session.class));
    sessions.getSideOutput(LATE).sinkTo(LATE_SINK, Serdes.json(Activity.class));
  }

  /** Counts events and purchases; the accumulator is {@code [events, purchases]}. */
  public static final class Summarize implements AggregateFunction<Activity, long[], long[]> {
    @Override
    public long[] createAccumulator() {
      return new long[2];
    }

    @Override
    public long[] add(Activity value, long[] acc) {
      return new long[] {acc[0] + 1, acc[1] + ("buy".equals(value.action()) ? 1 : 0)};
    }

    @Override
    public long[] getResult(long[] acc) {
      return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1]};
    }
  }

  /** Turns the counts and the session window into a {@link Session}. */
  public static final class ToSession
      extends ProcessWindowFunction<long[], Session, String, TimeWindow> {
    @Override
    public void process(
        String userId, Context context, Iterable<long[]> counts, Collector<Session> out) {
      long[] c = counts.iterator().next();
      TimeWindow w = context.window();
      out.collect(new Session(userId, w.start(), w.end(), c[0], c[1]));
    }
  }
}
