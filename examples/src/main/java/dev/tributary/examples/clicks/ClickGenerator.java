package dev.tributary.examples.clicks;

import dev.tributary.examples.KeyDistribution;
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
  private final KeyDistribution distribution;
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
    this.distribution = zipfExponent > 0 ? new KeyDistribution(users, zipfExponent) : null;
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
    if (distribution == null) {
      return random.nextInt(users.length);
    }
    return distribution.index(random.nextDouble());
  }
}
