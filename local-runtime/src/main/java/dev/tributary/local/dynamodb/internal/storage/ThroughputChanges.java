package dev.tributary.local.dynamodb.internal.storage;

/**
 * The history of a table's or index's provisioned throughput that DescribeTable reports: how often
 * it was decreased today and when it was last increased and decreased.
 *
 * @param decreasesToday NumberOfDecreasesToday
 * @param lastIncrease LastIncreaseDateTime in epoch seconds, or 0 if never
 * @param lastDecrease LastDecreaseDateTime in epoch seconds, or 0 if never
 */
public record ThroughputChanges(int decreasesToday, double lastIncrease, double lastDecrease) {
  /** Never changed. */
  public static final ThroughputChanges NONE = new ThroughputChanges(0, 0, 0);

  /**
   * The history after a change from ({@code oldRead}, {@code oldWrite}) to ({@code newRead}, {@code
   * newWrite}) at {@code now}: a change that only lowers values counts as a decrease.
   */
  public ThroughputChanges after(
      long oldRead, long oldWrite, long newRead, long newWrite, double now) {
    boolean up = newRead > oldRead || newWrite > oldWrite;
    boolean down = newRead < oldRead || newWrite < oldWrite;
    return new ThroughputChanges(
        decreasesToday + (down && !up ? 1 : 0), up ? now : lastIncrease, down ? now : lastDecrease);
  }
}
