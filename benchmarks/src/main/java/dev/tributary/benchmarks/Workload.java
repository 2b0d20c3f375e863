package dev.tributary.benchmarks;

import dev.tributary.examples.KeyDistribution;
import dev.tributary.examples.clicks.Click;

/**
 * The benchmark input, generated identically for both engines from the event index: event time
 * advances 1 ms per event, keys are uniform or Zipf-distributed over {@code keys} users, all from a
 * seeded hash of the index (no shared random state, so that any engine can generate event i).
 */
public final class Workload implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Start of event time (2026-01-01T00:00:00Z). */
  public static final long START = 1_767_225_600_000L;

  private final long seed;
  private final String[] users;
  private final KeyDistribution distribution;

  /** A workload over {@code keys} keys, uniform when {@code zipfExponent} is 0. */
  public Workload(long seed, int keys, double zipfExponent) {
    this.seed = seed;
    this.users = new String[keys];
    for (int i = 0; i < keys; i++) {
      users[i] = "user-" + i;
    }
    this.distribution = zipfExponent > 0 ? new KeyDistribution(keys, zipfExponent) : null;
  }

  /** The event with index {@code i}. */
  public Click click(long i) {
    long h = mix(seed ^ (i * 0x9E3779B97F4A7C15L));
    int user;
    if (distribution == null) {
      user = (int) Long.remainderUnsigned(h, users.length);
    } else {
      user = distribution.index((h >>> 11) * 0x1.0p-53);
    }
    return new Click(users[user], PAGES[(int) ((h >>> 40) & 15)], START + i);
  }

  private static final String[] PAGES = new String[16];

  static {
    for (int i = 0; i < PAGES.length; i++) {
      PAGES[i] = "/page/" + i;
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
