package dev.tributary.state.dynamodb.internal;

import dev.tributary.spi.HeapTimerQueue;
import dev.tributary.spi.Timer;
import dev.tributary.spi.TimerQueue;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The timers of one operator and time domain during an epoch: the due timers loaded from the table
 * plus those registered in the epoch, with the changes to write back. A fired timer that was stored
 * is deleted on the condition that it still exists, so that two invocations can never both fire it.
 * While the epoch is full, {@link #peek()} answers null so that the executor stops firing until the
 * commit has made room.
 */
public final class PersistentTimerQueue implements TimerQueue {
  private final HeapTimerQueue heap = new HeapTimerQueue();
  private final Set<Timer> stored = new HashSet<>();
  private final Set<Timer> added = new LinkedHashSet<>();
  private final Set<Timer> firedStored = new LinkedHashSet<>();
  private final Set<Timer> removed = new LinkedHashSet<>();
  private final BooleanSupplier full;
  private long fired;

  /** A queue that pauses firing while {@code full} says the epoch has no room. */
  public PersistentTimerQueue(BooleanSupplier full) {
    this.full = full;
  }

  /** Adds a due timer read from the table. */
  public void load(Timer timer) {
    if (!removed.contains(timer) && !firedStored.contains(timer) && heap.add(timer)) {
      stored.add(timer);
    }
  }

  @Override
  public boolean add(Timer timer) {
    boolean fresh = heap.add(timer);
    if (fresh && !stored.contains(timer)) {
      added.add(timer);
    }
    removed.remove(timer);
    return fresh;
  }

  @Override
  public boolean remove(Timer timer) {
    boolean present = heap.remove(timer);
    if (added.remove(timer)) {
      return present;
    }
    // stored, or perhaps stored but not loaded (not due yet): delete it
    stored.remove(timer);
    removed.add(timer);
    return present;
  }

  @Override
  public Timer peek() {
    return full.getAsBoolean() ? null : heap.peek();
  }

  @Override
  public Timer poll() {
    if (full.getAsBoolean()) {
      return null;
    }
    Timer timer = heap.poll();
    if (timer != null) {
      fired++;
      if (!added.remove(timer) && stored.remove(timer)) {
        firedStored.add(timer);
      }
    }
    return timer;
  }

  @Override
  public int size() {
    return heap.size();
  }

  /** How many timers fired since the queue was created. */
  public long firedCount() {
    return fired;
  }

  /** The earliest pending timer's time regardless of room in the epoch, or Long.MAX_VALUE. */
  public long earliest() {
    Timer t = heap.peek();
    return t == null ? Long.MAX_VALUE : t.timestamp();
  }

  /** Timers registered in the epoch and not fired: to write. */
  public Set<Timer> toPut() {
    return added;
  }

  /** Stored timers that fired: to delete if they still exist. */
  public Set<Timer> toDeleteFired() {
    return firedStored;
  }

  /** Timers deleted by the job: to delete. */
  public Set<Timer> toDelete() {
    return removed;
  }

  /** How many writes the pending changes need. */
  public int pendingWrites() {
    return added.size() + firedStored.size() + removed.size();
  }

  /** Forgets everything (after a conflict, before a reload). */
  public void resetAll() {
    while (heap.poll() != null) {
      // drain
    }
    stored.clear();
    added.clear();
    firedStored.clear();
    removed.clear();
  }

  /** After a commit: the pending timers are now stored, the changes done. */
  public void committed() {
    stored.addAll(added);
    added.clear();
    firedStored.clear();
    removed.clear();
  }
}
