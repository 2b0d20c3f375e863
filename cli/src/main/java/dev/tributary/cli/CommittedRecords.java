package dev.tributary.cli;

import dev.tributary.state.dynamodb.Position;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many of the records a run produced the job has committed, from its checkpoints: where a
 * deployment's event source mapping reports no counters (LocalStack), this tells a run whose
 * records are all through from one that is still waiting for its first batch. A record counts once
 * its split's furthest checkpoint ({@code Checkpoints.furthest()}) is at or past it; with a
 * parallelization factor above 1 the split of its partition key ({@code <split>/k/<key>}) counts.
 * The furthest checkpoint is that of any slot, so the count can run ahead of a slot that is still
 * committing the same batch, and a split's last records that make no keyed record (filtered, or set
 * aside as dead letters by the coordinator) move no checkpoint and never count: it gates the run's
 * stall timer, while the check of the outputs decides. Thread-safe: the producer adds while the
 * progress line reads.
 */
final class CommittedRecords {
  /** The records produced to one split, in the order the stream stored them. */
  private final Map<String, List<Produced>> bySplit = new HashMap<>();

  private record Produced(BigInteger sequence, String key) {}

  /** Notes a record the stream stored in {@code split} at {@code sequence}, with {@code key}. */
  synchronized void add(String split, String sequence, String key) {
    bySplit
        .computeIfAbsent(split, s -> new ArrayList<>())
        .add(new Produced(Position.decimal(sequence), key));
  }

  /** How many noted records are at or before the furthest checkpoint of their split. */
  synchronized long committed(Map<String, Position> furthest) {
    long count = 0;
    for (Map.Entry<String, List<Produced>> e : bySplit.entrySet()) {
      Position whole = furthest.get(e.getKey());
      for (Produced p : e.getValue()) {
        Position at = whole != null ? whole : furthest.get(e.getKey() + "/k/" + p.key());
        if (at != null && p.sequence().compareTo(at.sequence()) <= 0) {
          count++;
        }
      }
    }
    return count;
  }
}
