package dev.tributary.benchmarks;

import dev.tributary.JobProvider;
import dev.tributary.examples.clicks.Click;
import dev.tributary.execution.InMemoryRunner;
import dev.tributary.execution.RunResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Throughput of Tributary's in-memory executor side by side with Flink's MiniCluster at parallelism
 * 1, in one JVM run, on the same generated input: (a) map then filter, (b) 1 s tumbling window sums
 * over 10,000 uniform keys, (c) the same with Zipf(1.1) keys, (d) a running count in ValueState.
 * Each engine runs each workload {@code --runs} times after one warm-up run; the best run counts.
 *
 * <p>Options: {@code --events N} (default 5,000,000), {@code --runs N} (default 3), {@code --only
 * a,b,c,d}.
 */
public final class FlinkComparison {
  private FlinkComparison() {}

  interface FlinkBuilder {
    void build(StreamExecutionEnvironment env, Workload workload, long events);
  }

  record Case(String id, String name, int keys, double zipf, JobProvider job, FlinkBuilder flink) {}

  /** One engine's result of one run. */
  record Run(double eventsPerSecond, long outputs) {}

  /** The workloads (a) to (d). */
  static List<Case> cases() {
    return List.of(
        new Case(
            "a",
            "stateless map -> filter",
            10_000,
            0,
            TributaryJobs.mapFilter(),
            FlinkJobs::mapFilter),
        new Case(
            "b",
            "tumbling window 1 s, 10,000 uniform keys, sum",
            10_000,
            0,
            TributaryJobs.windowSums(),
            FlinkJobs::windowSums),
        new Case(
            "c",
            "tumbling window 1 s, 10,000 Zipf(1.1) keys, sum",
            10_000,
            1.1,
            TributaryJobs.windowSums(),
            FlinkJobs::windowSums),
        new Case(
            "d",
            "running count in ValueState, 10,000 uniform keys",
            10_000,
            0,
            TributaryJobs.runningCount(),
            FlinkJobs::runningCount));
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    long events = 5_000_000;
    int runs = 3;
    String only = "abcd";
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--events" -> events = Long.parseLong(args[i + 1]);
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--only" -> only = args[i + 1].replace(",", "");
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    List<Case> cases = cases();
    MiniCluster cluster = startCluster();
    List<String> rows = new ArrayList<>();
    try {
      System.out.printf(
          Locale.ROOT,
          "%,d events per run, best of %d runs after a warm-up, Java %s, %d cores%n",
          events,
          runs,
          System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors());
      for (Case c : cases) {
        if (only.indexOf(c.id().charAt(0)) < 0) {
          continue;
        }
        Workload workload = new Workload(42, c.keys(), c.zipf());
        List<Double> tributary = new ArrayList<>();
        List<Double> flink = new ArrayList<>();
        long outputs = 0;
        for (int run = 0; run <= runs; run++) {
          Run t = runTributary(c.job(), workload, events);
          Run f = runFlink(cluster, c.flink(), workload, events);
          if (t.outputs() != f.outputs()) {
            throw new IllegalStateException(
                "("
                    + c.id()
                    + ") the engines disagree: tributary emitted "
                    + t.outputs()
                    + " records, flink "
                    + f.outputs());
          }
          outputs = t.outputs();
          if (run > 0) {
            tributary.add(t.eventsPerSecond());
            flink.add(f.eventsPerSecond());
          }
          System.out.printf(
              Locale.ROOT,
              "  (%s) run %d%s: tributary %,.0f ev/s, flink %,.0f ev/s%n",
              c.id(),
              run,
              run == 0 ? " (warm-up)" : "",
              t.eventsPerSecond(),
              f.eventsPerSecond());
        }
        String row =
            String.format(
                Locale.ROOT,
                "| (%s) %s | %,.0f | %,.0f | %,.0f | %,.0f | %.2fx | %.2fx | %,d |",
                c.id(),
                c.name(),
                max(tributary),
                median(tributary),
                max(flink),
                median(flink),
                max(tributary) / max(flink),
                median(tributary) / median(flink),
                outputs);
        rows.add(row);
      }
    } finally {
      cluster.closeAsync().get();
    }
    System.out.println();
    System.out.println(
        "| workload | Tributary best ev/s | Tributary median | Flink best ev/s | Flink median |"
            + " ratio (best) | ratio (median) | outputs (equal on both) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n == 0
        ? 0
        : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static Run runTributary(JobProvider job, Workload workload, long events) {
    long[] count = new long[1];
    RunResult result =
        InMemoryRunner.forJob(job)
            .bind("clicks", generator(workload, events))
            .batchSize(100)
            .onSink(sinkName(job), (value, ts) -> count[0]++)
            .run();
    return new Run(events / (result.elapsed().toNanos() / 1e9), count[0]);
  }

  private static String sinkName(JobProvider job) {
    return dev.tributary.JobGraph.of(job).sinks().stream()
        .map(n -> ((dev.tributary.graph.SinkSpec) n.spec()).sinkName())
        .findFirst()
        .orElseThrow();
  }

  static Iterator<Click> generator(Workload workload, long events) {
    return new Iterator<>() {
      private long i;

      @Override
      public boolean hasNext() {
        return i < events;
      }

      @Override
      public Click next() {
        if (i >= events) {
          throw new NoSuchElementException();
        }
        return workload.click(i++);
      }
    };
  }

  static Run runFlink(MiniCluster cluster, FlinkBuilder builder, Workload workload, long events)
      throws Exception {
    CountingSink.COUNT.set(0);
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
    env.setParallelism(1);
    builder.build(env, workload, events);
    long start = System.nanoTime();
    JobExecutionResult result = cluster.executeJobBlocking(env.getStreamGraph().getJobGraph());
    long wall = System.nanoTime() - start;
    long net = result.getNetRuntime();
    double seconds = net > 0 ? net / 1e3 : wall / 1e9;
    return new Run(events / seconds, CountingSink.COUNT.get());
  }

  static MiniCluster startCluster() throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
    conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
    conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
    conf.set(TaskManagerOptions.HOST, "127.0.0.1");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .setCommonBindAddress("127.0.0.1")
                .build());
    cluster.start();
    return cluster;
  }
}
