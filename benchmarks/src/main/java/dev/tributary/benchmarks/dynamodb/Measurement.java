package dev.tributary.benchmarks.dynamodb;

import java.util.Arrays;
import java.util.List;

/**
 * One operation measured on one endpoint: successful calls, failed calls, wall time and per-call
 * latency percentiles (nearest rank over every successful call of every thread and slice).
 *
 * @param firstError the first failure's message, or null when every call succeeded
 */
record Measurement(
    Operation operation,
    int threads,
    long ops,
    long errors,
    long elapsedNanos,
    long p50Nanos,
    long p99Nanos,
    long maxNanos,
    String firstError) {

  /** Successful calls per second of wall time. */
  double opsPerSecond() {
    return elapsedNanos == 0 ? 0 : ops / (elapsedNanos / 1e9);
  }

  /** A measurement over every slice taken of one operation on one endpoint. */
  static Measurement of(Operation operation, int threads, List<LoadRunner.Slice> slices) {
    int total = 0;
    long errors = 0;
    long elapsed = 0;
    String firstError = null;
    for (LoadRunner.Slice s : slices) {
      total += s.count();
      errors += s.errors();
      elapsed += s.elapsedNanos();
      firstError = firstError == null ? s.firstError() : firstError;
    }
    long[] all = new long[total];
    int at = 0;
    for (LoadRunner.Slice s : slices) {
      System.arraycopy(s.latencies(), 0, all, at, s.count());
      at += s.count();
    }
    Arrays.sort(all);
    return new Measurement(
        operation,
        threads,
        total,
        errors,
        elapsed,
        percentile(all, 50),
        percentile(all, 99),
        total == 0 ? 0 : all[total - 1],
        firstError);
  }

  /** The nearest-rank percentile of sorted values; 0 when there are none. */
  static long percentile(long[] sorted, double percent) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
