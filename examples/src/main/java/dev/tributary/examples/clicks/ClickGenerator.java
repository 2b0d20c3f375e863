package dev.tributary.examples.clicks;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A seeded, repeatable stream of clicks: event time advances by a fixed step per click, users are
 * drawn uniformly or from a Zipf distribution (a few hot users), pages uniformly from 50.
 */
public final class ClickGenerator implements Iterator<Click> {
  private final long count;
  private final long stepMillis;
  private final String[] users;
  private final double[] cumulative;
  private final SplittableRandom random;
  private long emitted;
  private long time;

  /**
   * Creates a generator.
   *
   * @param seed random seed
   * @param count number of clicks
   * @param users number of distinct users
   * @param zipfExponent 0 for uniform users, else the Zipf exponent (e.g. 1.1)
   * @param startMillis event time of the first click
   * @param stepMillis event-time step between clicks
   */
  public ClickGenerator(
      long seed, long count, int users, double zipfExponent, long startMillis, long stepMillis) {
    if (users < 1) {
      throw new IllegalArgumentException("users is " + users + "; it must be at least 1");
    }
    this.count = count;
    this.stepMillis = stepMillis;
    this.random = new SplittableRandom(seed);
    this.time = startMillis;
    this.users = new String[users];
    for (int i = 0; i < users; i++) {
      this.users[i] = "user-" + i;
    }
    if (zipfExponent > 0) {
      cumulative = new double[users];
      double sum = 0;
      for (int i = 0; i < users; i++) {
        sum += 1.0 / Math.pow(i + 1, zipfExponent);
        cumulative[i] = sum;
      }
      for (int i = 0; i < users; i++) {
        cumulative[i] /= sum;
      }
    } else {
      cumulative = null;
    }
  }

  @Override
  public boolean hasNext() {
    return emitted < count;
  }

  @Override
  public Click next() {
    if (emitted >= count) {
      throw new NoSuchElementException();
    }
    emitted++;
    Click click = new Click(users[nextUser()], "/page/" + random.nextInt(50), time);
    time += stepMillis;
    return click;
  }

  /** The index of the next user. */
  public int nextUser() {
    if (cumulative == null) {
      return random.nextInt(users.length);
    }
    double u = random.nextDouble();
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
