package dev.tributary.state.dynamodb;

import java.util.List;

/**
 * What a {@link KeyedStageRunner} run committed and what it cost.
 *
 * @param committedThrough the last position committed for the split and slot (after this run)
 * @param epoch the last committed epoch of the split and slot
 * @param epochs how many transactions this run committed
 * @param recordsApplied records applied by this run (records already committed were skipped)
 * @param recordsSkipped records skipped because an earlier run had committed them
 * @param outputs sink records committed to the outbox
 * @param timersFired timers fired
 * @param conflicts commits lost to a concurrent writer and redone
 * @param retries commits whose outcome was unknown and that were retried with the same token
 * @param fenced whether a newer invocation had taken over the split and slot, so this one stopped
 * @param readUnits read capacity consumed
 * @param writeUnits write capacity consumed
 * @param epochCosts what each committed epoch wrote and cost, in commit order
 * @param deadLettered records set aside to the dead-letter table by this run
 * @param lateRecordsDropped records a window dropped because they came after the watermark had
 *     passed their window (and its allowed lateness), with no late-data side output to take them
 * @param timerItemMerges commits that lost only the slot's timer item to a concurrent writer
 *     (another split on the same slot, touching none of this epoch's keys) and were sent again with
 *     the item merged instead of redoing the epoch
 * @param keyByKeyMisses attempts that ran the batch key by key (docs/protocol.md, "Key by key") and
 *     did not fit one epoch, so that the batch ran again in order
 */
public record RunReport(
    Position committedThrough,
    long epoch,
    int epochs,
    long recordsApplied,
    long recordsSkipped,
    long outputs,
    long timersFired,
    int conflicts,
    int retries,
    boolean fenced,
    double readUnits,
    double writeUnits,
    List<EpochCost> epochCosts,
    long deadLettered,
    long lateRecordsDropped,
    int timerItemMerges,
    int keyByKeyMisses) {

  /** Copies the list. */
  public RunReport {
    epochCosts = List.copyOf(epochCosts);
  }

  /**
   * One committed epoch.
   *
   * @param epoch its number
   * @param committedThrough the position its checkpoint holds
   * @param actions the actions of its transaction
   * @param records the records it applied
   * @param outputs the sink records it committed
   * @param writeUnits the write units DynamoDB reported for its transaction (0 when the answer was
   *     lost and the checkpoint settled the outcome)
   */
  public record EpochCost(
      long epoch,
      Position committedThrough,
      int actions,
      long records,
      long outputs,
      double writeUnits) {}
}
