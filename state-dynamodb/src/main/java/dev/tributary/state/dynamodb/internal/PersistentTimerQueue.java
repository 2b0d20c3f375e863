package dev.tributary.state.dynamodb.internal;

import dev.tributary.spi.HeapTimerQueue;
import dev.tributary.spi.Timer;
import dev.tributary.spi.TimerQueue;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The timers of one operator and time domain during an epoch. A stored timer is an entry in its
 * key's main item (so that registering a timer the key already has writes nothing, as Flink's timer
 * service deduplicates), and the key has an index item under its key group, sorted by time, at its
 * earliest timer (to find due keys with a Query; the store keeps it in place, {@link
 * OperatorStore}). Keys stored before those items existed have an index item per timer instead,
 * which this queue keeps ({@link KeyTimers#indexedPerTimer}). The heap holds the due timers of the
 * keys the index read found plus those registered in the epoch. While the epoch is full, {@link
 * #peek()} answers null so that the executor stops firing until the commit has made room.
 */
public final class PersistentTimerQueue implements TimerQueue {
  /** The keys' stored timers, loading a key when needed. */
  public interface KeyTimers {
    /** The stored timers of {@code key} in this queue's domain (a live, mutable set). */
    Set<Timer> of(Object key);

    /** The key's set changed: its main item must be written. */
    void changed(Object key);

    /**
     * Whether the key's timers have an index item each (kept by this queue) rather than one item
     * for the key (kept by its store).
     */
    default boolean indexedPerTimer(Object key) {
      return true;
    }

    /**
     * An index item of {@code key} was dropped as an orphan because the key's set, as loaded, does
     * not list it: the epoch now depends on that copy of the key.
     */
    default void orphaned(Object key) {}

    /** How far the key's timers were caught up to a floor, as stored ({@link #caughtUpTo}). */
    default long caughtUpTo(Object key) {
      return Long.MIN_VALUE;
    }

    /** The key's timers were caught up to {@code upTo}: store it with the key's next write. */
    default void caughtUp(Object key, long upTo) {}
  }

  private final HeapTimerQueue heap = new HeapTimerQueue();
  private final Set<Timer> added = new LinkedHashSet<>();
  private final Set<Timer> deleted = new LinkedHashSet<>();

  /** An index item the read found that its key, as loaded, does not stand behind. */
  public record Stray(String sortKey, Object key, int keyGroup) {}

  private final Map<String, Stray> strays = new LinkedHashMap<>();
  private final Map<String, Stray> strayDeletes = new LinkedHashMap<>();
  private final BooleanSupplier full;
  private final KeyTimers keys;
  private long fired;
  private long orphans;
  private long firedInEpoch;

  /** A queue that pauses firing while {@code full} says the epoch has no room. */
  public PersistentTimerQueue(BooleanSupplier full, KeyTimers keys) {
    this.full = full;
    this.keys = keys;
  }

  /** Adds a due timer read from the index. */
  public void load(Timer timer) {
    if (!deleted.contains(timer)) {
      heap.add(timer);
    }
  }

  /**
   * An index item of a key that the key, as loaded, does not stand behind (not at its earliest
   * timer, or the key has an item per timer): deleted once the epoch has room, against that copy of
   * the key ({@link KeyTimers#orphaned}).
   */
  public void stray(Stray stray) {
    if (!strayDeletes.containsKey(stray.sortKey())) {
      strays.putIfAbsent(stray.sortKey(), stray);
    }
  }

  @Override
  public boolean add(Timer timer) {
    boolean fresh = heap.add(timer);
    Set<Timer> stored = keys.of(timer.key());
    if (stored.add(timer)) {
      keys.changed(timer.key());
      if (keys.indexedPerTimer(timer.key()) && !deleted.remove(timer)) {
        added.add(timer); // a new index item (unless its deletion was pending: then keep it)
      }
    }
    return fresh;
  }

  @Override
  public boolean remove(Timer timer) {
    boolean present = heap.remove(timer);
    forget(timer);
    return present;
  }

  private void forget(Timer timer) {
    Set<Timer> stored = keys.of(timer.key());
    if (stored.remove(timer)) {
      keys.changed(timer.key());
      if (keys.indexedPerTimer(timer.key()) && !added.remove(timer)) {
        deleted.add(timer); // its index item exists
      }
    }
  }

  @Override
  public Timer peek() {
    if (full.getAsBoolean() || !dropOrphans()) {
      return null;
    }
    return heap.peek();
  }

  @Override
  public Timer poll() {
    if (full.getAsBoolean() || !dropOrphans()) {
      return null;
    }
    Timer timer = heap.poll();
    if (timer != null) {
      fired(timer);
    }
    return timer;
  }

  /** {@code timer}, out of the heap, fires: its index item and its key's entry go. */
  private void fired(Timer timer) {
    fired++;
    firedInEpoch++;
    forget(timer);
  }

  @Override
  public boolean paused() {
    return full.getAsBoolean();
  }

  /**
   * The earliest stored timer of {@code key} at or before {@code upTo}, fired (its index item and
   * its entry in the key's item are deleted with the epoch), whether or not the index read loaded
   * it; ties in the key's order.
   */
  @Override
  public Timer pollOfKey(Object key, long upTo) {
    if (paused()) {
      return null;
    }
    Timer earliest = null;
    for (Timer timer : keys.of(key)) {
      if (timer.timestamp() <= upTo
          && (earliest == null || timer.timestamp() < earliest.timestamp())) {
        earliest = timer;
      }
    }
    if (earliest != null) {
      heap.remove(earliest);
      fired(earliest);
    }
    return earliest;
  }

  /**
   * Drops the timers at the head of the heap that their key does not hold: an index item without
   * its entry in the key's item (the two are written in one transaction, so only a writer that
   * broke that rule, or an index read that is out of date, leaves one). Such a timer must not fire;
   * its index item is deleted with the epoch, which also corrects a cached index.
   */
  private boolean dropOrphans() {
    for (var it = strays.values().iterator(); it.hasNext(); ) {
      if (full.getAsBoolean()) {
        return false;
      }
      Stray stray = it.next();
      it.remove();
      strayDeletes.put(stray.sortKey(), stray);
      keys.orphaned(stray.key());
      orphans++;
    }
    Timer head = heap.peek();
    while (head != null && !keys.of(head.key()).contains(head)) {
      if (full.getAsBoolean()) {
        return false; // each dropped orphan deletes an index item: the epoch is full, commit first
      }
      heap.poll();
      deleted.add(head); // not added in this epoch either: those are in the key's set
      keys.orphaned(head.key());
      orphans++;
      head = heap.peek();
    }
    return true;
  }

  @Override
  public long caughtUpTo(Object key) {
    return keys.caughtUpTo(key);
  }

  @Override
  public void markCaughtUp(Object key, long upTo) {
    keys.caughtUp(key, upTo);
  }

  /** How many index items without their key's entry were dropped (see {@link #dropOrphans}). */
  public long orphans() {
    return orphans;
  }

  @Override
  public int size() {
    return heap.size();
  }

  /** How many timers fired since the queue was created. */
  public long firedCount() {
    return fired;
  }

  /** How many timers fired since the last commit. */
  public long firedInEpoch() {
    return firedInEpoch;
  }

  /** The earliest timer in the heap regardless of room in the epoch, or Long.MAX_VALUE. */
  public long earliest() {
    Timer t = heap.peek();
    return t == null ? Long.MAX_VALUE : t.timestamp();
  }

  /** Whether a timer at or before {@code bound} waits to fire (regardless of room). */
  public boolean hasDue(long bound) {
    Timer t = heap.peek();
    return t != null && t.timestamp() <= bound;
  }

  /** New timers: index items to put. */
  public Set<Timer> toPut() {
    return added;
  }

  /** Stored timers that fired or were deleted: index items to delete. */
  public Set<Timer> toDelete() {
    return deleted;
  }

  /** The earliest index item this epoch adds, or Long.MAX_VALUE. */
  public long earliestAdded() {
    long t = Long.MAX_VALUE;
    for (Timer timer : added) {
      t = Math.min(t, timer.timestamp());
    }
    return t;
  }

  /** Stray index items to delete ({@link #stray}). */
  public java.util.Collection<Stray> strayDeletes() {
    return strayDeletes.values();
  }

  /**
   * How many writes the pending changes need (index items of timers and strays; the keys and their
   * own index items count separately).
   */
  public int pendingWrites() {
    return added.size() + deleted.size() + strayDeletes.size();
  }

  /** Forgets everything (after a conflict, before a reload). */
  public void resetAll() {
    while (heap.poll() != null) {
      // drain
    }
    added.clear();
    deleted.clear();
    strays.clear();
    strayDeletes.clear();
    firedInEpoch = 0;
  }

  /** After a commit: the changes are done. */
  public void committed() {
    added.clear();
    deleted.clear();
    strayDeletes.clear();
    firedInEpoch = 0;
  }
}
