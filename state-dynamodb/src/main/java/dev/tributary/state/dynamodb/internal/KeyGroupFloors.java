package dev.tributary.state.dynamodb.internal;

import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per key group of one slot, the event time up to which slots of other slot counts fired their
 * timers, where that is later than the slot's own fired-up-to: a record of such a key group is late
 * as it would have been on the slot that fired it. Kept as runs of key groups with one value each
 * (old slots are ranges of key groups), sorted, not overlapping; immutable.
 *
 * <p>Stored in a slot's timer item as {@code kf}, a flat list of numbers {@code [first, last,
 * firedUpTo, ...]}, from the first write of the item in a new slot layout generation until the
 * slot's own fired-up-to passes every run (docs/protocol.md, "Watermarks and timers").
 */
public final class KeyGroupFloors {
  /** No floors. */
  public static final KeyGroupFloors NONE = new KeyGroupFloors(new int[0], new int[0], new long[0]);

  private final int[] first;
  private final int[] last;
  private final long[] firedUpTo;

  private KeyGroupFloors(int[] first, int[] last, long[] firedUpTo) {
    this.first = first;
    this.last = last;
    this.firedUpTo = firedUpTo;
  }

  /**
   * The floors of the slot covering {@code range} from timer items of any slot count: each item's
   * fired-up-to counts for the key groups its slot covered.
   *
   * @param items {@code [slots, slot, firedUpTo]} of each timer item
   */
  public static KeyGroupFloors of(List<long[]> items, KeyGroupRange range, int maxKeyGroups) {
    long[] byKeyGroup = new long[range.size()];
    Arrays.fill(byKeyGroup, Long.MIN_VALUE);
    for (long[] item : items) {
      int slots = (int) item[0];
      int slot = (int) item[1];
      if (slots < 1 || slots > maxKeyGroups || slot < 0 || slot >= slots) {
        continue; // not a slot of this job's key groups
      }
      KeyGroupRange covered = KeyGroups.rangeOf(slot, maxKeyGroups, slots);
      for (int kg = Math.max(covered.first(), range.first());
          kg <= Math.min(covered.last(), range.last());
          kg++) {
        byKeyGroup[kg - range.first()] = Math.max(byKeyGroup[kg - range.first()], item[2]);
      }
    }
    return runs(range.first(), byKeyGroup);
  }

  /** Runs of equal values of {@code byKeyGroup} (from key group {@code base}), absent ones left. */
  private static KeyGroupFloors runs(int base, long[] byKeyGroup) {
    List<long[]> runs = new ArrayList<>();
    for (int i = 0; i < byKeyGroup.length; i++) {
      if (byKeyGroup[i] == Long.MIN_VALUE) {
        continue;
      }
      long[] previous = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (previous != null && previous[1] == base + i - 1 && previous[2] == byKeyGroup[i]) {
        previous[1] = base + i;
      } else {
        runs.add(new long[] {base + i, base + i, byKeyGroup[i]});
      }
    }
    return fromRuns(runs);
  }

  private static KeyGroupFloors fromRuns(List<long[]> runs) {
    if (runs.isEmpty()) {
      return NONE;
    }
    int[] first = new int[runs.size()];
    int[] last = new int[runs.size()];
    long[] firedUpTo = new long[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      first[i] = (int) runs.get(i)[0];
      last[i] = (int) runs.get(i)[1];
      firedUpTo[i] = runs.get(i)[2];
    }
    return new KeyGroupFloors(first, last, firedUpTo);
  }

  /** The floors as stored ({@code kf}); null or empty is {@link #NONE}. */
  public static KeyGroupFloors fromList(List<Long> stored) {
    if (stored == null || stored.isEmpty()) {
      return NONE;
    }
    if (stored.size() % 3 != 0) {
      throw new IllegalStateException(
          "a timer item's kf has "
              + stored.size()
              + " numbers; it must hold runs of three (first key group, last, fired up to)");
    }
    List<long[]> runs = new ArrayList<>();
    for (int i = 0; i < stored.size(); i += 3) {
      runs.add(new long[] {stored.get(i), stored.get(i + 1), stored.get(i + 2)});
    }
    return fromRuns(runs);
  }

  /** The floors as stored ({@code kf}); null when there are none (the attribute is left out). */
  public List<Long> toList() {
    if (isEmpty()) {
      return null;
    }
    List<Long> out = new ArrayList<>(first.length * 3);
    for (int i = 0; i < first.length; i++) {
      out.add((long) first[i]);
      out.add((long) last[i]);
      out.add(firedUpTo[i]);
    }
    return out;
  }

  /** The number of runs (each stored as three numbers). */
  public int runs() {
    return first.length;
  }

  /** Whether there is no floor. */
  public boolean isEmpty() {
    return first.length == 0;
  }

  /** The floor of {@code keyGroup} ({@code Long.MIN_VALUE}: none). */
  public long floor(int keyGroup) {
    int lo = 0;
    int hi = first.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (keyGroup < first[mid]) {
        hi = mid - 1;
      } else if (keyGroup > last[mid]) {
        lo = mid + 1;
      } else {
        return firedUpTo[mid];
      }
    }
    return Long.MIN_VALUE;
  }

  /** The highest floor ({@code Long.MIN_VALUE}: none). */
  public long highest() {
    long highest = Long.MIN_VALUE;
    for (long f : firedUpTo) {
      highest = Math.max(highest, f);
    }
    return highest;
  }

  /** The runs above {@code firedUpTo}: the slot's own fired-up-to makes the others redundant. */
  public KeyGroupFloors above(long slotFiredUpTo) {
    List<long[]> runs = new ArrayList<>();
    for (int i = 0; i < first.length; i++) {
      if (firedUpTo[i] > slotFiredUpTo) {
        runs.add(new long[] {first[i], last[i], firedUpTo[i]});
      }
    }
    return runs.size() == first.length ? this : fromRuns(runs);
  }

  /** The higher of both floors for each key group of {@code range}. */
  public KeyGroupFloors max(KeyGroupFloors other, KeyGroupRange range) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    long[] byKeyGroup = new long[range.size()];
    for (int kg = range.first(); kg <= range.last(); kg++) {
      byKeyGroup[kg - range.first()] = Math.max(floor(kg), other.floor(kg));
    }
    return runs(range.first(), byKeyGroup);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyGroupFloors k
        && Arrays.equals(first, k.first)
        && Arrays.equals(last, k.last)
        && Arrays.equals(firedUpTo, k.firedUpTo);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(first) * 31 + Arrays.hashCode(firedUpTo);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("KeyGroupFloors[");
    for (int i = 0; i < first.length; i++) {
      s.append(i == 0 ? "" : ", ")
          .append(first[i])
          .append('-')
          .append(last[i])
          .append(':')
          .append(firedUpTo[i]);
    }
    return s.append(']').toString();
  }
}
