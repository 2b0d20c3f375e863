package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The rescaling fence (docs/protocol.md, Rescaling) under every schedule of three runners of
 * different slot counts on one split, at the granularity of single DynamoDB calls, up to a bound on
 * preemptions (a grant to another runner while the one granted last could go on): a systematic
 * search in the manner of CHESS, where the race tests stage the interleavings reviews found one by
 * one. Each schedule starts from fresh tables, runs the runners to the end (a runner that fails is
 * delivered again afterwards, as the source would), and checks that every record the runners were
 * given was applied exactly once. The records are peeks: they write no state, so no key version
 * condition catches one applied twice, only the fence does.
 *
 * <p>The bound is 1 in the suite ({@code -Dtributary.rescale.preemptions=2} searches deeper: the
 * interleavings the reviews found need one or two preemptions, or a crash, which a runner stalled
 * until the others are done stands in for).
 */
class RescaleSchedulesIT {
  private static final int BOUND = Integer.getInteger("tributary.rescale.preemptions", 1);
  private static final int KEYS = 16;

  private static DynamoDbLocal local;

  @BeforeAll
  static void start() {
    local = DynamoDbLocal.builder().build();
  }

  @AfterAll
  static void stop() {
    local.close();
  }

  /** One runner's batch: its slot count and the peeks it was given. */
  private record Runner(int slots, Batch batch) {}

  /**
   * The settings: the slot count the keys are set at (0: none, a new split; -2: at 2, then the sets
   * delivered again at 4, passed, and at 2 again, skipped), the lead count (its first batch with
   * records leads), three runners, each the lead batch ("{lead}"), the batch at another count of
   * the slot owning the lead's first record ("{count}"), or the 2-slot batch of the other slot
   * ("2o"), and the reads: each call atomic, or torn by {@link TornGate} with the counts item read
   * last or first, the Query's pages in sort order or backwards.
   */
  static Stream<Arguments> settings() {
    return Stream.of(
        Arguments.of("2 slots ran; 4 beside stragglers of both old slots", 2, 4, "4 2 2o", ATOMIC),
        Arguments.of("2 slots ran; 8, 4 and 2 over one key group", 2, 8, "8 4 2", ATOMIC),
        Arguments.of("4 slots ran; back to 2 beside a straggler of 4", 4, 4, "2 4 2o", ATOMIC),
        // the fifth review's interleaving (a start lost to a runner of its own count) is among
        // these
        Arguments.of(
            "4 slots ran; both slots of a new count 2 beside a third count",
            4,
            8,
            "2 8 2o",
            ATOMIC),
        // 2 fences 128 checkpoints, more than one transaction holds: the fence is written in parts
        Arguments.of("128 slots ran; 2 in parts beside a straggler", 128, 128, "2 128 2o", ATOMIC),
        Arguments.of(
            "2 slots ran; one 4-slot batch invoked twice beside a straggler",
            2,
            4,
            "4 4 2",
            ATOMIC),
        // two fences in parts at once, and one batch fenced in parts by two runners (the waits);
        // both from the eighth review
        Arguments.of(
            "128 slots ran; 2 and 3 in parts beside a straggler", 128, 128, "2 3 128", ATOMIC),
        Arguments.of("128 slots ran; one 2-slot batch twice in parts", 128, 128, "2 2 128", ATOMIC),
        // nothing ran (the keys were never set): three counts start at once on a new split
        Arguments.of("a new split; 4, 2 and 8 start at once", 0, 8, "4 2 8", ATOMIC),
        // reads torn as DynamoDB allows them (from the ninth review)
        Arguments.of("2 slots ran; 4 beside both old slots; torn", 2, 4, "4 2 2o", COUNTS_LAST),
        Arguments.of("2 slots ran; 4 beside both old slots; torn", 2, 4, "4 2 2o", COUNTS_FIRST),
        Arguments.of("history 2, 4, 2; 4, 8 and 2; torn", -2, 4, "4 8 2", COUNTS_LAST),
        Arguments.of("history 2, 4, 2; one 4-slot batch twice; torn", -2, 4, "4 4 2", COUNTS_FIRST),
        // the Query's pages backwards: later sort keys read first (the ninth review's suggestion)
        Arguments.of("2 slots ran; 4 beside both old slots; torn", 2, 4, "4 2 2o", BACKWARDS),
        Arguments.of("history 2, 4, 2; 4, 8 and 2; torn", -2, 4, "4 8 2", BACKWARDS));
  }

  private static final String ATOMIC = "atomic reads";
  private static final String COUNTS_LAST = "torn reads, counts item last";
  private static final String COUNTS_FIRST = "torn reads, counts item first";
  private static final String BACKWARDS = "torn reads, Query backwards, counts item last";

  @ParameterizedTest(name = "{0}; {4}")
  @MethodSource("settings")
  void everyRecordIsAppliedOnceInEverySchedule(
      String name, int first, int lead, String runners, String reads) throws Exception {
    int splits = TornGate.SPLITS.get();
    int pages = TornGate.PAGES.get();
    explore(
        first,
        reads,
        p -> {
          Batch leading = p.first(lead);
          List<Runner> out = new ArrayList<>();
          for (String r : runners.split(" ")) {
            int slots = r.equals("2o") ? 2 : Integer.parseInt(r);
            Batch b =
                r.equals("2o")
                    ? p.otherOfTwo(leading)
                    : slots == lead ? leading : p.owning(slots, leading);
            out.add(new Runner(slots, b));
          }
          return out;
        });
    if (!reads.equals(ATOMIC)) {
      assertThat(TornGate.SPLITS.get()).as("BatchGetItems torn").isGreaterThan(splits);
      assertThat(TornGate.PAGES.get()).as("Query pages torn").isGreaterThan(pages);
    }
  }

  /**
   * Every schedule within the bound: the keys are set as {@code first} says, then the runners
   * {@code runners} builds run concurrently, their reads as {@code reads} says.
   */
  private static void explore(int first, String reads, Function<Peeks.Staged, List<Runner>> runners)
      throws Exception {
    int schedules = Sequencer.explore(BOUND, prefix -> runOnce(first, reads, runners, prefix));
    System.out.printf(
        "RescaleSchedulesIT: %d schedules with at most %d preemption(s)%n", schedules, BOUND);
    // three runners have at least 3! schedules without a preemption
    assertThat(schedules).isGreaterThanOrEqualTo(6);
  }

  /** Keys set at 2 slots, the sets delivered again at 4 (passed) and at 2 again (skipped). */
  private static Peeks.Staged history(Harness h) {
    Peeks.Staged p = Peeks.setThenPeek(h, KEYS, 2);
    List<KeyedRecord> sets = h.keyed("ops", Peeks.ops("set", KEYS), 0);
    h.runAll(h.batches("s", 4, sets, Long.MIN_VALUE, 0));
    h.runAll(h.batches("s", 2, sets, Long.MIN_VALUE, 0));
    return p;
  }

  private static List<Sequencer.Step> runOnce(
      int first, String reads, Function<Peeks.Staged, List<Runner>> build, List<Integer> prefix)
      throws Exception {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Runner> runners =
          build.apply(
              first == 0
                  ? Peeks.peeksOnly(h, KEYS)
                  : first < 0 ? history(h) : Peeks.setThenPeek(h, KEYS, first));
      Sequencer sequencer = new Sequencer(runners.size());
      ExecutorService pool = Executors.newFixedThreadPool(runners.size());
      List<DynamoDbClient> clients = new ArrayList<>();
      List<Future<RunReport>> outcomes = new ArrayList<>();
      List<Sequencer.Step> steps;
      try {
        for (int w = 0; w < runners.size(); w++) {
          int writer = w;
          DynamoDbClient client =
              h.client(
                  reads.equals(ATOMIC)
                      ? sequencer.gate(w)
                      : new TornGate(
                          sequencer.gate(w), !reads.equals(COUNTS_FIRST), reads.equals(BACKWARDS)),
                  false);
          clients.add(client);
          outcomes.add(
              pool.submit(
                  () -> {
                    try {
                      return h.runner(client).run(runners.get(writer).batch());
                    } catch (RuntimeException e) {
                      return null; // nothing known to be committed: delivered again whole
                    } finally {
                      sequencer.done(writer);
                    }
                  }));
        }
        steps = sequencer.playFrom(prefix);
        for (int w = 0; w < runners.size(); w++) {
          deliverTheRestAgain(h, runners.get(w).batch(), outcomes.get(w).get(60, TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
        clients.forEach(DynamoDbClient::close);
      }
      assertEachPeekOnce(h, runners, steps, first == 0 ? "=null" : "=1");
      return steps;
    }
  }

  /**
   * What the coordinator and the source do after a slot answered {@code report} (null: it failed):
   * the batch is delivered again from the first record after what the slot committed (a slot fenced
   * by another count commits nothing), to a runner of the same count, until all of it is.
   */
  private static void deliverTheRestAgain(Harness h, Batch batch, RunReport report) {
    Position through = report == null ? null : report.committedThrough();
    for (int delivery = 0; ; delivery++) {
      Batch rest = through == null ? batch : Harness.rest(batch, through);
      if (rest.records().isEmpty()) {
        return;
      }
      assertThat(delivery).as("deliveries of the rest of a batch").isLessThan(5);
      through = h.runner().run(rest).committedThrough();
    }
  }

  private static void assertEachPeekOnce(
      Harness h, List<Runner> runners, List<Sequencer.Step> steps, String value) {
    Set<String> given = new LinkedHashSet<>();
    runners.forEach(r -> r.batch().records().forEach(k -> given.add(k.key() + value)));
    Map<String, Integer> outputs = new TreeMap<>();
    h.outboxText("out").forEach(o -> outputs.merge(o, 1, Integer::sum));
    Map<String, Integer> expected = new TreeMap<>();
    given.forEach(g -> expected.put(g, 1));
    assertThat(outputs)
        .as(
            "peeks of runners %s under schedule %s",
            runners.stream().map(Runner::slots).toList(),
            steps.stream().map(Sequencer.Step::granted).toList())
        .isEqualTo(expected);
  }
}
