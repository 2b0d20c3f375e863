package dev.tributary.state.dynamodb.internal;

import java.security.SecureRandom;

/**
 * Random numbers that must differ between execution environments: the first version of a key item,
 * a spill generation, a timer item's incarnation, retry jitter. Drawn from {@link SecureRandom},
 * whose default source on Linux mixes fresh operating-system entropy into every draw, so that
 * Lambda SnapStart environments restored from one snapshot still draw different numbers. {@code
 * ThreadLocalRandom} and {@code java.util.Random} do not: their seeds are set during initialisation
 * and restored identically into every environment, which would let a stale copy's {@code v = :v}
 * condition pass on a key created again elsewhere with the same "random" version.
 */
public final class Uniques {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Uniques() {}

  /** A number from {@code origin} (inclusive) to {@code bound} (exclusive). */
  public static long next(long origin, long bound) {
    return RANDOM.nextLong(origin, bound);
  }
}
