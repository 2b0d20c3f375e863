package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.LedgerJob.Out;
import dev.tributary.state.dynamodb.LedgerJob.Txn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * One split delivered as the event source mapping and the coordinator deliver it, with the slot
 * count changing at random between batches (1 to 4 slots over 8 key groups): each batch starts at
 * the first source record some slot had not committed, as the coordinator answers (a slot that did
 * not answer counts at its checkpoint from before the batch); slots fail before they run, or die
 * right after their commit applied; the watermark advances with the batches or stays back until the
 * end. Whatever happens, every posting is applied once, each account's balance chain is unbroken,
 * every record is counted in exactly one window output, and no window state is left
 * (docs/protocol.md, Rescaling).
 */
class RescalePropertyIT {
  private static final String SPLIT = "shard-0";
  private static final int KEY_GROUPS = 8;
  private static DynamoDbLocal local;
  private static final AtomicInteger CHANGES = new AtomicInteger();
  private static final AtomicInteger PASSED = new AtomicInteger();

  @BeforeContainer
  static void start() {
    local = DynamoDbLocal.builder().build();
  }

  @AfterContainer
  static void stop() {
    local.close();
    System.out.printf(
        "RescalePropertyIT: %d slot count changes, %d records passed as applied under another"
            + " count%n",
        CHANGES.get(), PASSED.get());
    assertThat(PASSED.get()).as("records passed over all tries").isPositive();
  }

  @Property(tries = 40)
  void everyRecordIsAppliedOnceWhateverTheSlotCountDoes(
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
    Random random = new Random(seed);
    boolean watermarks = random.nextBoolean();
    List<Txn> txns = Ledger.txns(seed, 150 + random.nextInt(150), 6 + random.nextInt(20), 0);
    try (Harness h = Harness.on(local, new LedgerJob(KEY_GROUPS))) {
      int slots = 1 + random.nextInt(4);
      int from = 0;
      int batches = 0;
      while (from < txns.size()) {
        if (++batches > 400) {
          throw new AssertionError("no progress after 400 batches, at record " + from);
        }
        if (random.nextInt(3) == 0) {
          int next = 1 + random.nextInt(4);
          if (next != slots) {
            CHANGES.incrementAndGet();
          }
          slots = next;
        }
        int to = Math.min(txns.size(), from + 10 + random.nextInt(50));
        List<KeyedRecord> keyed = h.keyed(LedgerJob.SOURCE, txns.subList(from, to), from);
        long watermark = watermarks ? txns.get(to - 1).ts() - 1 : Long.MIN_VALUE;
        Position[] answered = new Position[slots];
        for (Batch b : h.batches(SPLIT, slots, keyed, watermark, 0)) {
          Position before = committed(h, slots, b.slot());
          answered[b.slot()] = before;
          int fate = random.nextInt(6); // 0: fails before it runs, 1: dies after its commit
          if (fate == 0 && !b.records().isEmpty()) {
            continue;
          }
          RunReport report = h.runner().run(b);
          PASSED.addAndGet((int) Math.max(0, report.recordsSkipped() - skippedByOwn(b, before)));
          if (fate != 1) {
            answered[b.slot()] = report.committedThrough();
          }
        }
        from = firstUncommitted(h, keyed, slots, answered, from, to);
      }
      KeyedStageRunnerIT.finish(h, slots);
      check(h, txns);
    }
  }

  /** The source offset the coordinator answers: the first record some slot has not committed. */
  private static int firstUncommitted(
      Harness h, List<KeyedRecord> keyed, int slots, Position[] answered, int from, int to) {
    for (KeyedRecord r : keyed) {
      int slot = h.slotOf(r.key(), slots);
      if (r.position().compareTo(answered[slot]) > 0) {
        return r.position().sequence().intValueExact();
      }
    }
    return to;
  }

  private static Position committed(Harness h, int slots, int slot) {
    var item = h.checkpoint(SPLIT, slots, slot);
    return item == null ? Position.BEGINNING : Position.decode(item.get("pos").s());
  }

  /** Records of {@code b} at or before the slot's own checkpoint (skipped without the rule). */
  private static long skippedByOwn(Batch b, Position before) {
    return b.records().stream().filter(r -> r.position().compareTo(before) <= 0).count();
  }

  private static void check(Harness h, List<Txn> txns) {
    List<Out> committed = h.outbox(LedgerJob.SINK);
    List<Long> ids =
        committed.stream().filter(o -> o.kind().equals("posting")).map(Out::id).sorted().toList();
    assertThat(ids)
        .as("posting ids: each exactly once")
        .isEqualTo(txns.stream().map(Txn::id).sorted().toList());
    Map<String, List<Out>> byAccount = new HashMap<>();
    committed.stream()
        .filter(o -> o.kind().equals("posting"))
        .forEach(o -> byAccount.computeIfAbsent(o.account(), a -> new ArrayList<>()).add(o));
    Map<String, Long> balances = new TreeMap<>();
    byAccount.forEach(
        (account, list) -> {
          list.sort((a, b) -> Long.compare(a.balance(), b.balance()));
          long balance = 0;
          for (Out o : list) {
            assertThat(o.balance())
                .as("%s builds on %d", account, balance)
                .isEqualTo(balance + o.amount());
            balance = o.balance();
          }
          balances.put(account, balance);
        });
    assertThat(balances).isEqualTo(new TreeMap<>(Ledger.balances(txns)));
    Map<String, Long> counted = new TreeMap<>();
    committed.stream()
        .filter(o -> o.kind().equals("window"))
        .forEach(o -> counted.merge(o.account(), o.count(), Long::sum));
    Map<String, Long> expected = new TreeMap<>();
    txns.forEach(t -> expected.merge(t.account(), 1L, Long::sum));
    assertThat(counted).as("records counted in window outputs, per account").isEqualTo(expected);
    QueryableState state = h.state();
    for (String account : expected.keySet()) {
      assertThat(state.map(LedgerJob.UID, LedgerJob.COUNTS, account))
          .as("window counts left for %s", account)
          .isEmpty();
    }
  }
}
