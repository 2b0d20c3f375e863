package dev.tributary.examples;

/**
 * Draws key indexes in {@code [0, keys)}: uniformly, or from a Zipf distribution (a few hot keys),
 * for generated workloads. Deterministic: the caller supplies the uniform random number.
 */
public final class KeyDistribution implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final int keys;
  private final double[] cumulative;

  /** Keys {@code 0..keys-1}, uniform when {@code zipfExponent} is 0, else Zipf (e.g. 1.1). */
  public KeyDistribution(int keys, double zipfExponent) {
    if (keys < 1) {
      throw new IllegalArgumentException("keys is " + keys + "; it must be at least 1");
    }
    if (zipfExponent < 0) {
      throw new IllegalArgumentException(
          "zipfExponent is " + zipfExponent + "; use 0 for uniform keys or a positive exponent");
    }
    this.keys = keys;
    if (zipfExponent > 0) {
      cumulative = new double[keys];
      double sum = 0;
      for (int i = 0; i < keys; i++) {
        sum += 1.0 / Math.pow(i + 1, zipfExponent);
        cumulative[i] = sum;
      }
      for (int i = 0; i < keys; i++) {
        cumulative[i] /= sum;
      }
    } else {
      cumulative = null;
    }
  }

  /** The number of keys. */
  public int keys() {
    return keys;
  }

  /** The key index for the uniform random number {@code u} in [0, 1). */
  public int index(double u) {
    if (cumulative == null) {
      return Math.min(keys - 1, (int) (u * keys));
    }
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
