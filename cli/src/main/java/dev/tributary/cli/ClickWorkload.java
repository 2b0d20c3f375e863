package dev.tributary.cli;

import dev.tributary.JobProvider;
import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickGenerator;
import dev.tributary.examples.clicks.ClickTotal;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.execution.InMemoryRunner;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.TimeWindow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Example 1's workload: seeded clicks ({@link ClickGenerator}) keyed by user, one event-time
 * millisecond apart, for the click-window-sums job (1 s tumbling windows per user). Clicks the job
 * saw after their window fired are committed to its late sink; the check adds them back to their
 * windows' totals ({@link #compared}), so it proves every click counted once either way.
 *
 * @param clicks how many clicks
 * @param users how many distinct users
 * @param zipf 0 for uniform users, else the Zipf exponent of a skewed key distribution
 * @param seed the generator's seed
 * @param startMillis the event time of the first click
 */
public record ClickWorkload(long clicks, int users, double zipf, long seed, long startMillis)
    implements Workload {
  private static final Serde<Click> CLICKS = Serdes.json(Click.class);
  private static final Serde<ClickTotal> TOTALS = Serdes.json(ClickTotal.class);

  /** Validates the sizes. */
  public ClickWorkload {
    if (clicks < 1) {
      throw new IllegalArgumentException("clicks is " + clicks + "; it must be at least 1");
    }
    if (users < 1) {
      throw new IllegalArgumentException("users is " + users + "; it must be at least 1");
    }
    if (zipf < 0) {
      throw new IllegalArgumentException("zipf is " + zipf + "; use 0 (uniform) or above");
    }
  }

  @Override
  public JobProvider job() {
    return new ClickWindowSums();
  }

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%,d click%s from %,d user%s (%s), 1 s tumbling windows",
        clicks,
        clicks == 1 ? "" : "s",
        users,
        users == 1 ? "" : "s",
        zipf > 0 ? "zipf " + zipf : "uniform");
  }

  @Override
  public long size() {
    return clicks;
  }

  @Override
  public Iterator<Event> events() {
    ClickGenerator clicks = generator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return clicks.hasNext();
      }

      @Override
      public Event next() {
        Click c = clicks.next();
        return new Event(c.userId(), CLICKS.serialize(c));
      }
    };
  }

  @Override
  public Map<String, List<String>> reference() {
    List<String> totals = new ArrayList<>();
    InMemoryRunner.forJob(job())
        .bind(ClickWindowSums.SOURCE, generator())
        .onSink(
            ClickWindowSums.SINK,
            (value, ts) ->
                totals.add(
                    new String(TOTALS.serialize((ClickTotal) value), StandardCharsets.UTF_8)))
        .run();
    return Map.of(ClickWindowSums.SINK, totals);
  }

  /**
   * The committed totals with each late click ({@link ClickWindowSums#LATE_SINK}) added to its
   * window's total, or made a total of its own when the window had no other click: the reference
   * run sees the clicks in order, so none is late there. A total committed twice stays twice, so
   * the check still sees it.
   */
  @Override
  public Map<String, List<String>> compared(Map<String, List<String>> committed) {
    List<String> late = committed.get(ClickWindowSums.LATE_SINK);
    if (late == null) {
      return committed;
    }
    long windowMillis = ClickWindowSums.WINDOW.toMillis(); // the windows of job()
    List<ClickTotal> totals = new ArrayList<>();
    Map<String, Integer> first = new HashMap<>();
    for (String text : committed.getOrDefault(ClickWindowSums.SINK, List.of())) {
      ClickTotal t = TOTALS.deserialize(text.getBytes(StandardCharsets.UTF_8));
      first.putIfAbsent(t.userId() + "@" + t.windowStart(), totals.size());
      totals.add(t);
    }
    for (String text : late) {
      Click c = CLICKS.deserialize(text.getBytes(StandardCharsets.UTF_8));
      long start = TimeWindow.windowStart(c.timestamp(), 0, windowMillis);
      Integer at = first.putIfAbsent(c.userId() + "@" + start, totals.size());
      if (at == null) {
        totals.add(new ClickTotal(c.userId(), start, start + windowMillis, 1));
      } else {
        ClickTotal t = totals.get(at);
        totals.set(at, new ClickTotal(t.userId(), t.windowStart(), t.windowEnd(), t.clicks() + 1));
      }
    }
    Map<String, List<String>> out = new TreeMap<>(committed);
    out.remove(ClickWindowSums.LATE_SINK);
    List<String> texts = new ArrayList<>(totals.size());
    for (ClickTotal t : totals) {
      texts.add(new String(TOTALS.serialize(t), StandardCharsets.UTF_8));
    }
    out.put(ClickWindowSums.SINK, texts);
    return out;
  }

  private ClickGenerator generator() {
    return new ClickGenerator(seed, clicks, users, zipf, startMillis, 1);
  }
}
