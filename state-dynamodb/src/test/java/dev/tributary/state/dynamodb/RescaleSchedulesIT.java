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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
   * 2 slots ran; a 4-slot runner of one new slot, and 2-slot runners (stragglers of the old count)
   * of both old slots.
   */
  @Test
  void fourSlotsBesideStragglersOfBothOldSlots() throws Exception {
    explore(
        2,
        p -> {
          Batch b4 = p.first(4);
          return List.of(
              new Runner(4, b4), new Runner(2, p.owning(2, b4)), new Runner(2, p.otherOfTwo(b4)));
        });
  }

  /** 2 slots ran; runners of 8, 4 and 2 slots whose slots share the first peek's key group. */
  @Test
  void threeCountsOverOneKeyGroup() throws Exception {
    explore(
        2,
        p -> {
          Batch b8 = p.first(8);
          return List.of(
              new Runner(8, b8), new Runner(4, p.owning(4, b8)), new Runner(2, p.owning(2, b8)));
        });
  }

  /** 4 slots ran; a 2-slot runner (going back) beside a 4-slot straggler and the other 2-slot. */
  @Test
  void backToTwoSlotsBesideAStragglerOfFour() throws Exception {
    explore(
        4,
        p -> {
          Batch b4 = p.first(4);
          return List.of(
              new Runner(2, p.owning(2, b4)), new Runner(4, b4), new Runner(2, p.otherOfTwo(b4)));
        });
  }

  /**
   * 4 slots ran; runners of a count that never ran (2, both slots) beside one of a third count (8):
   * the fifth review's interleaving (a start lost to a runner of its own count) is among these.
   */
  @Test
  void twoCountsStartingAtOnceAfterAThird() throws Exception {
    explore(
        4,
        p -> {
          Batch b8 = p.first(8);
          return List.of(
              new Runner(2, p.owning(2, b8)), new Runner(8, b8), new Runner(2, p.otherOfTwo(b8)));
        });
  }

  /**
   * 128 slots ran (the most the job's key groups allow): a start of 2 slots fences 128 checkpoints,
   * more than one transaction holds, so its fence is written in parts while the counts item says it
   * is starting; beside it a 128-slot straggler and the other 2-slot runner.
   */
  @Test
  void aFenceInSeveralPartsBesideAStraggler() throws Exception {
    explore(
        128,
        p -> {
          Batch b128 = p.first(128);
          return List.of(
              new Runner(2, p.owning(2, b128)),
              new Runner(128, b128),
              new Runner(2, p.otherOfTwo(b128)));
        });
  }

  /** 2 slots ran; the same 4-slot batch invoked twice at once, beside a 2-slot straggler. */
  @Test
  void aDuplicateInvocationOfTheNewCountBesideAStraggler() throws Exception {
    explore(
        2,
        p -> {
          Batch b4 = p.first(4);
          return List.of(new Runner(4, b4), new Runner(4, b4), new Runner(2, p.owning(2, b4)));
        });
  }

  /**
   * Every schedule within the bound: the keys are set at {@code first} slots, then the runners
   * {@code runners} builds run concurrently.
   */
  private static void explore(int first, Function<Peeks.Staged, List<Runner>> runners)
      throws Exception {
    int schedules = Sequencer.explore(BOUND, prefix -> runOnce(first, runners, prefix));
    System.out.printf(
        "RescaleSchedulesIT: %d schedules with at most %d preemption(s)%n", schedules, BOUND);
    // three runners have at least 3! schedules without a preemption
    assertThat(schedules).isGreaterThanOrEqualTo(6);
  }

  private static List<Sequencer.Step> runOnce(
      int first, Function<Peeks.Staged, List<Runner>> build, List<Integer> prefix)
      throws Exception {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Runner> runners = build.apply(Peeks.setThenPeek(h, KEYS, first));
      Sequencer sequencer = new Sequencer(runners.size());
      ExecutorService pool = Executors.newFixedThreadPool(runners.size());
      List<DynamoDbClient> clients = new ArrayList<>();
      List<Future<RunReport>> outcomes = new ArrayList<>();
      List<Sequencer.Step> steps;
      try {
        for (int w = 0; w < runners.size(); w++) {
          int writer = w;
          DynamoDbClient client = h.client(sequencer.gate(w), false);
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
      assertEachPeekOnce(h, runners, steps);
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
      Harness h, List<Runner> runners, List<Sequencer.Step> steps) {
    Set<String> given = new LinkedHashSet<>();
    runners.forEach(r -> r.batch().records().forEach(k -> given.add(k.key() + "=1")));
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
