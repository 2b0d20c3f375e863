package dev.tributary.e2e;

import dev.tributary.DataStream;
import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.StreamEnvironment;
import dev.tributary.cli.ClickWorkload;
import dev.tributary.cli.Workload;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickTotal;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Click workloads whose late clicks are set aside rather than dropped: {@link Job} is
 * click-window-sums with its late clicks in a sink of their own, and this workload folds them back
 * into the totals of the windows they missed before the check. The check then proves every click
 * counted exactly once, in its window's total or in the late sink, however late the job saw it.
 */
final class LateClicks implements Workload {
  /** The sink of the clicks that came after their window fired. */
  static final String LATE_SINK = "late-clicks";

  private static final OutputTag<Click> LATE = new OutputTag<>(LATE_SINK, Click.class);
  private static final Duration WINDOW = Duration.ofSeconds(1);
  private static final Serde<Click> CLICKS = Serdes.json(Click.class);
  private static final Serde<ClickTotal> TOTALS = Serdes.json(ClickTotal.class);

  private final ClickWorkload clicks;
  private final AtomicLong folded = new AtomicLong();

  LateClicks(ClickWorkload clicks) {
    this.clicks = clicks;
  }

  /** click-window-sums (1 s windows, 500 ms out-of-orderness) with a late-click sink. */
  public static final class Job implements JobProvider {
    /** The job as the functions load it. */
    public Job() {}

    @Override
    public void build(StreamEnvironment env) {
      DataStream<ClickTotal> totals =
          env.jobName("click-window-sums")
              .kinesis(ClickWindowSums.SOURCE, CLICKS)
              .assignTimestampsAndWatermarks(
                  WatermarkStrategy.<Click>forBoundedOutOfOrderness(Duration.ofMillis(500))
                      .withTimestampAssigner((click, recordTime) -> click.timestamp()))
              .keyBy(Click::userId)
              .window(TumblingEventTimeWindows.of(WINDOW))
              .sideOutputLateData(LATE)
              .aggregate(
                  new ClickWindowSums.CountClicks(),
                  Serdes.longs(),
                  new ClickWindowSums.WithWindow())
              .uid(ClickWindowSums.UID);
      totals.sinkTo(ClickWindowSums.SINK, TOTALS);
      totals.getSideOutput(LATE).sinkTo(LATE_SINK, CLICKS);
    }
  }

  /** Late clicks folded into the totals by the last {@link #compared} call. */
  long folded() {
    return folded.get();
  }

  @Override
  public JobProvider job() {
    return new Job();
  }

  @Override
  public String describe() {
    return clicks.describe() + ", late clicks set aside";
  }

  @Override
  public long size() {
    return clicks.size();
  }

  @Override
  public Iterator<Event> events() {
    return clicks.events();
  }

  /**
   * The reference run sees the clicks in order, so none is late: the totals of click-window-sums.
   */
  @Override
  public Map<String, List<String>> reference() {
    return clicks.reference();
  }

  /**
   * The committed totals with each late click added to its window's total (a total of its own when
   * the window had no other click). A total committed twice stays twice, so the check still sees
   * it.
   */
  @Override
  public Map<String, List<String>> compared(Map<String, List<String>> committed) {
    List<ClickTotal> totals = new ArrayList<>();
    Map<String, Integer> first = new HashMap<>();
    for (String text : committed.getOrDefault(ClickWindowSums.SINK, List.of())) {
      ClickTotal t = TOTALS.deserialize(text.getBytes(StandardCharsets.UTF_8));
      first.putIfAbsent(t.userId() + "@" + t.windowStart(), totals.size());
      totals.add(t);
    }
    List<String> late = committed.getOrDefault(LATE_SINK, List.of());
    long size = WINDOW.toMillis();
    for (String text : late) {
      Click c = CLICKS.deserialize(text.getBytes(StandardCharsets.UTF_8));
      long start = c.timestamp() - Math.floorMod(c.timestamp(), size);
      Integer at = first.get(c.userId() + "@" + start);
      if (at == null) {
        first.put(c.userId() + "@" + start, totals.size());
        totals.add(new ClickTotal(c.userId(), start, start + size, 1));
      } else {
        ClickTotal t = totals.get(at);
        totals.set(at, new ClickTotal(t.userId(), t.windowStart(), t.windowEnd(), t.clicks() + 1));
      }
    }
    folded.set(late.size());
    Map<String, List<String>> out = new TreeMap<>(committed);
    out.remove(LATE_SINK);
    List<String> texts = new ArrayList<>(totals.size());
    for (ClickTotal t : totals) {
      texts.add(new String(TOTALS.serialize(t), StandardCharsets.UTF_8));
    }
    out.put(ClickWindowSums.SINK, texts);
    return out;
  }
}
