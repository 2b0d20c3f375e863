package dev.tributary.examples.clicks;

import dev.tributary.execution.InMemoryRunner;
import dev.tributary.execution.RunResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs example 1 on the in-memory executor over generated clicks, checks every window total against
 * a plain-Java count of the same clicks, and prints the busiest windows and the throughput.
 *
 * <p>Options: {@code --events N} (default 1,000,000), {@code --users N} (10,000), {@code --zipf S}
 * (0 = uniform), {@code --seed N}.
 */
public final class ClickWindowSumsMain {
  private ClickWindowSumsMain() {}

  /** Entry point. */
  public static void main(String[] args) {
    long events = 1_000_000;
    int users = 10_000;
    double zipf = 0;
    long seed = 42;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--events" -> events = Long.parseLong(require(args[i], value));
        case "--users" -> users = Integer.parseInt(require(args[i], value));
        case "--zipf" -> zipf = Double.parseDouble(require(args[i], value));
        case "--seed" -> seed = Long.parseLong(require(args[i], value));
        default -> {
          System.err.println(
              "unknown option '" + args[i] + "'; use --events N --users N --zipf S --seed N");
          System.exit(2);
        }
      }
      i++;
    }
    long start = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    System.out.printf(
        Locale.ROOT,
        "Running click-window-sums on the in-memory executor: %,d clicks, %,d users (%s), 1 s"
            + " tumbling windows%n",
        events,
        users,
        zipf > 0 ? "zipf " + zipf : "uniform");

    List<ClickTotal> totals = new ArrayList<>();
    RunResult result =
        InMemoryRunner.forJob(new ClickWindowSums())
            .bind(ClickWindowSums.SOURCE, new ClickGenerator(seed, events, users, zipf, start, 1))
            .onSink(ClickWindowSums.SINK, (value, ts) -> totals.add((ClickTotal) value))
            .run();

    Map<String, Long> reference = new HashMap<>();
    ClickGenerator again = new ClickGenerator(seed, events, users, zipf, start, 1);
    while (again.hasNext()) {
      Click c = again.next();
      long windowStart = c.timestamp() - Math.floorMod(c.timestamp(), 1000L);
      reference.merge(c.userId() + "@" + windowStart, 1L, Long::sum);
    }
    Map<String, Long> produced = new HashMap<>();
    for (ClickTotal t : totals) {
      if (produced.put(t.userId() + "@" + t.windowStart(), t.clicks()) != null) {
        fail("window " + t + " was emitted twice");
      }
    }
    if (!produced.equals(reference)) {
      fail(
          "the job's totals differ from the reference count: "
              + produced.size()
              + " windows produced, "
              + reference.size()
              + " expected");
    }

    totals.sort((a, b) -> Long.compare(b.clicks(), a.clicks()));
    System.out.println("Busiest user windows:");
    for (ClickTotal t : totals.subList(0, Math.min(5, totals.size()))) {
      System.out.printf(
          Locale.ROOT,
          "  %-12s [%s, %s)  %d clicks%n",
          t.userId(),
          java.time.Instant.ofEpochMilli(t.windowStart()),
          java.time.Instant.ofEpochMilli(t.windowEnd()),
          t.clicks());
    }
    Duration elapsed = result.elapsed();
    System.out.printf(
        Locale.ROOT,
        "%,d clicks in, %,d window totals out, checked against the reference count: OK%n",
        result.recordsIn(),
        totals.size());
    System.out.printf(
        Locale.ROOT,
        "Throughput: %,.0f clicks/s (%d ms)%n",
        result.recordsPerSecond(),
        elapsed.toMillis());
  }

  private static String require(String option, String value) {
    if (value == null) {
      System.err.println("option " + option + " needs a value");
      System.exit(2);
    }
    return value;
  }

  private static void fail(String message) {
    System.err.println("FAILED: " + message);
    System.exit(1);
  }
}
