package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Random interleavings of two or three writers (splits) over the same few accounts, at the
 * granularity of single DynamoDB calls: whatever the order, no update is lost or applied twice,
 * every window fires once, and the state equals the reference fold.
 */
class InterleavingsIT {
  private static DynamoDbLocal local;

  @BeforeContainer
  static void start() {
    local = DynamoDbLocal.builder().build();
  }

  @AfterContainer
  static void stop() {
    local.close();
    // merges are rare here (most commits of this job fire windows and move fe); MergePropertyIT
    // checks that merges happen, over its 350 tries
    System.out.printf(
        "InterleavingsIT: %d timer item merges in %d tries of writers on disjoint keys%n",
        MERGES.get(), DISJOINT_TRIES.get());
  }

  /** Timer item merges over all tries of the disjoint-keys property, and those tries. */
  private static final AtomicInteger MERGES = new AtomicInteger();

  private static final AtomicInteger DISJOINT_TRIES = new AtomicInteger();

  @Property(tries = 30)
  void noInterleavingLosesOrDoublesAnUpdate(
      @ForAll @IntRange(min = 2, max = 3) int writers,
      @ForAll @IntRange(min = 1, max = 2) int slots,
      @ForAll @IntRange(min = 0, max = 1000) int seed,
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 2) Integer> choices)
      throws Exception {
    List<RunReport> reports = run(Scenario.of(seed, writers, 12, 3, slots, 6), choices);
    assertThat(reports).isNotEmpty();
  }

  /**
   * Writers that share no key still share each slot's timer item: whatever the order, a commit that
   * loses only that item merges it (docs/protocol.md) when the other writer fired no event-time
   * timer past what it read, and is redone otherwise; no update is lost or applied twice, no window
   * fires twice.
   */
  @Property(tries = 30)
  void writersOnDisjointKeysMergeTheTimerItemAndLoseNothing(
      @ForAll @IntRange(min = 2, max = 3) int writers,
      @ForAll @IntRange(min = 1, max = 2) int slots,
      @ForAll @IntRange(min = 0, max = 1000) int seed,
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 2) Integer> choices)
      throws Exception {
    List<RunReport> reports = run(Scenario.of(seed, writers, 30, 3, slots, 6, true), choices);
    MERGES.addAndGet(reports.stream().mapToInt(RunReport::timerItemMerges).sum());
    DISJOINT_TRIES.incrementAndGet();
  }

  /**
   * Runs the scenario's writers, each call granted in the order {@code choices} picks, then the
   * final ticks; checks the outcome against the reference; returns the writers' reports.
   */
  private static List<RunReport> run(Scenario sc, List<Integer> choices) throws Exception {
    int writers = sc.splits.size();
    List<RunReport> reports = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Harness h = Harness.on(local, new LedgerJob(4))) {
      Sequencer sequencer = new Sequencer(writers);
      List<String> splits = new ArrayList<>(sc.splits.keySet());
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      List<Future<?>> futures = new ArrayList<>();
      List<DynamoDbClient> clients = new ArrayList<>();
      try {
        for (int w = 0; w < writers; w++) {
          int writer = w;
          DynamoDbClient client = h.client(sequencer.gate(writer), true);
          clients.add(client);
          String split = splits.get(writer);
          futures.add(
              pool.submit(
                  () -> {
                    try {
                      for (int k = 0; k < sc.batchCount(split); k++) {
                        for (int slot = 0; slot < sc.slots; slot++) {
                          reports.add(h.runner(client).run(sc.batch(h, split, k, slot)));
                          sc.committed(split, k, slot);
                        }
                      }
                    } finally {
                      sequencer.done(writer);
                    }
                    return null;
                  }));
        }
        sequencer.play(choices);
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        clients.forEach(DynamoDbClient::close);
      }
      for (Batch tick : sc.finalTicks()) {
        h.runner().run(tick);
      }
      Ledger.assertMatchesReference(h, sc.all(), true);
      assertThat(h.outbox(LedgerJob.SINK)).isNotEmpty();
    }
    return reports;
  }
}
