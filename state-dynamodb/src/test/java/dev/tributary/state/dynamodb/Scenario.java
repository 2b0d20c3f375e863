package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.LedgerJob.Txn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several splits of ledger transactions, each fed in batches to every slot, with the watermark a
 * coordinator would compute: a batch for slot j carries min(its own last timestamp, what every
 * other split has committed to slot j) - 1, so that records in flight are never late.
 */
final class Scenario {
  final int slots;
  final int batchSize;
  final Map<String, List<Txn>> splits;
  private final Map<String, Long> committed = new ConcurrentHashMap<>();

  Scenario(int slots, int batchSize, Map<String, List<Txn>> splits) {
    this.slots = slots;
    this.batchSize = batchSize;
    this.splits = splits;
  }

  /** {@code splitCount} splits of {@code perSplit} transactions over {@code accounts} accounts. */
  static Scenario of(
      long seed, int splitCount, int perSplit, int accounts, int slots, int batchSize) {
    return of(seed, splitCount, perSplit, accounts, slots, batchSize, false);
  }

  /**
   * The same, each split with {@code accounts} accounts of its own when {@code disjoint}: splits
   * then share only the slots' timer items, never a key.
   */
  static Scenario of(
      long seed,
      int splitCount,
      int perSplit,
      int accounts,
      int slots,
      int batchSize,
      boolean disjoint) {
    Map<String, List<Txn>> splits = new java.util.LinkedHashMap<>();
    for (int s = 0; s < splitCount; s++) {
      List<Txn> txns = Ledger.txns(seed * 31 + s, perSplit, accounts, s * 1_000_000L);
      if (disjoint) {
        String prefix = "split-" + s + "-";
        txns =
            txns.stream()
                .map(t -> new Txn(prefix + t.account(), t.id(), t.amount(), t.ts(), t.fanOut()))
                .toList();
      }
      splits.put("split-" + s, txns);
    }
    return new Scenario(slots, batchSize, splits);
  }

  List<Txn> all() {
    List<Txn> all = new ArrayList<>();
    splits.values().forEach(all::addAll);
    return all;
  }

  int batchCount(String split) {
    return (splits.get(split).size() + batchSize - 1) / batchSize;
  }

  /** The chunk of source records of batch {@code k} of {@code split}. */
  List<Txn> chunk(String split, int k) {
    List<Txn> txns = splits.get(split);
    return txns.subList(k * batchSize, Math.min(txns.size(), (k + 1) * batchSize));
  }

  /** The batch of {@code split}'s chunk {@code k} for {@code slot}, watermark as of now. */
  Batch batch(Harness h, String split, int k, int slot) {
    List<Txn> chunk = chunk(split, k);
    long watermark = chunk.get(chunk.size() - 1).ts();
    for (String other : splits.keySet()) {
      if (!other.equals(split)) {
        watermark =
            Math.min(watermark, committed.getOrDefault(other + "/" + slot, Long.MIN_VALUE + 1));
      }
    }
    List<KeyedRecord> keyed = h.keyed(LedgerJob.SOURCE, chunk, (long) k * batchSize);
    // the clock moves on with each chunk and differs between splits, as coordinators' clocks do
    long clock = 1_000L * k + 37L * new ArrayList<>(splits.keySet()).indexOf(split);
    return h.batches(split, slots, keyed, watermark - 1, clock).get(slot);
  }

  /** Records that {@code split}'s chunk {@code k} is committed at {@code slot}. */
  void committed(String split, int k, int slot) {
    List<Txn> chunk = chunk(split, k);
    committed.merge(split + "/" + slot, chunk.get(chunk.size() - 1).ts(), Math::max);
  }

  /** The ticks that end the input: every slot fires everything. */
  List<Batch> finalTicks() {
    List<Batch> ticks = new ArrayList<>();
    for (int slot = 0; slot < slots; slot++) {
      ticks.add(Batch.tick(slot, slots, Long.MAX_VALUE, 0));
    }
    return ticks;
  }
}
