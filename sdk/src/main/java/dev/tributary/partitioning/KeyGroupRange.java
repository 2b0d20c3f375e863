package dev.tributary.partitioning;

/**
 * A contiguous range of key groups {@code [first, last]}: what one operator slot owns.
 *
 * @param first first key group, inclusive
 * @param last last key group, inclusive
 */
public record KeyGroupRange(int first, int last) {

  /** Validates the range. */
  public KeyGroupRange {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException(
          "KeyGroupRange [" + first + ", " + last + "] is empty or negative");
    }
  }

  /** Whether {@code keyGroup} is in the range. */
  public boolean contains(int keyGroup) {
    return keyGroup >= first && keyGroup <= last;
  }

  /** Whether the range and {@code other} share a key group. */
  public boolean overlaps(KeyGroupRange other) {
    return first <= other.last && other.first <= last;
  }

  /** The number of key groups in the range. */
  public int size() {
    return last - first + 1;
  }

  @Override
  public String toString() {
    return "[" + first + ".." + last + "]";
  }
}
