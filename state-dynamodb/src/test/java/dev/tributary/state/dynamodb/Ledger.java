package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.execution.InMemoryRunner;
import dev.tributary.execution.RunResult;
import dev.tributary.state.dynamodb.LedgerJob.Out;
import dev.tributary.state.dynamodb.LedgerJob.Txn;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Inputs for the ledger job and the checks against the in-memory reference run. */
final class Ledger {
  private Ledger() {}

  /** {@code n} transactions over {@code accounts} accounts, timestamps increasing from 0. */
  static List<Txn> txns(long seed, int n, int accounts, long firstId) {
    Random random = new Random(seed);
    List<Txn> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new Txn(
              "acct-" + random.nextInt(accounts),
              firstId + i,
              1 + random.nextInt(1000),
              i * 37L + random.nextInt(5)));
    }
    return out;
  }

  /**
   * The reference: the same job on the in-memory executor, all input in one source in timestamp
   * order (the splits merged, so that no record is late).
   */
  static List<Out> reference(List<Txn> all) {
    List<Txn> merged = new ArrayList<>(all);
    merged.sort(Comparator.comparingLong(Txn::ts));
    RunResult result =
        InMemoryRunner.forJob(new LedgerJob()).bind(LedgerJob.SOURCE, merged.iterator()).run();
    List<Out> out = new ArrayList<>();
    for (Object o : result.sink(LedgerJob.SINK)) {
      out.add((Out) o);
    }
    return out;
  }

  /**
   * Checks the committed outputs and state against the reference: every posting once (no loss, no
   * double), each account's postings form one chain of balances (no lost update: every posting
   * builds on the balance before it), the final balances equal the reference's, and (when {@code
   * windowsFired}) the window counts equal the reference's.
   */
  static void assertMatchesReference(Harness h, List<Txn> all, boolean windowsFired) {
    List<Out> reference = reference(all);
    List<Out> committed = h.outbox(LedgerJob.SINK);
    List<Out> postings = committed.stream().filter(o -> o.kind().equals("posting")).toList();
    List<Out> refPostings = reference.stream().filter(o -> o.kind().equals("posting")).toList();
    assertThat(postings.stream().map(Out::id).sorted().toList())
        .as("posting ids: each exactly once")
        .isEqualTo(refPostings.stream().map(Out::id).sorted().toList());
    Map<String, List<Out>> byAccount =
        postings.stream().collect(Collectors.groupingBy(Out::account));
    Map<String, Long> finalBalance = new TreeMap<>();
    byAccount.forEach(
        (account, list) -> {
          List<Out> chain = new ArrayList<>(list);
          chain.sort(Comparator.comparingLong(Out::balance));
          long balance = 0;
          for (Out o : chain) {
            assertThat(o.balance())
                .as("account %s posting %d builds on balance %d", account, o.id(), balance)
                .isEqualTo(balance + o.amount());
            balance = o.balance();
          }
          finalBalance.put(account, balance);
        });
    Map<String, Long> refBalance = new TreeMap<>();
    for (Out o : refPostings) {
      refBalance.merge(o.account(), o.balance(), Math::max);
    }
    assertThat(finalBalance).isEqualTo(refBalance);
    QueryableState state = h.state();
    for (Map.Entry<String, Long> e : refBalance.entrySet()) {
      assertThat(state.value(LedgerJob.UID, LedgerJob.BALANCE, e.getKey()))
          .as("committed balance of %s", e.getKey())
          .isEqualTo(e.getValue());
    }
    if (windowsFired) {
      assertThat(counts(committed)).isEqualTo(counts(reference));
      for (String account : refBalance.keySet()) {
        assertThat(state.map(LedgerJob.UID, LedgerJob.COUNTS, account))
            .as("window counts left for %s after every window fired", account)
            .isEmpty();
      }
    }
  }

  /** Window outputs as (account, window end) to count; fails on a window emitted twice. */
  static Map<String, Long> counts(List<Out> outs) {
    Map<String, Long> counts = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (Out o : outs) {
      if (o.kind().equals("window")) {
        String k = o.account() + "@" + o.windowEnd();
        assertThat(seen.add(k)).as("window %s emitted once", k).isTrue();
        counts.put(k, o.count());
      }
    }
    return counts;
  }

  /** Balances per account of {@code all}. */
  static Map<String, Long> balances(List<Txn> all) {
    Map<String, Long> out = new HashMap<>();
    for (Txn t : all) {
      out.merge(t.account(), t.amount() * Math.max(1, t.fanOut()), Long::sum);
    }
    return out;
  }
}
