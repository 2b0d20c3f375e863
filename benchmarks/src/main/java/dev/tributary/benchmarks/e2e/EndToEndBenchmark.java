package dev.tributary.benchmarks.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.cli.ClickWorkload;
import dev.tributary.cli.JobRun;
import dev.tributary.cli.LocalStack;
import dev.tributary.cli.Outbox;
import dev.tributary.cli.Workload;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.esm.MappingSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * End-to-end records/s on the local stack: click-window-sums through the exactly-once pipeline
 * (event source mapping emulator → coordinator → operator functions → DynamoDB commits) against an
 * at-least-once baseline on the same emulators (the mapping invokes a coordinator that only counts
 * the records of each event and answers success). Both drain the same workload, produced while the
 * mapping runs; the time is from the first record produced to the last one the mapping delivered
 * (for the pipeline: every batch committed). Runs alternate, baseline first; medians and their
 * ratio are printed. Each exactly-once run's outputs are then checked against the in-memory
 * reference (not timed). Each run also prints the process's CPU time per record in the timed span
 * and, where Linux gives per-thread times, the JIT compilers' share of it (code compiled for the
 * first time: it falls run after run, so compare rows with the same warm-up); {@code
 * -Dtributary.benchmark.threads=true} prints it by thread.
 *
 * <p>Options: {@code --source kinesis|kafka} (default kafka), {@code --events N} (50,000), {@code
 * --users N} (1,000), {@code --shards N} (2), {@code --batch-size N} (500), {@code --runs N} (3),
 * {@code --warmup N} (1: runs of each mode first that JIT-compile the code and are not counted),
 * {@code --fan-out lambda|in-process|auto} (lambda), {@code --window-ms N} (the mapping's maximum
 * batching window, 0), {@code --tools-dir DIR} (.tools).
 */
public final class EndToEndBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EndToEndBenchmark() {}

  /** One measured drain. */
  record Drain(
      String mode,
      long records,
      Duration time,
      boolean checked,
      long invocations,
      long conflicts,
      long merges,
      Map<String, Long> dynamoCalls,
      Duration cpu,
      Map<String, Long> cpuByThread) {
    double perSecond() {
      return records / (time.toNanos() / 1e9);
    }

    /** The whole process's CPU time per record in the timed span, in microseconds. */
    double cpuMicrosPerRecord() {
      return cpu.toNanos() / 1e3 / records;
    }

    /**
     * The JIT compilers' CPU time per record in the timed span, in microseconds: code compiled for
     * the first time (0 where Linux's per-thread times are not available).
     */
    double jitMicrosPerRecord() {
      long jit =
          cpuByThread.entrySet().stream()
              .filter(e -> e.getKey().contains("CompilerThre"))
              .mapToLong(Map.Entry::getValue)
              .sum();
      return jit / 1e3 / records;
    }

    /** The timed span's CPU time as a share of all the machine's cores over it. */
    double utilisation() {
      return cpu.toNanos() / (double) time.toNanos() / Runtime.getRuntime().availableProcessors();
    }
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    LocalStack.Source source = LocalStack.Source.KAFKA;
    long events = 50_000;
    int users = 1_000;
    int shards = 2;
    int batch = 500;
    int runs = 3;
    int warmup = 1;
    Path tools = Path.of(".tools");
    String fanOut = "lambda";
    Duration window = Duration.ZERO;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--source" -> source = LocalStack.Source.valueOf(v.toUpperCase(Locale.ROOT));
        case "--events" -> events = Long.parseLong(v);
        case "--users" -> users = Integer.parseInt(v);
        case "--shards" -> shards = Integer.parseInt(v);
        case "--batch-size" -> batch = Integer.parseInt(v);
        case "--runs" -> runs = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--tools-dir" -> tools = Path.of(v);
        case "--fan-out" -> fanOut = v;
        case "--window-ms" -> window = Duration.ofMillis(Long.parseLong(v));
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + "; see the class javadoc");
      }
    }
    PrintStream console = System.out;
    // the functions' JSON logs and metric records would drown the report
    System.setOut(new PrintStream(PrintStream.nullOutputStream()));
    ClickWorkload workload = new ClickWorkload(events, users, 0, 42, 1_767_225_600_000L);
    console.printf(
        Locale.ROOT,
        "End to end on the local stack: %s, %d %s, batch %d, window %d ms, fan-out %s, %s; %d runs"
            + " per mode, alternating, after %d warm-up run(s) of each (not counted)%n",
        source,
        shards,
        source == LocalStack.Source.KINESIS ? "shards" : "partitions",
        batch,
        window.toMillis(),
        fanOut,
        workload.describe(),
        runs,
        warmup);
    List<Drain> baseline = new ArrayList<>();
    List<Drain> exactlyOnce = new ArrayList<>();
    Map<String, List<String>> reference = workload.reference();
    for (int run = -warmup; run < runs; run++) {
      String name = run < 0 ? "warm-up" : "run " + (run + 1);
      Drain b = drain(source, shards, batch, window, fanOut, tools, workload, null);
      console.printf(Locale.ROOT, "  %s %s%n", name, line(b));
      Drain e = drain(source, shards, batch, window, fanOut, tools, workload, reference);
      console.printf(Locale.ROOT, "  %s %s%n", name, line(e));
      if (run >= 0) {
        baseline.add(b);
        exactlyOnce.add(e);
      }
    }
    double b = median(baseline, Drain::perSecond);
    double e = median(exactlyOnce, Drain::perSecond);
    double bc = median(baseline, Drain::cpuMicrosPerRecord);
    double ec = median(exactlyOnce, Drain::cpuMicrosPerRecord);
    double bj = median(baseline, Drain::jitMicrosPerRecord);
    double ej = median(exactlyOnce, Drain::jitMicrosPerRecord);
    console.printf(
        Locale.ROOT,
        "%nmedian: at-least-once baseline %,.0f records/s, exactly-once pipeline %,.0f records/s,"
            + " ratio %.2f%n        CPU per record: baseline %.1f µs (JIT compilers %.1f),"
            + " exactly-once %.1f µs (JIT compilers %.1f), ratio %.2f; CPU used: baseline %.0f %%,"
            + " exactly-once %.0f %%%n",
        b,
        e,
        e / b,
        bc,
        bj,
        ec,
        ej,
        bc / ec,
        100 * median(baseline, Drain::utilisation),
        100 * median(exactlyOnce, Drain::utilisation));
  }

  private static String line(Drain d) {
    return String.format(
        Locale.ROOT,
        "%-28s %,d records in %6.2f s = %,8.0f records/s%s%n      CPU %.1f µs per record (JIT"
            + " compilers %.1f), %.0f %% of %d cores; %,d batches%s; DynamoDB requests per batch:"
            + " %s",
        d.mode(),
        d.records(),
        d.time().toMillis() / 1000.0,
        d.perSecond(),
        d.mode().startsWith("exactly")
            ? (d.checked() ? "  outputs = reference" : "  MISMATCH")
            : "",
        d.cpuMicrosPerRecord(),
        d.jitMicrosPerRecord(),
        100 * d.utilisation(),
        Runtime.getRuntime().availableProcessors(),
        d.invocations(),
        d.mode().startsWith("exactly")
            ? String.format(
                Locale.ROOT,
                ", %,d commits redone after a conflict, %,d sent again with the timer item merged",
                d.conflicts(),
                d.merges())
            : "",
        perBatch(d));
  }

  /** The DynamoDB requests of a drain per coordinator invocation, by operation. */
  private static String perBatch(Drain d) {
    StringBuilder out = new StringBuilder();
    long batches = Math.max(1, d.invocations());
    d.dynamoCalls()
        .forEach(
            (op, n) ->
                out.append(String.format(Locale.ROOT, "%s %.1f ", op, n / (double) batches)));
    return out.toString().trim();
  }

  private static double median(List<Drain> drains, ToDoubleFunction<Drain> figure) {
    double[] v = drains.stream().mapToDouble(figure).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /**
   * Drains {@code workload} through a fresh stack: the real coordinator when {@code reference} is
   * given (and then checks the outputs), else a coordinator that only counts.
   */
  static Drain drain(
      LocalStack.Source source,
      int shards,
      int batch,
      Duration window,
      String fanOut,
      Path tools,
      Workload workload,
      Map<String, List<String>> reference)
      throws InterruptedException {
    boolean baseline = reference == null;
    AtomicLong counted = new AtomicLong();
    LocalStack.Builder builder =
        LocalStack.builder()
            .source(source)
            .job(ClickWindowSums.class)
            .toolsDir(tools)
            .shards(shards)
            .slots(4)
            .fanOut(fanOut)
            .idleTimeout(Duration.ofSeconds(30))
            .mapping(
                MappingSettings.defaults(LocalStack.COORDINATOR)
                    .withBatchSize(batch)
                    .withBatchingWindow(window)
                    .withRetries(-1, false));
    if (baseline) {
      builder.wrapFunction(
          LocalStack.COORDINATOR, coordinator -> payload -> countOnly(payload, counted));
    }
    try (LocalStack stack = builder.start()) {
      long n = workload.size();
      // read before the clock starts: listing the threads' times takes a few milliseconds
      Map<String, Long> threadsStart = threadCpuNanos();
      long cpuStart = processCpuNanos();
      long start = System.nanoTime();
      Thread producer =
          new Thread(
              () -> {
                Iterator<Workload.Event> events = workload.events();
                stack.produce(events);
              },
              "producer");
      producer.start();
      while (stack.progress().recordsDelivered() < n) {
        Thread.sleep(20);
        if (System.nanoTime() - start > Duration.ofMinutes(15).toNanos()) {
          throw new IllegalStateException("not drained after 15 minutes: " + stack.progress());
        }
      }
      Duration time = Duration.ofNanos(System.nanoTime() - start);
      Duration cpu = Duration.ofNanos(processCpuNanos() - cpuStart);
      Map<String, Long> byThread = byThread(threadsStart, threadCpuNanos(), cpu.toNanos());
      if (Boolean.getBoolean("tributary.benchmark.threads")) {
        System.err.println(
            (baseline ? "baseline" : "pipeline")
                + " CPU µs per record by thread: "
                + perRecord(byThread, n));
      }
      if (Boolean.getBoolean("tributary.benchmark.windows")) {
        // for profiles: the wall-clock span of the timed part, to keep only its samples
        java.time.Instant end = java.time.Instant.now();
        System.err.println(
            "timed " + (baseline ? "baseline" : "pipeline") + " " + end.minus(time) + " " + end);
      }
      Map<String, Long> calls = stack.dynamoOperations();
      long invocations = stack.invocations(LocalStack.COORDINATOR);
      long conflicts = stack.conflicts();
      long merges = stack.timerItemMerges();
      producer.join();
      boolean checked = false;
      if (!baseline) {
        checked = outputsMatch(stack, reference);
      } else if (counted.get() < n) {
        throw new IllegalStateException("the baseline counted " + counted + " of " + n);
      }
      return new Drain(
          baseline ? "at-least-once baseline" : "exactly-once pipeline",
          n,
          time,
          checked,
          invocations,
          conflicts,
          merges,
          calls,
          cpu,
          byThread);
    }
  }

  /**
   * The CPU time of each of this process's threads so far (the JVM's own, garbage collection and
   * the JIT compilers included), keyed by "{@code <thread id> <name>}", from Linux's {@code
   * /proc/self/task/<id>/schedstat}; empty elsewhere.
   */
  private static Map<String, Long> threadCpuNanos() {
    Map<String, Long> out = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return out;
    }
    try (Stream<Path> all = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) all::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String run = Files.readString(task.resolve("schedstat")).trim();
          out.put(task.getFileName() + " " + name, Long.parseLong(run.split(" ")[0]));
        } catch (IOException | RuntimeException ended) {
          // the thread ended while being read
        }
      }
    } catch (IOException e) {
      // the listing failed: the threads read so far
    }
    return out;
  }

  /**
   * The timed span's CPU time by thread name (the name's numbers and ids folded; Linux keeps the
   * first 15 characters), and that of threads that ended in the span as one entry.
   */
  private static Map<String, Long> byThread(
      Map<String, Long> start, Map<String, Long> end, long total) {
    Map<String, Long> groups = new HashMap<>();
    long named = 0;
    for (Map.Entry<String, Long> e : end.entrySet()) {
      long used = e.getValue() - start.getOrDefault(e.getKey(), 0L);
      String name = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("[0-9]+", "N");
      groups.merge(name, used, Long::sum);
      named += used;
    }
    groups.put("(threads that ended)", total - named);
    return groups;
  }

  /** For profiles: CPU time per record by thread, the largest first. */
  private static String perRecord(Map<String, Long> groups, long n) {
    StringBuilder out = new StringBuilder();
    groups.entrySet().stream()
        .filter(e -> e.getValue() / 1e3 / n >= 0.05)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                out.append(
                    String.format(
                        Locale.ROOT, "%n  %6.2f %s", e.getValue() / 1e3 / n, e.getKey())));
    return out.toString();
  }

  /** The CPU time of this JVM's threads so far (the producer and all the emulators included). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static boolean outputsMatch(LocalStack stack, Map<String, List<String>> reference)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      Map<String, List<String>> committed = Outbox.read(stack.dynamo(), stack.settings().tables());
      boolean complete =
          reference.entrySet().stream()
              .allMatch(
                  e -> committed.getOrDefault(e.getKey(), List.of()).size() >= e.getValue().size());
      if (complete || System.nanoTime() > deadline) {
        boolean ok = true;
        for (Map.Entry<String, List<String>> e : reference.entrySet()) {
          JobRun.SinkCheck check =
              JobRun.compare(e.getValue(), committed.getOrDefault(e.getKey(), List.of()));
          if (!check.ok()) {
            System.err.println("sink " + e.getKey() + " differs from the reference: " + check);
            ok = false;
          }
        }
        return ok;
      }
      Thread.sleep(500);
    }
  }

  /** The baseline coordinator: counts the event's records and answers that all succeeded. */
  static byte[] countOnly(byte[] payload, AtomicLong counted) throws Exception {
    JsonNode event = JSON.readTree(payload);
    long n = 0;
    if (event.has("Records")) {
      n = event.get("Records").size();
    } else if (event.has("records")) {
      for (JsonNode partition : event.get("records")) {
        n += partition.size();
      }
    }
    counted.addAndGet(n);
    return "{\"batchItemFailures\":[]}".getBytes(StandardCharsets.UTF_8);
  }
}
