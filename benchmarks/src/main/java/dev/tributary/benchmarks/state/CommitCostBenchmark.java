package dev.tributary.benchmarks.state;

import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import dev.tributary.state.dynamodb.Batch;
import dev.tributary.state.dynamodb.KeyedRecord;
import dev.tributary.state.dynamodb.KeyedStageRunner;
import dev.tributary.state.dynamodb.Position;
import dev.tributary.state.dynamodb.RunReport;
import dev.tributary.state.dynamodb.StateTables;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * What the commit protocol costs in DynamoDB write units, against the floor: for every committed
 * transaction, the distinct keys it wrote plus its commit items (checkpoint and outbox pages), each
 * item 2 units per KB (rounded up) as DynamoDB bills transactional writes. Anything above the floor
 * is overhead: timer items, redone commits, cleanup. Also reports the commits per second the
 * protocol sustains against the embedded endpoint, with one and with four concurrent splits.
 *
 * <pre>
 * ./scripts/benchmark-state.sh [--records N]
 * </pre>
 */
public final class CommitCostBenchmark {
  private CommitCostBenchmark() {}

  /** A record of the benchmark job. */
  public record Event(String key, long amount) {}

  /** Per-key sums, optionally with an output per record (a running total). */
  public static final class SumJob implements JobProvider {
    private final boolean emit;

    /** The job; {@code emit} adds one output per record. */
    public SumJob(boolean emit) {
      this.emit = emit;
    }

    @Override
    public void build(StreamEnvironment env) {
      env.jobName(emit ? "running-totals" : "sums")
          .kinesis("events", Serdes.json(Event.class))
          .keyBy(Event::key)
          .process(new Sum(emit))
          .uid("sum")
          .sinkTo("totals", Serdes.string());
    }
  }

  /**
   * Per-key sums in 1-second event-time windows (timers on every window): tumbling, or sliding by
   * {@code slide} (each key then has several windows, and timers, open at once).
   */
  public static final class WindowJob implements JobProvider {
    private final Duration slide;

    /** Tumbling windows. */
    public WindowJob() {
      this(null);
    }

    /** Windows sliding by {@code slide}; null: tumbling. */
    public WindowJob(Duration slide) {
      this.slide = slide;
    }

    @Override
    public void build(StreamEnvironment env) {
      env.jobName("window-sums")
          .kinesis("events", Serdes.json(Event.class))
          .assignTimestampsAndWatermarks(
              dev.tributary.eventtime.WatermarkStrategy.<Event>forMonotonousTimestamps()
                  .withTimestampAssigner((e, recordTime) -> recordTime))
          .keyBy(Event::key)
          .window(
              slide == null
                  ? dev.tributary.windowing.TumblingEventTimeWindows.of(Duration.ofSeconds(1))
                  : dev.tributary.windowing.SlidingEventTimeWindows.of(
                      Duration.ofSeconds(1), slide))
          .reduce((a, b) -> new Event(a.key(), a.amount() + b.amount()))
          .uid("window-sum")
          .sinkTo("sums", Serdes.json(Event.class));
    }
  }

  /** Adds amounts per key. */
  static final class Sum extends KeyedProcessFunction<String, Event, String> {
    static final ValueStateDescriptor<Long> TOTAL = new ValueStateDescriptor<>("total", Long.class);
    private final boolean emit;
    private transient ValueState<Long> total;

    Sum(boolean emit) {
      this.emit = emit;
    }

    @Override
    public void open(OpenContext context) {
      total = getRuntimeContext().getState(TOTAL);
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<String> out) throws Exception {
      long now = (total.value() == null ? 0 : total.value()) + e.amount();
      total.update(now);
      if (emit) {
        out.collect(e.key() + "=" + now);
      }
    }
  }

  /**
   * The kinds of actions a commit holds, by the item they write (docs/protocol.md, "One
   * invocation"), in the order the report prints them.
   */
  static final List<String> KINDS =
      List.of(
          "key put",
          "key delete",
          "key check",
          "spill",
          "timer index put",
          "timer index delete",
          "timer item",
          "checkpoint",
          "outbox page",
          "other");

  /** The kind of {@code item}, one of {@link #KINDS}. */
  static String kind(TransactWriteItem item) {
    Map<String, AttributeValue> key;
    String table;
    String verb;
    if (item.put() != null) {
      key = item.put().item();
      table = item.put().tableName();
      verb = " put";
    } else if (item.delete() != null) {
      key = item.delete().key();
      table = item.delete().tableName();
      verb = " delete";
    } else if (item.conditionCheck() != null) {
      key = item.conditionCheck().key();
      table = item.conditionCheck().tableName();
      verb = " check";
    } else {
      return "other";
    }
    if (table.endsWith("-outbox")) {
      return "outbox page";
    }
    String pk = key.get("pk").s();
    String sk = key.get("sk").s();
    if (pk.startsWith("K#")) {
      return sk.equals("#") ? "key" + verb : "spill";
    }
    if (pk.startsWith("T#") && !verb.equals(" check")) {
      return "timer index" + verb;
    }
    if (pk.startsWith("F#")) {
      return "timer item";
    }
    if (pk.startsWith("C#")) {
      return "checkpoint";
    }
    return "other";
  }

  /** Counts the floor of every committed transaction, and its actions by kind. */
  static final class Floor implements ExecutionInterceptor {
    double units;
    int transactions;
    final Map<String, Long> actions = new java.util.HashMap<>();

    @Override
    public synchronized void afterExecution(
        Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof TransactWriteItemsRequest request) {
        transactions++;
        for (TransactWriteItem item : request.transactItems()) {
          actions.merge(kind(item), 1L, Long::sum);
          if (item.put() != null) {
            String pk = item.put().item().get("pk").s();
            boolean floorItem =
                pk.startsWith("K#")
                    || pk.startsWith("C#")
                    || !item.put().tableName().endsWith("-state");
            if (floorItem) {
              units += 2 * Math.ceil(ItemSizes.item(item.put().item()) / 1024.0);
            }
          }
        }
      }
    }
  }

  /** One workload's figures. */
  record Result(
      String name,
      long records,
      int epochs,
      double writeUnits,
      double floor,
      double readUnits,
      int conflicts,
      double seconds,
      Map<String, Long> actions) {
    /** The actions of the committed transactions, by kind ({@link #KINDS}). */
    Result {
      actions = Map.copyOf(actions);
    }

    /** This workload's actions per record, in all and by kind. */
    String actionsRow() {
      StringBuilder row = new StringBuilder("| " + name + " | ");
      long all = actions.values().stream().mapToLong(Long::longValue).sum();
      row.append(String.format(Locale.ROOT, "%.3f |", (double) all / records));
      for (String kind : KINDS) {
        row.append(
            String.format(
                Locale.ROOT, " %.3f |", (double) actions.getOrDefault(kind, 0L) / records));
      }
      return row.toString();
    }

    String row() {
      return String.format(
          Locale.ROOT,
          "| %s | %,d | %,d | %,.0f | %,.0f | %.3f | %.3f | %.1f | %d | %,.0f |",
          name,
          records,
          epochs,
          writeUnits,
          floor,
          writeUnits / records,
          writeUnits / floor,
          readUnits / records,
          conflicts,
          epochs / seconds);
    }
  }

  /** Keys of a workload. */
  interface Keys {
    String next(Random random);
  }

  static Keys uniform(int n) {
    return r -> "k" + r.nextInt(n);
  }

  /** {@code n} keys in turn: exactly batch / n records per key per batch. */
  static Keys cycle(int n) {
    int[] next = {0};
    return r -> "k" + (next[0]++ % n);
  }

  /** Zipf-distributed keys over {@code n} keys with exponent {@code s}. */
  static Keys zipf(int n, double s) {
    dev.tributary.examples.KeyDistribution keys = new dev.tributary.examples.KeyDistribution(n, s);
    return r -> "k" + keys.index(r.nextDouble());
  }

  /** Runs {@code records} records in batches of {@code batchSize} over {@code splits} splits. */
  static Result run(
      URI endpoint,
      String name,
      JobProvider job,
      Keys keys,
      int records,
      int batchSize,
      int splits,
      int slots,
      long msPerRecord)
      throws Exception {
    JobGraph graph = JobGraph.of(job);
    int exchange = graph.exchanges().get(0).id();
    StateTables tables = StateTables.withPrefix("bench-" + name.replaceAll("[^a-z0-9]", "-"));
    Floor floor = new Floor();
    try (DynamoDbClient client = client(endpoint, floor)) {
      tables.createIfMissing(client);
      ExecutorService pool = Executors.newFixedThreadPool(splits);
      List<Future<double[]>> futures = new ArrayList<>();
      AtomicInteger conflicts = new AtomicInteger();
      long start = System.nanoTime();
      for (int s = 0; s < splits; s++) {
        int split = s;
        futures.add(
            pool.submit(
                () -> {
                  Random random = new Random(split);
                  KeyedStageRunner runner = new KeyedStageRunner(client, tables, graph);
                  double[] sums = new double[3];
                  int perSplit = records / splits;
                  for (int from = 0; from < perSplit; from += batchSize) {
                    List<List<KeyedRecord>> bySlot = new ArrayList<>();
                    for (int i = 0; i < slots; i++) {
                      bySlot.add(new ArrayList<>());
                    }
                    for (int i = from; i < Math.min(perSplit, from + batchSize); i++) {
                      String key = keys.next(random);
                      int kg =
                          KeyGroups.keyGroupOf(
                              key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                              graph.maxKeyGroups());
                      bySlot
                          .get(KeyGroups.slotOf(kg, graph.maxKeyGroups(), slots))
                          .add(
                              new KeyedRecord(
                                  exchange,
                                  key,
                                  new Event(key, 1 + random.nextInt(100)),
                                  msPerRecord == 0 ? Long.MIN_VALUE : i * msPerRecord,
                                  Position.of(i, 0)));
                    }
                    long watermark =
                        msPerRecord == 0
                            ? Long.MIN_VALUE
                            : (Math.min(perSplit, from + batchSize) - 1) * msPerRecord - 1;
                    for (int slot = 0; slot < slots; slot++) {
                      if (bySlot.get(slot).isEmpty() && msPerRecord == 0) {
                        continue;
                      }
                      RunReport r =
                          runner.run(
                              new Batch(
                                  "split-" + split, slot, slots, bySlot.get(slot), watermark, 0));
                      sums[0] += r.writeUnits();
                      sums[1] += r.readUnits();
                      sums[2] += r.epochs();
                      conflicts.addAndGet(r.conflicts());
                    }
                  }
                  return sums;
                }));
      }
      double writeUnits = 0;
      double readUnits = 0;
      int epochs = 0;
      for (Future<double[]> f : futures) {
        double[] sums = f.get();
        writeUnits += sums[0];
        readUnits += sums[1];
        epochs += (int) sums[2];
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      pool.shutdown();
      return new Result(
          name,
          (long) records / splits * splits,
          epochs,
          writeUnits,
          floor.units,
          readUnits,
          conflicts.get(),
          seconds,
          floor.actions);
    }
  }

  static DynamoDbClient client(URI endpoint, ExecutionInterceptor interceptor) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(
            software.amazon.awssdk.http.apache.ApacheHttpClient.builder()
                .socketTimeout(Duration.ofSeconds(30))
                .maxConnections(16)
                .build())
        .overrideConfiguration(o -> o.addExecutionInterceptor(interceptor))
        .build();
  }

  /** Every workload of the report, at {@code records} records each. */
  static List<Result> all(URI endpoint, int records) throws Exception {
    List<Result> results = new ArrayList<>();
    JobProvider sums = new SumJob(false);
    run(endpoint, "warm-up", sums, uniform(100_000), Math.max(2000, records / 4), 500, 1, 1, 0);
    JobProvider totals = new SumJob(true);
    results.add(run(endpoint, "uniform 100k keys", sums, uniform(100_000), records, 500, 1, 1, 0));
    results.add(
        run(endpoint, "zipf 1.1 100k keys", sums, zipf(100_000, 1.1), records, 500, 1, 1, 0));
    results.add(
        run(endpoint, "uniform + output/record", totals, uniform(100_000), records, 500, 1, 1, 0));
    results.add(
        run(
            endpoint,
            "1 s windows, 1k keys",
            new WindowJob(),
            uniform(1000),
            records,
            500,
            1,
            1,
            2));
    results.add(
        run(
            endpoint,
            "1 s windows sliding by 250 ms, 1k keys",
            new WindowJob(Duration.ofMillis(250)),
            uniform(1000),
            records,
            500,
            1,
            1,
            2));
    results.add(run(endpoint, "40 records/key/epoch", sums, cycle(20), records, 800, 1, 1, 0));
    results.add(run(endpoint, "50 records/key/epoch", sums, cycle(20), records, 1000, 1, 1, 0));
    results.add(run(endpoint, "100 records/key/epoch", sums, cycle(20), records, 2000, 1, 1, 0));
    results.add(
        run(
            endpoint,
            "4 splits, 4 slots, 100k keys",
            sums,
            uniform(100_000),
            records,
            500,
            4,
            4,
            0));
    results.add(run(endpoint, "4 splits, 50 shared keys", sums, uniform(50), records, 50, 4, 1, 0));
    return results;
  }

  /** Prints the report as a Markdown table. */
  public static void main(String[] args) throws Exception {
    int records = 20_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--records")) {
        records = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException(
            "unknown option '" + args[i] + "'; the option is --records N");
      }
    }
    try (DynamoDbLocal local = DynamoDbLocal.builder().build()) {
      List<Result> results = all(local.endpoint(), records);
      System.out.println(
          "| workload | records | commits | write units | floor | WU/record | WU/floor |"
              + " RU/record | conflicts | commits/s |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      for (Result r : Collections.unmodifiableList(results)) {
        System.out.println(r.row());
      }
      System.out.println();
      System.out.println(
          "Transactional write actions per record, by the item they write (committed"
              + " transactions only):");
      System.out.println();
      System.out.println("| workload | all | " + String.join(" | ", KINDS) + " |");
      System.out.println("|---|---|" + "---|".repeat(KINDS.size()));
      for (Result r : results) {
        System.out.println(r.actionsRow());
      }
    }
  }
}
