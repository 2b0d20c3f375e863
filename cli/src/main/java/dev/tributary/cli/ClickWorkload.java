package dev.tributary.cli;

import dev.tributary.JobProvider;
import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickGenerator;
import dev.tributary.examples.clicks.ClickTotal;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.execution.InMemoryRunner;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Example 1's workload: seeded clicks ({@link ClickGenerator}) keyed by user, one event-time
 * millisecond apart, for the click-window-sums job (1 s tumbling windows per user).
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
        "%,d clicks from %,d users (%s), 1 s tumbling windows",
        clicks,
        users,
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

  private ClickGenerator generator() {
    return new ClickGenerator(seed, clicks, users, zipf, startMillis, 1);
  }
}
