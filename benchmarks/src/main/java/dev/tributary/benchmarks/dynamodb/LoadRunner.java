package dev.tributary.benchmarks.dynamodb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop load: {@code threads} client threads each make one call after another for a fixed
 * duration, timing every call, after a warm-up of the same calls. Sequence numbers come from one
 * counter for the whole JVM, so no two calls ever write the same key.
 */
final class LoadRunner {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private LoadRunner() {}

  /** Warms up for {@code warmup} (skipped when zero), then measures for {@code duration}. */
  static Measurement run(
      Operation.Endpoint endpoint,
      Operation operation,
      int threads,
      Duration warmup,
      Duration duration) {
    return interleaved(List.of(endpoint), operation, threads, warmup, duration, 1).get(0);
  }

  /**
   * Measures {@code operation} on each endpoint for {@code duration} in total, in {@code slices}
   * slices taken in turns (A B B A A B ...), so that both see the same share of whatever else the
   * machine is doing. Each endpoint warms up for {@code warmup} first (skipped when zero).
   */
  static List<Measurement> interleaved(
      List<Operation.Endpoint> endpoints,
      Operation operation,
      int threads,
      Duration warmup,
      Duration duration,
      int slices) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads is " + threads + "; use 1 or more");
    }
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("duration is " + duration + "; it must be positive");
    }
    if (slices < 1) {
      throw new IllegalArgumentException("slices is " + slices + "; use 1 or more");
    }
    if (!warmup.isZero() && !warmup.isNegative()) {
      for (Operation.Endpoint endpoint : endpoints) {
        timed(endpoint, operation, threads, warmup, "w");
      }
    }
    Duration slice = duration.dividedBy(slices);
    List<List<Slice>> taken = new ArrayList<>();
    endpoints.forEach(e -> taken.add(new ArrayList<>()));
    for (int i = 0; i < slices; i++) {
      for (int k = 0; k < endpoints.size(); k++) {
        int e = i % 2 == 0 ? k : endpoints.size() - 1 - k;
        taken.get(e).add(timed(endpoints.get(e), operation, threads, slice, "m"));
      }
    }
    List<Measurement> measurements = new ArrayList<>();
    for (List<Slice> s : taken) {
      measurements.add(Measurement.of(operation, threads, s));
    }
    return measurements;
  }

  /** Makes one call outside any measurement; throws what the endpoint answered. */
  static void probe(Operation.Endpoint endpoint, Operation operation) {
    operation.call(endpoint, "p", 0, SEQUENCE.getAndIncrement());
  }

  /**
   * One timed stretch: the latencies of the successful calls (the first {@code count} values of
   * {@code latencies}), the failed calls, and the wall time from start to the last call's end.
   */
  record Slice(long[] latencies, int count, long errors, long elapsedNanos, String firstError) {}

  private static Slice timed(
      Operation.Endpoint endpoint,
      Operation operation,
      int threads,
      Duration duration,
      String phase) {
    long[][] latencies = new long[threads][];
    int[] counts = new int[threads];
    long[] finished = new long[threads];
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    long[] window = new long[2]; // start, deadline; published by go.countDown()
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers[t] =
          new Thread(
              () -> {
                long[] own = new long[1 << 14];
                int n = 0;
                ready.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                long deadline = window[1];
                long end = window[0];
                while (true) {
                  long begin = System.nanoTime();
                  if (begin >= deadline) {
                    break;
                  }
                  boolean ok = true;
                  try {
                    operation.call(endpoint, phase, thread, SEQUENCE.getAndIncrement());
                  } catch (RuntimeException e) {
                    ok = false;
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.toString());
                  }
                  end = System.nanoTime();
                  if (ok) {
                    if (n == own.length) {
                      own = Arrays.copyOf(own, n * 2);
                    }
                    own[n++] = end - begin;
                  }
                }
                latencies[thread] = own;
                counts[thread] = n;
                finished[thread] = end;
              },
              "bench-"
                  + endpoint.name()
                  + "-"
                  + operation.name().toLowerCase(java.util.Locale.ROOT)
                  + "-"
                  + t);
      workers[t].setDaemon(true);
      workers[t].start();
    }
    try {
      ready.await();
      window[0] = System.nanoTime();
      window[1] = window[0] + duration.toNanos();
      go.countDown();
      for (Thread w : workers) {
        w.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring " + operation.label(), e);
    }
    long last = window[0];
    int total = 0;
    for (int t = 0; t < threads; t++) {
      last = Math.max(last, finished[t]);
      total += counts[t];
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      if (latencies[t] != null) {
        System.arraycopy(latencies[t], 0, all, at, counts[t]);
        at += counts[t];
      }
    }
    return new Slice(all, total, errors.get(), last - window[0], firstError.get());
  }
}
