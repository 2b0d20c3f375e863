package dev.tributary.partitioning;

import java.util.ArrayList;
import java.util.List;

/**
 * How keys are spread over operator slots, the same in every runtime: key group = {@code
 * murmur3_32(serialized key)} as an unsigned 32-bit number {@code mod maxKeyGroups}; slot {@code j}
 * of {@code n} owns a contiguous range of key groups (Flink's formula), so that changing the number
 * of slots moves whole key groups and never splits one.
 */
public final class KeyGroups {
  /** The default number of key groups. */
  public static final int DEFAULT_MAX_KEY_GROUPS = 128;

  /** The largest supported number of key groups (as Flink's max parallelism). */
  public static final int MAX_KEY_GROUPS_LIMIT = 32768;

  private KeyGroups() {}

  /** The key group of a serialized key. */
  public static int keyGroupOf(byte[] serializedKey, int maxKeyGroups) {
    checkMaxKeyGroups(maxKeyGroups);
    return (int) (Integer.toUnsignedLong(Murmur3.hash32(serializedKey)) % maxKeyGroups);
  }

  /** The slot (0-based) that owns {@code keyGroup} when there are {@code slots} slots. */
  public static int slotOf(int keyGroup, int maxKeyGroups, int slots) {
    checkSlots(maxKeyGroups, slots);
    if (keyGroup < 0 || keyGroup >= maxKeyGroups) {
      throw new IllegalArgumentException(
          "key group " + keyGroup + " is outside [0, " + maxKeyGroups + ")");
    }
    return (int) ((long) keyGroup * slots / maxKeyGroups);
  }

  /** The key groups that slot {@code slot} of {@code slots} owns. */
  public static KeyGroupRange rangeOf(int slot, int maxKeyGroups, int slots) {
    checkSlots(maxKeyGroups, slots);
    if (slot < 0 || slot >= slots) {
      throw new IllegalArgumentException("slot " + slot + " is outside [0, " + slots + ")");
    }
    int first = (int) (((long) slot * maxKeyGroups + slots - 1) / slots);
    int last = (int) (((long) (slot + 1) * maxKeyGroups - 1) / slots);
    return new KeyGroupRange(first, last);
  }

  /** All slot ranges, in slot order; together they cover every key group exactly once. */
  public static List<KeyGroupRange> ranges(int maxKeyGroups, int slots) {
    List<KeyGroupRange> ranges = new ArrayList<>(slots);
    for (int slot = 0; slot < slots; slot++) {
      ranges.add(rangeOf(slot, maxKeyGroups, slots));
    }
    return ranges;
  }

  /** Fails with a message naming the limit if {@code maxKeyGroups} is out of range. */
  public static void checkMaxKeyGroups(int maxKeyGroups) {
    if (maxKeyGroups < 1 || maxKeyGroups > MAX_KEY_GROUPS_LIMIT) {
      throw new IllegalArgumentException(
          "maxKeyGroups is "
              + maxKeyGroups
              + "; it must be between 1 and "
              + MAX_KEY_GROUPS_LIMIT
              + " (default "
              + DEFAULT_MAX_KEY_GROUPS
              + ") and never change once state exists");
    }
  }

  private static void checkSlots(int maxKeyGroups, int slots) {
    checkMaxKeyGroups(maxKeyGroups);
    if (slots < 1 || slots > maxKeyGroups) {
      throw new IllegalArgumentException(
          "slots is "
              + slots
              + "; it must be between 1 and maxKeyGroups ("
              + maxKeyGroups
              + "): a slot owns at least one key group");
    }
  }
}
