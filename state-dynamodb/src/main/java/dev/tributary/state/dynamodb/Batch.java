package dev.tributary.state.dynamodb;

import java.util.List;
import java.util.Objects;

/**
 * What one operator invocation processes: the keyed records of one split for one slot, with the
 * time the coordinator observed. A batch without a split is a tick: it only fires due timers.
 *
 * @param split the split (Kinesis shard, Kafka partition), or null for a tick
 * @param slot the slot (0-based)
 * @param slots the number of slots
 * @param records the records, in position order
 * @param watermark the global watermark after these records
 * @param processingTime the coordinator's clock, epoch ms
 * @param inputWatermark the global watermark in effect before these records (records behind it are
 *     late; timers up to it fire before the records), or {@code Long.MIN_VALUE}
 * @param deadLetters records of this batch to set aside instead of applying
 */
public record Batch(
    String split,
    int slot,
    int slots,
    List<KeyedRecord> records,
    long watermark,
    long processingTime,
    long inputWatermark,
    List<DeadLetter> deadLetters) {

  /** A batch whose records are judged against the slot's own watermark only. */
  public Batch(
      String split,
      int slot,
      int slots,
      List<KeyedRecord> records,
      long watermark,
      long processingTime) {
    this(split, slot, slots, records, watermark, processingTime, Long.MIN_VALUE, List.of());
  }

  /** A batch without dead letters. */
  public Batch(
      String split,
      int slot,
      int slots,
      List<KeyedRecord> records,
      long watermark,
      long processingTime,
      long inputWatermark) {
    this(split, slot, slots, records, watermark, processingTime, inputWatermark, List.of());
  }

  /** This batch with {@code letter} set aside as well. */
  public Batch withDeadLetter(DeadLetter letter) {
    List<DeadLetter> letters = new java.util.ArrayList<>(deadLetters);
    letters.add(letter);
    return new Batch(
        split, slot, slots, records, watermark, processingTime, inputWatermark, letters);
  }

  /** Validates and copies. */
  public Batch {
    records = List.copyOf(Objects.requireNonNull(records, "records"));
    deadLetters = List.copyOf(deadLetters == null ? List.of() : deadLetters);
    if (slots < 1 || slot < 0 || slot >= slots) {
      throw new IllegalArgumentException("slot " + slot + " of " + slots + " is out of range");
    }
    if (inputWatermark > watermark) {
      throw new IllegalArgumentException(
          "inputWatermark "
              + inputWatermark
              + " is after the watermark "
              + watermark
              + "; the watermark before the records cannot pass the one after them");
    }
    if (split == null && !records.isEmpty()) {
      throw new IllegalArgumentException("a tick (no split) carries no records");
    }
  }

  /** A tick for {@code slot}: advance time and fire due timers. */
  public static Batch tick(int slot, int slots, long watermark, long processingTime) {
    return new Batch(null, slot, slots, List.of(), watermark, processingTime);
  }
}
