package dev.tributary.operator.protocol;

/**
 * What an operator slot committed.
 *
 * @param version the protocol version
 * @param status what happened
 * @param split the split (null for a tick)
 * @param slot the slot
 * @param committedThrough the slot's checkpoint for the split after the run ({@code sequence:sub})
 * @param epoch the checkpoint's epoch
 * @param epochs transactions committed by this run
 * @param applied records applied
 * @param skipped records skipped (committed before)
 * @param deadLettered records set aside
 * @param outputs sink records committed
 * @param timersFired timers fired
 * @param lateRecordsDropped records a window dropped as late (after the watermark passed their
 *     window and its allowed lateness, with no late-data side output); 0 when an older build
 *     answers
 * @param conflicts commits redone after losing to a concurrent writer
 * @param retries commits retried after an unknown outcome or a throttle
 * @param readUnits read capacity consumed
 * @param writeUnits write capacity consumed
 * @param poisonPosition with {@link Status#POISON}: the failing record's keyed position
 * @param attempts with {@link Status#POISON}: how often it has failed
 * @param error with {@link Status#POISON}: the failure
 * @param timerItemMerges commits that lost only the slot's timer item to a concurrent writer and
 *     were sent again with the item merged, not redone; 0 when an older build answers
 */
public record OperatorResponse(
    int version,
    Status status,
    String split,
    int slot,
    String committedThrough,
    long epoch,
    int epochs,
    long applied,
    long skipped,
    long deadLettered,
    long outputs,
    long timersFired,
    long lateRecordsDropped,
    int conflicts,
    int retries,
    double readUnits,
    double writeUnits,
    String poisonPosition,
    int attempts,
    String error,
    int timerItemMerges) {

  /** The outcome of a request. */
  public enum Status {
    /** Everything in the request is committed (by this run or an earlier one). */
    COMMITTED,
    /** A newer invocation owns the split and slot: this one committed nothing more. */
    FENCED,
    /**
     * A record failed and has not yet failed often enough to be set aside; everything before it may
     * be committed ({@code committedThrough}).
     */
    POISON
  }
}
