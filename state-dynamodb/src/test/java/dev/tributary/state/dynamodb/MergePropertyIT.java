package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobProvider;
import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickTotal;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * Random interleavings (per DynamoDB call, {@link Sequencer}) of two or three splits that share
 * slots, with what {@link InterleavingsIT} leaves out: each split's batches carry their own
 * watermark, input watermark and clock (one split's watermark can pass clicks another still has in
 * flight, as with a parallelization factor above 1), users shared between splits and users of one
 * split, windows opened by one split and added to by another, keys whose state empties (a fired
 * window) and is created again, big batches (several epochs, several key reads), batches delivered
 * again after they committed, and invocations that die right after a commit applied (the batch runs
 * again). Whatever the order, every click counts exactly once (in its window's total, or, event
 * time, as late), no window is emitted twice, every window fires (no timer lost) and no state is
 * left behind. Timer item merges happen in most tries (counted at the end). {@link #TWIN_COPIES}
 * and {@link #ONE_TIME_FIRED_IN_SEVERAL_EPOCHS} add two interleavings that found holes older than
 * the merge (FiredUpToIT); they stay on.
 */
class MergePropertyIT {
  private static DynamoDbLocal local;
  private static final AtomicInteger MERGES = new AtomicInteger();
  private static final AtomicInteger CONFLICTS = new AtomicInteger();
  private static final AtomicInteger FENCED = new AtomicInteger();
  private static final AtomicInteger CRASHES = new AtomicInteger();
  private static final AtomicInteger TRIES = new AtomicInteger();

  @BeforeContainer
  static void start() {
    local = DynamoDbLocal.builder().build();
  }

  @AfterContainer
  static void stop() {
    local.close();
    System.out.printf(
        "MergePropertyIT: %d tries, %d timer item merges, %d conflicts, %d fenced, %d crashes%n",
        TRIES.get(), MERGES.get(), CONFLICTS.get(), FENCED.get(), CRASHES.get());
    // over all tries, not per try: the interleavings this property is for did happen
    if (TRIES.get() >= 100) {
      assertThat(MERGES.get()).as("timer item merges in %d tries", TRIES.get()).isPositive();
      assertThat(FENCED.get()).as("fenced copies in %d tries", TRIES.get()).isPositive();
      assertThat(CRASHES.get()).as("crashes after commit in %d tries", TRIES.get()).isPositive();
    }
  }

  /** Event-time windows (1 s) with a late side output: each click in one total or late, once. */
  @Property(tries = 200)
  void eventTimeWindowsCountEveryClickOnce(@ForAll @IntRange(min = 0, max = 1_000_000) int seed)
      throws Exception {
    run(new EventWindows(), seed, true);
  }

  /** Processing-time windows (100 ms), splits at different clocks: each click in one total. */
  @Property(tries = 150)
  void processingTimeWindowsCountEveryClickOnce(
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed) throws Exception {
    run(new ProcessingWindows(), seed, false);
  }

  /**
   * Few key groups: a lane's due-timer Queries (one per key group, run on a shared pool of 8
   * threads) must all fit the pool at once, or a lane whose Queries wait in the pool's queue
   * neither calls DynamoDB nor finishes, and the {@link Sequencer} waits for it.
   */
  static final int KEY_GROUPS = 2;

  /**
   * Whether split 0 sometimes runs each batch twice at once (a retry while the first invocation
   * still runs). A copy fenced in the middle of a batch answers the checkpoint it read, and the
   * batch is delivered again from there, as the coordinator does (FencedCopyIT).
   */
  static final boolean TWIN_COPIES = true;

  /**
   * Whether big batches may leave more timers of one time due in a slot than one epoch fires (about
   * 44), so that the firing is cut into epochs. Each such commit must store fired-up-to at that
   * time, or another split can open a window that fired again (FiredUpToIT). Off: event-time
   * fillers get windows of their own, processing-time big batches stay below 40 fillers.
   */
  static final boolean ONE_TIME_FIRED_IN_SEVERAL_EPOCHS = true;

  /** {@link ClickWindowSums} (1 s windows, late clicks set aside) with {@link #KEY_GROUPS}. */
  public static final class EventWindows implements JobProvider {
    @Override
    public void build(dev.tributary.StreamEnvironment env) {
      var totals =
          env.jobName("event-windows")
              .maxKeyGroups(KEY_GROUPS)
              .kinesis(ClickWindowSums.SOURCE, dev.tributary.serde.Serdes.json(Click.class))
              .assignTimestampsAndWatermarks(
                  dev.tributary.eventtime.WatermarkStrategy.<Click>forMonotonousTimestamps()
                      .withTimestampAssigner((click, recordTime) -> click.timestamp()))
              .keyBy(Click::userId)
              .window(
                  dev.tributary.windowing.TumblingEventTimeWindows.of(
                      java.time.Duration.ofSeconds(1)))
              .sideOutputLateData(ClickWindowSums.LATE)
              .aggregate(
                  new ClickWindowSums.CountClicks(),
                  dev.tributary.serde.Serdes.longs(),
                  new ClickWindowSums.WithWindow())
              .uid(ClickWindowSums.UID);
      totals.sinkTo(ClickWindowSums.SINK, dev.tributary.serde.Serdes.json(ClickTotal.class));
      totals
          .getSideOutput(ClickWindowSums.LATE)
          .sinkTo(ClickWindowSums.LATE_SINK, dev.tributary.serde.Serdes.json(Click.class));
    }
  }

  /** {@link TimerItemMergeIT.PtWindows} (100 ms processing-time windows) with few key groups. */
  public static final class ProcessingWindows implements JobProvider {
    @Override
    public void build(dev.tributary.StreamEnvironment env) {
      env.jobName("pt-windows")
          .maxKeyGroups(KEY_GROUPS)
          .kinesis("clicks", dev.tributary.serde.Serdes.json(Click.class))
          .keyBy(Click::userId)
          .window(
              dev.tributary.windowing.TumblingProcessingTimeWindows.of(
                  java.time.Duration.ofMillis(100)))
          .aggregate(
              new ClickWindowSums.CountClicks(),
              dev.tributary.serde.Serdes.longs(),
              new ClickWindowSums.WithWindow())
          .uid("pt")
          .sinkTo("totals", dev.tributary.serde.Serdes.json(ClickTotal.class));
    }
  }

  /** One split's input: its batches' clicks, watermarks and clocks. */
  private record Planned(List<Click> clicks, long watermark, long inputWatermark, long clock) {}

  private static void run(JobProvider job, int seed, boolean eventTime) throws Exception {
    Random random = new Random(seed);
    int splits = 2 + random.nextInt(2);
    int slots = 1 + random.nextInt(2);
    // a second invocation of split 0's current batch
    boolean twin = TWIN_COPIES && random.nextInt(3) == 0;
    boolean sameWatermarks = random.nextBoolean(); // else each split its own
    int shared = 1 + random.nextInt(4);
    int sharedPercent = new int[] {0, 15, 50, 70}[random.nextInt(4)]; // clicks of shared users
    int maxBehind = new int[] {0, 300, 1300}[random.nextInt(3)]; // out of order by up to
    int clickIds = 0;
    Map<String, List<Planned>> plans = new java.util.LinkedHashMap<>();
    long[] commonWatermarks = new long[8];
    long cw = Long.MIN_VALUE;
    for (int k = 0; k < commonWatermarks.length; k++) {
      cw = random.nextBoolean() ? cw : Math.max(cw, k * 600L - 400 + random.nextInt(500));
      commonWatermarks[k] = cw;
    }
    for (int s = 0; s < splits; s++) {
      String split = "s" + s;
      List<Planned> batches = new ArrayList<>();
      int count = 3 + random.nextInt(3);
      long watermark = Long.MIN_VALUE;
      long clock = s * 37L;
      for (int k = 0; k < count; k++) {
        List<Click> clicks = new ArrayList<>();
        int n = 1 + random.nextInt(6);
        long maxTs = 0;
        for (int i = 0; i < n; i++) {
          String user =
              random.nextInt(100) < sharedPercent
                  ? "u" + random.nextInt(shared)
                  : split + "-own" + random.nextInt(4);
          long ts = Math.max(0, k * 600L + random.nextInt(900) - random.nextInt(maxBehind + 1));
          maxTs = Math.max(maxTs, ts);
          clicks.add(new Click(user, "c" + clickIds++, ts));
        }
        if (random.nextInt(8) == 0) {
          // a big batch: several epochs, several key reads; its windows fire in several epochs
          int fillers =
              eventTime || ONE_TIME_FIRED_IN_SEVERAL_EPOCHS
                  ? 60 + random.nextInt(80)
                  : 5 + random.nextInt(5); // at most 43 keys with a window at one time
          for (int i = 0; i < fillers; i++) {
            long ts =
                ONE_TIME_FIRED_IN_SEVERAL_EPOCHS
                    ? k * 600L + random.nextInt(300)
                    : (k + i) * 1000L + random.nextInt(1000); // each its own window end
            clicks.add(new Click(split + "-filler" + i, "c" + clickIds++, ts));
          }
        }
        long inputWatermark;
        if (sameWatermarks) {
          inputWatermark = k == 0 ? Long.MIN_VALUE : commonWatermarks[k - 1];
          watermark = commonWatermarks[k];
        } else {
          inputWatermark = random.nextBoolean() ? watermark : Long.MIN_VALUE;
          if (random.nextInt(3) > 0) {
            watermark = Math.max(watermark, maxTs - random.nextInt(1500));
          }
        }
        clock += eventTime ? 0 : 20 + random.nextInt(140);
        if (clock % 100 == 99) {
          // a clock on a window's last millisecond: a click at that clock after the window fired
          // at the same clock opens it again (so would Flink); not what this property checks
          clock++;
        }
        batches.add(new Planned(clicks, watermark, inputWatermark, clock));
      }
      plans.put(split, batches);
    }
    int lanes = splits + (twin ? 1 : 0);
    int[] crashAt = new int[lanes]; // the n-th commit of the lane dies after it applied
    for (int w = 0; w < lanes; w++) {
      crashAt[w] = random.nextInt(3) == 0 ? 1 + random.nextInt(6) : -1;
    }
    List<Integer> choices = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      choices.add(random.nextInt(lanes));
    }
    boolean replays = random.nextBoolean();
    List<Click> all = new ArrayList<>();
    plans.values().forEach(p -> p.forEach(b -> all.addAll(b.clicks())));
    String description =
        String.format(
            "seed %d: %d splits, %d slots, twin %s, same watermarks %s, shared users %d (%d %%),"
                + " behind %d, crashes %s, replays %s",
            seed,
            splits,
            slots,
            twin,
            sameWatermarks,
            shared,
            sharedPercent,
            maxBehind,
            java.util.Arrays.toString(crashAt),
            replays);
    TRIES.incrementAndGet();
    try (Harness h = Harness.on(local, job)) {
      Map<String, List<List<Batch>>> perSlot = new HashMap<>();
      for (Map.Entry<String, List<Planned>> e : plans.entrySet()) {
        List<List<Batch>> out = new ArrayList<>();
        long offset = 0;
        for (Planned p : e.getValue()) {
          List<KeyedRecord> keyed = h.keyed(sourceOf(job), p.clicks(), offset);
          offset += p.clicks().size();
          out.add(
              h.batches(
                  e.getKey(),
                  slots,
                  keyed,
                  p.watermark(),
                  p.clock(),
                  Math.min(p.inputWatermark(), p.watermark())));
        }
        perSlot.put(e.getKey(), out);
      }
      List<String> names = new ArrayList<>(plans.keySet());
      Sequencer sequencer = new Sequencer(lanes);
      AtomicIntegerArray progress = new AtomicIntegerArray(1); // batches split 0 has finished
      List<RunReport> reports = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(lanes);
      List<Future<?>> futures = new ArrayList<>();
      List<DynamoDbClient> clients = new ArrayList<>();
      try {
        for (int w = 0; w < lanes; w++) {
          int lane = w;
          int[] commits = {0};
          ExecutionInterceptor gate = sequencer.gate(lane);
          DynamoDbClient client =
              h.client(
                  new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(
                        Context.BeforeExecution context, ExecutionAttributes attributes) {
                      gate.beforeExecution(context, attributes);
                    }

                    @Override
                    public void afterExecution(
                        Context.AfterExecution context, ExecutionAttributes attributes) {
                      if (context.request() instanceof TransactWriteItemsRequest
                          && ++commits[0] == crashAt[lane]) {
                        CRASHES.incrementAndGet();
                        throw new Calls.Crash("died after commit " + commits[0]);
                      }
                    }
                  },
                  true);
          clients.add(client);
          boolean isTwin = twin && lane == splits;
          String split = isTwin ? names.get(0) : names.get(lane);
          List<List<Batch>> batches = perSlot.get(split);
          Random laneRandom = new Random(seed * 31L + lane);
          futures.add(
              pool.submit(
                  () -> {
                    try {
                      if (isTwin) {
                        // runs whatever batch split 0 is on (never one it has not reached)
                        for (int i = 0; i < batches.size() + 1; i++) {
                          int k = Math.min(progress.get(0), batches.size() - 1);
                          for (Batch b : batches.get(k)) {
                            runOnce(h, client, b, reports);
                          }
                        }
                      } else {
                        for (int k = 0; k < batches.size(); k++) {
                          for (Batch b : batches.get(k)) {
                            runOnce(h, client, b, reports);
                          }
                          if (lane == 0) {
                            progress.set(0, k + 1);
                          }
                          if (replays && k > 0 && laneRandom.nextInt(3) == 0) {
                            // an earlier batch delivered again: all of it is skipped
                            for (Batch b : batches.get(laneRandom.nextInt(k + 1))) {
                              runOnce(h, client, b, reports);
                            }
                          }
                        }
                      }
                    } finally {
                      sequencer.done(lane);
                    }
                    return null;
                  }));
        }
        sequencer.play(choices);
        for (Future<?> f : futures) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        clients.forEach(DynamoDbClient::close);
      }
      for (int slot = 0; slot < slots; slot++) {
        h.runner().run(Batch.tick(slot, slots, Long.MAX_VALUE, 1_000_000));
      }
      MERGES.addAndGet(reports.stream().mapToInt(RunReport::timerItemMerges).sum());
      CONFLICTS.addAndGet(reports.stream().mapToInt(RunReport::conflicts).sum());
      FENCED.addAndGet((int) reports.stream().filter(RunReport::fenced).count());
      check(h, all, eventTime, description);
    }
  }

  private static String sourceOf(JobProvider job) {
    return "clicks";
  }

  /** Runs {@code b}; an invocation that dies runs again (as Lambda retries it). */
  /**
   * Runs {@code b} as the mapping delivers it: again after a crash, and, as the coordinator answers
   * the first record after the checkpoint a run reports, again from there until that checkpoint
   * reaches the batch's last record (a copy fenced by another that has not finished the batch).
   */
  private static void runOnce(Harness h, DynamoDbClient client, Batch b, List<RunReport> reports) {
    Batch pending = b;
    for (int attempt = 0; ; attempt++) {
      RunReport r;
      try {
        r = h.runner(client).run(pending);
      } catch (Calls.Crash e) {
        if (attempt > 3) {
          throw e;
        }
        continue;
      }
      reports.add(r);
      pending = Harness.rest(pending, r.committedThrough());
      if (pending.records().isEmpty() || attempt > 20) {
        assertThat(pending.records()).as("records left after 20 deliveries").isEmpty();
        return;
      }
    }
  }

  private static void check(Harness h, List<Click> all, boolean eventTime, String description) {
    String sink = eventTime ? ClickWindowSums.SINK : "totals";
    List<ClickTotal> totals = h.outbox(sink);
    Map<String, Long> byWindow = new TreeMap<>();
    for (ClickTotal t : totals) {
      String w = t.userId() + "@" + t.windowStart();
      assertThat(byWindow.put(w, t.clicks()))
          .as(
              "%s: window %s emitted once: %s",
              description, w, totals.stream().filter(o -> o.userId().equals(t.userId())).toList())
          .isNull();
    }
    Map<String, Long> expected = new TreeMap<>();
    Set<String> users = new HashSet<>();
    all.forEach(c -> users.add(c.userId()));
    if (eventTime) {
      List<Click> late = h.outbox(ClickWindowSums.LATE_SINK);
      Set<String> lateIds = new HashSet<>();
      for (Click c : late) {
        assertThat(lateIds.add(c.page()))
            .as("%s: late click %s set aside once", description, c)
            .isTrue();
      }
      for (Click c : all) {
        if (!lateIds.contains(c.page())) {
          expected.merge(c.userId() + "@" + (c.timestamp() - c.timestamp() % 1000), 1L, Long::sum);
        }
      }
      assertThat(byWindow)
          .as("%s: window totals (clicks not set aside as late, each once)", description)
          .isEqualTo(expected);
    } else {
      long sum = byWindow.values().stream().mapToLong(Long::longValue).sum();
      assertThat(sum)
          .as("%s: clicks in all totals: %s", description, byWindow)
          .isEqualTo(all.size());
      Map<String, Long> perUser = new TreeMap<>();
      byWindow.forEach((w, n) -> perUser.merge(w.substring(0, w.indexOf('@')), n, Long::sum));
      Map<String, Long> clicksPerUser = new TreeMap<>();
      all.forEach(c -> clicksPerUser.merge(c.userId(), 1L, Long::sum));
      assertThat(perUser).as("%s: clicks per user", description).isEqualTo(clicksPerUser);
    }
    String uid = eventTime ? ClickWindowSums.UID : "pt";
    for (String user : users) {
      assertThat(h.itemsOfKey(uid, user))
          .as("%s: state left for %s after every window fired", description, user)
          .isZero();
    }
  }
}
