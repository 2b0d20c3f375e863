package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.functions.TimeDomain;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Random operations on a few keys' event- and processing-time timers (registered, deleted, the
 * earliest moving several times in one batch as fired timers register later ones), with fillers
 * that cut batches into epochs, keys turned to the per-timer layout in the middle, crashes after
 * commits, and a second split on the same slot run before a random request of the first (torn
 * reads, the index cache after another writer's commit, timer item merges). Each run ends with
 * every timer that was registered and not deleted fired exactly once, each key's firings as one
 * uninterrupted serial run gives them (single split), and the index matching the key items after
 * every batch (docs/protocol.md, "The timer index: one item per key").
 */
class KeyTimerIndexPropertyIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static final java.util.concurrent.atomic.AtomicInteger MERGES =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger CONFLICTS =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger CRASHES =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger INTERLEAVED =
      new java.util.concurrent.atomic.AtomicInteger();

  @org.junit.jupiter.api.AfterAll
  static void counts() {
    System.out.printf(
        "KeyTimerIndexPropertyIT: %d crashes after commit, %d batches run inside another, %d"
            + " merges, %d conflicts%n",
        CRASHES.get(), INTERLEAVED.get(), MERGES.get(), CONFLICTS.get());
  }

  /** One operation. */
  public record Op(String key, String kind, long n) {}

  /** The job: few key groups, so that keys share them. */
  public static final class Job implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("ixp")
          .maxKeyGroups(4)
          .kinesis("ops", Serdes.json(Op.class))
          .keyBy(Op::key)
          .process(new Fn())
          .uid("ops")
          .sinkTo("out", Serdes.string());
    }
  }

  /**
   * et / pt: register an event / processing-time timer at n; de / dp: delete it; set: count only.
   * Every op and every event-time firing counts; a firing emits {@code key@E time=count} or {@code
   * key@P time}, and a timer at a multiple of 3 registers one 70 (event) or 40 (processing) later.
   */
  public static final class Fn extends KeyedProcessFunction<String, Op, String> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
    }

    private long bump() throws Exception {
      long c = count.value() == null ? 1 : count.value() + 1;
      count.update(c);
      return c;
    }

    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) throws Exception {
      bump();
      switch (op.kind()) {
        case "et" -> ctx.timerService().registerEventTimeTimer(op.n());
        case "pt" -> ctx.timerService().registerProcessingTimeTimer(op.n());
        case "de" -> ctx.timerService().deleteEventTimeTimer(op.n());
        case "dp" -> ctx.timerService().deleteProcessingTimeTimer(op.n());
        case "set" -> {}
        default -> throw new IllegalArgumentException(op.kind());
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
        throws Exception {
      boolean event = ctx.timeDomain() == TimeDomain.EVENT_TIME;
      if (event) {
        out.collect(ctx.getCurrentKey() + "@E" + timestamp + "=" + bump());
      } else {
        // the order of one key's event- and processing-time firings is not defined (a commit
        // that cuts a firing, then a crash, changes it): a processing-time firing counts nothing
        out.collect(ctx.getCurrentKey() + "@P" + timestamp);
      }
      if (timestamp % 3 == 0) {
        if (event) {
          ctx.timerService().registerEventTimeTimer(timestamp + 70);
        } else {
          ctx.timerService().registerProcessingTimeTimer(timestamp + 40);
        }
      }
    }
  }

  /** A generated run: per round, the ops of each split, and where keys turn per-timer. */
  record Plan(List<List<List<Op>>> rounds, int legacyBefore, long[] inputWatermarks, int[] slots) {}

  static long watermark(int round) {
    return 1_000L * (round + 1);
  }

  /**
   * Times a record registers are never 1 mod 3, so a chained timer (1 mod 3) never meets one; a
   * delete only names a timer its split registered that cannot have fired yet.
   */
  static Plan plan(long seed, int splits) {
    Random r = new Random(seed);
    int rounds = 3 + r.nextInt(3);
    List<List<List<Op>>> out = new ArrayList<>();
    List<Map<String, TreeSet<Long>>> eventOf = new ArrayList<>();
    List<Map<String, TreeSet<Long>>> procOf = new ArrayList<>();
    for (int s = 0; s < splits; s++) {
      eventOf.add(new LinkedHashMap<>());
      procOf.add(new LinkedHashMap<>());
    }
    long[] inputWatermarks = new long[rounds];
    // a third of the runs keep every timer past the rounds' watermarks until the last tick: no
    // commit then moves fired-up-to, and a commit that lost only the timer item merges it
    long far = seed % 3 == 0 ? 20_000 : 0;
    for (int i = 0; i < rounds; i++) {
      long w = watermark(i);
      inputWatermarks[i] = r.nextInt(3) == 0 && i > 0 ? w - 400 : Long.MIN_VALUE;
      List<List<Op>> perSplit = new ArrayList<>();
      for (int s = 0; s < splits; s++) {
        List<Op> ops = new ArrayList<>();
        int main = 4 + r.nextInt(20);
        int fill = r.nextInt(3) == 0 ? 0 : 20 + r.nextInt(60);
        List<Op> fillers = new ArrayList<>();
        for (int f = 0; f < fill; f++) {
          fillers.add(new Op("f" + s + "_" + f, r.nextInt(4) == 0 ? "et" : "set", w + 3_000 + far));
        }
        List<Op> mains = new ArrayList<>();
        for (int m = 0; m < main; m++) {
          boolean shared = splits > 1 && r.nextInt(4) == 0;
          String key = shared ? "s" + r.nextInt(2) : (char) ('a' + s) + "" + r.nextInt(4);
          int kind = r.nextInt(20);
          if (shared && kind >= 12 && kind < 17) {
            kind = 17; // a delete on a key both splits use would depend on their order
          }
          TreeSet<Long> ev = eventOf.get(s).computeIfAbsent(key, k -> new TreeSet<>());
          TreeSet<Long> pr = procOf.get(s).computeIfAbsent(key, k -> new TreeSet<>());
          if (kind < 8) {
            long t = time(r, w) + far;
            ev.add(t);
            mains.add(new Op(key, "et", t));
          } else if (kind < 12) {
            long t = time(r, w) + far;
            pr.add(t);
            mains.add(new Op(key, "pt", t));
          } else if (kind < 16) {
            TreeSet<Long> open = new TreeSet<>(ev.tailSet(w, false));
            if (!open.isEmpty()) {
              long t = r.nextBoolean() ? open.first() : pick(r, open);
              mains.add(new Op(key, "de", t));
            }
          } else if (kind < 17) {
            TreeSet<Long> open = new TreeSet<>(pr.tailSet(w, false));
            if (!open.isEmpty()) {
              long t = r.nextBoolean() ? open.first() : pick(r, open);
              mains.add(new Op(key, "dp", t));
            }
          } else {
            mains.add(new Op(key, "set", 0));
          }
        }
        // the fillers around and among the main ops
        int cut = fillers.isEmpty() ? 0 : r.nextInt(fillers.size() + 1);
        ops.addAll(fillers.subList(0, cut));
        ops.addAll(mains);
        ops.addAll(fillers.subList(cut, fillers.size()));
        perSplit.add(ops);
      }
      out.add(perSplit);
    }
    int legacyBefore = r.nextBoolean() ? 1 + r.nextInt(rounds - 1) : -1;
    int[] slots = new int[rounds + 1];
    for (int i = 0; i <= rounds; i++) {
      slots[i] = new int[] {1, 2, 4}[r.nextInt(3)];
    }
    return new Plan(out, legacyBefore, inputWatermarks, slots);
  }

  /** Rewrites the keys to the per-timer layout ({@link KeyTimerIndexIT#toItemPerTimer}). */
  static void legacy(Harness h) {
    KeyTimerIndexIT.toItemPerTimer(h);
  }

  private static long time(Random r, long w) {
    long t;
    do {
      t = w + 1 + r.nextInt(2_500);
    } while (t % 3 == 1);
    return t;
  }

  private static long pick(Random r, TreeSet<Long> set) {
    List<Long> l = new ArrayList<>(set);
    return l.get(r.nextInt(l.size()));
  }

  /** The firings the plan must end with, each once: {@code key@E|P time}. */
  static TreeMap<String, Integer> expectedFirings(Plan plan) {
    Map<String, TreeSet<Long>> ev = new TreeMap<>();
    Map<String, TreeSet<Long>> pr = new TreeMap<>();
    for (List<List<Op>> round : plan.rounds()) {
      for (List<Op> ops : round) {
        for (Op op : ops) {
          TreeSet<Long> e = ev.computeIfAbsent(op.key(), k -> new TreeSet<>());
          TreeSet<Long> p = pr.computeIfAbsent(op.key(), k -> new TreeSet<>());
          switch (op.kind()) {
            case "et" -> e.add(op.n());
            case "pt" -> p.add(op.n());
            case "de" -> e.remove(op.n());
            case "dp" -> p.remove(op.n());
            default -> {}
          }
        }
      }
    }
    TreeMap<String, Integer> out = new TreeMap<>();
    firings(ev, "@E", 70, out);
    firings(pr, "@P", 40, out);
    return out;
  }

  /**
   * Adds the firings of {@code timers} (key to times) to {@code out}: each once, and a time that is
   * a multiple of 3 also registers one {@code chained} later.
   */
  private static void firings(
      Map<String, ? extends java.util.Collection<Long>> timers,
      String domain,
      long chained,
      TreeMap<String, Integer> out) {
    timers.forEach(
        (k, ts) ->
            ts.forEach(
                t -> {
                  out.merge(k + domain + t, 1, Integer::sum);
                  if (t % 3 == 0) {
                    out.merge(k + domain + (t + chained), 1, Integer::sum);
                  }
                }));
  }

  static TreeMap<String, Integer> firings(List<String> outputs) {
    TreeMap<String, Integer> out = new TreeMap<>();
    for (String s : outputs) {
      out.merge(s.contains("=") ? s.substring(0, s.indexOf('=')) : s, 1, Integer::sum);
    }
    return out;
  }

  /**
   * Each key's outputs per time domain, in outbox order (within a domain, and against the key's
   * records, the order is one serial run's).
   */
  static Map<String, List<String>> perKey(List<String> outputs) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String s : outputs) {
      out.computeIfAbsent(s.substring(0, s.indexOf('@') + 2), k -> new ArrayList<>()).add(s);
    }
    return out;
  }

  private static Batch batch(Harness h, String split, List<Op> ops, long offset, int i, Plan p) {
    return batch(h, split, ops, offset, i, p, i);
  }

  /** The batch of round i, at the watermark and clock of round {@code at} (a split behind). */
  private static Batch batch(
      Harness h, String split, List<Op> ops, long offset, int i, Plan p, int at) {
    List<Batch> b =
        h.batches(
            split,
            1,
            h.keyed("ops", ops, offset),
            watermark(at),
            watermark(at),
            at == i ? p.inputWatermarks()[i] : Long.MIN_VALUE);
    return b.get(0);
  }

  private static final long END = 1_000_000;

  /** One split, no faults: the reference. */
  static List<String> serial(Plan plan) {
    try (Harness h = Harness.on(local, new Job())) {
      long offset = 0;
      for (int i = 0; i < plan.rounds().size(); i++) {
        if (i == plan.legacyBefore()) {
          legacy(h);
        }
        List<Op> ops = plan.rounds().get(i).get(0);
        h.runner().run(batch(h, "a", ops, offset, i, plan));
        offset += ops.size();
        KeyTimerIndexIT.assertIndexMatchesKeys(h);
      }
      h.runner().run(Batch.tick(0, 1, END, END));
      KeyTimerIndexIT.assertIndexMatchesKeys(h);
      assertThat(KeyTimerIndexIT.indexItems(h)).isEmpty();
      return h.outboxText("out");
    }
  }

  /** One split, each batch dying after a random commit once or twice before it runs through. */
  static List<String> crashing(Plan plan, long seed) {
    Random r = new Random(seed * 31 + 7);
    try (Harness h = Harness.on(local, new Job())) {
      long offset = 0;
      for (int i = 0; i < plan.rounds().size(); i++) {
        if (i == plan.legacyBefore()) {
          legacy(h);
        }
        List<Op> ops = plan.rounds().get(i).get(0);
        Batch b = batch(h, "a", ops, offset, i, plan);
        if (r.nextInt(4) != 0 && h.crashesAfterCommit(b, 1 + r.nextInt(4))) {
          CRASHES.incrementAndGet();
          if (r.nextBoolean() && h.crashesAfterCommit(b, 1 + r.nextInt(3))) {
            CRASHES.incrementAndGet();
          }
        }
        h.runner().run(b);
        offset += ops.size();
        KeyTimerIndexIT.assertIndexMatchesKeys(h);
      }
      Batch tick = Batch.tick(0, 1, END, END);
      if (r.nextBoolean()) {
        h.crashesAfterCommit(tick, 1);
      }
      h.runner().run(tick);
      KeyTimerIndexIT.assertIndexMatchesKeys(h);
      assertThat(KeyTimerIndexIT.indexItems(h)).isEmpty();
      return h.outboxText("out");
    }
  }

  /** One split whose slot count changes between rounds (1, 2 or 4), in serial. */
  static List<String> rescaled(Plan plan, long seed, boolean crash) {
    Random r = new Random(seed * 13 + 5);
    try (Harness h = Harness.on(local, new Job())) {
      long offset = 0;
      int rounds = plan.rounds().size();
      for (int i = 0; i < rounds; i++) {
        if (i == plan.legacyBefore()) {
          legacy(h);
        }
        List<Op> ops = plan.rounds().get(i).get(0);
        for (Batch b :
            h.batches(
                "a",
                plan.slots()[i],
                h.keyed("ops", ops, offset),
                watermark(i),
                watermark(i),
                plan.inputWatermarks()[i])) {
          if (crash && r.nextBoolean() && h.crashesAfterCommit(b, 1 + r.nextInt(3))) {
            CRASHES.incrementAndGet();
          }
          h.runner().run(b);
        }
        offset += ops.size();
        KeyTimerIndexIT.assertIndexMatchesKeys(h);
      }
      int last = plan.slots()[rounds];
      for (int slot = 0; slot < last; slot++) {
        Batch tick = Batch.tick(slot, last, END, END);
        if (crash && r.nextBoolean() && h.crashesAfterCommit(tick, 1)) {
          CRASHES.incrementAndGet();
        }
        h.runner().run(tick);
      }
      KeyTimerIndexIT.assertIndexMatchesKeys(h);
      assertThat(KeyTimerIndexIT.indexItems(h)).isEmpty();
      return h.outboxText("out");
    }
  }

  @Test
  void slotCountChangesAndCrashesEndAsOneSerialRun() {
    eachSeedMatches(
        (plan, seed) -> rescaled(plan, seed, false), (plan, seed) -> rescaled(plan, seed, true));
  }

  @Test
  void crashesAfterCommitsEndAsOneSerialRun() {
    eachSeedMatches((plan, seed) -> serial(plan), KeyTimerIndexPropertyIT::crashing);
  }

  /** One way to run a plan: the outputs it committed. */
  private interface Run {
    List<String> of(Plan plan, long seed);
  }

  /**
   * For each seed: the reference fires every timer of the plan once, and the other run fires the
   * same per key and domain.
   */
  private void eachSeedMatches(Run reference, Run other) {
    List<String> bad = new ArrayList<>();
    for (long seed = 1; seed <= Long.getLong("ixp.seeds", 80); seed++) {
      Plan plan = plan(seed, 1);
      try {
        List<String> expected = reference.of(plan, seed);
        assertThat(firings(expected))
            .as("seed %d: the reference fires every timer once", seed)
            .isEqualTo(expectedFirings(plan));
        assertThat(perKey(other.of(plan, seed))).as("seed %d", seed).isEqualTo(perKey(expected));
      } catch (AssertionError | RuntimeException e) {
        bad.add("seed " + seed + ": " + e.getMessage());
      }
    }
    assertThat(bad).isEmpty();
  }

  /**
   * Two splits on one slot with their own keys: the second's batch of each round runs right before
   * a random request of the first's (between its Query and its key reads, its reads and its commit,
   * ...), with the same process's index cache. Every timer fires once.
   */
  @Test
  void aSecondSplitBeforeAnyRequestLosesAndRepeatsNoTimer() {
    List<String> bad = new ArrayList<>();
    for (long seed = 1; seed <= Long.getLong("ixp.seeds", 80); seed++) {
      Plan plan = plan(seed, 2);
      Random r = new Random(seed * 17 + 3);
      try (Harness h = Harness.on(local, new Job())) {
        long[] offsets = {0, 0};
        for (int i = 0; i < plan.rounds().size(); i++) {
          if (i == plan.legacyBefore()) {
            legacy(h);
          }
          int first = r.nextInt(2);
          int other = 1 - first;
          String[] names = {"a", "b"};
          List<Op> firstOps = plan.rounds().get(i).get(first);
          List<Op> otherOps = plan.rounds().get(i).get(other);
          // either split may trail the other by a round (its commits then move no fired-up-to:
          // the other's commit can merge the timer item over them)
          int lag = i == 0 ? 0 : seed % 3 == 0 && r.nextInt(4) != 0 ? 2 : r.nextInt(4);
          Batch fb =
              batch(
                  h,
                  names[first],
                  firstOps,
                  offsets[first],
                  i,
                  plan,
                  lag == 1 || lag == 3 ? i - 1 : i);
          Batch ob =
              batch(h, names[other], otherOps, offsets[other], i, plan, lag >= 2 ? i - 1 : i);
          offsets[first] += firstOps.size();
          offsets[other] += otherOps.size();
          int n = 1 + r.nextInt(12);
          boolean[] ran = {false};
          int[] seen = {0};
          try (DynamoDbClient interrupted =
              h.client(
                  new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(
                        Context.BeforeExecution context, ExecutionAttributes attributes) {
                      if (++seen[0] == n && !ran[0]) {
                        ran[0] = true;
                        h.runner().run(ob);
                      }
                    }
                  },
                  false)) {
            RunReport rep = h.runner(interrupted).run(fb);
            MERGES.addAndGet(rep.timerItemMerges());
            CONFLICTS.addAndGet(rep.conflicts());
          }
          if (!ran[0]) {
            h.runner().run(ob);
          } else {
            INTERLEAVED.incrementAndGet();
          }
          KeyTimerIndexIT.assertIndexMatchesKeys(h);
        }
        h.runner().run(Batch.tick(0, 1, END, END));
        KeyTimerIndexIT.assertIndexMatchesKeys(h);
        assertThat(KeyTimerIndexIT.indexItems(h)).isEmpty();
        assertThat(firings(h.outboxText("out")))
            .as("seed %d", seed)
            .isEqualTo(expectedFirings(plan));
      } catch (AssertionError | RuntimeException e) {
        bad.add("seed " + seed + ": " + e.getMessage());
      }
    }
    assertThat(bad).isEmpty();
  }
}
