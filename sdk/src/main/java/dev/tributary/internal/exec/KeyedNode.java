package dev.tributary.internal.exec;

import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import dev.tributary.spi.OperatorStateSpec;
import dev.tributary.spi.OperatorStateStore;
import dev.tributary.spi.Timer;
import dev.tributary.spi.TimerQueue;
import dev.tributary.spi.UserFunctionException;

/** A keyed operator: state and timers of the current key, timers fired by watermark and clock. */
abstract class KeyedNode extends RuntimeNode {
  final Serde<?> keySerde;
  OperatorStateStore store;
  KeyContext keys;
  TimerQueue eventTimers;
  TimerQueue processingTimers;
  private Object floorKey;
  private java.util.function.IntToLongFunction floorOf;
  private long floorOfKey;
  private final java.util.Set<Object> caughtUp = new java.util.HashSet<>();
  private Object firingKey;
  private long firingUpTo;

  KeyedNode(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
    super(node, context);
    this.keySerde = keyBy.keySerde();
  }

  @Override
  void open() {
    store =
        context.backend.open(
            new OperatorStateSpec(
                context.jobName, node.uid(), keySerde, context.maxKeyGroups, namespaceSerde()));
    keys = new KeyContext(store, context.clock, node.name());
    eventTimers = store.eventTimeTimers();
    processingTimers = store.processingTimeTimers();
  }

  @Override
  final void processElement(Object value, long timestamp) {
    throw new IllegalStateException(
        "keyed operator '" + node.name() + "' received an element without its key");
  }

  /** The serde of this operator's state namespaces, or null if it only uses the void one. */
  Serde<?> namespaceSerde() {
    return null;
  }

  /**
   * The watermark the current key's records are judged against: the operator's own, or the floor of
   * the key's key group when that is later ({@link JobExecutor#floorWatermarks}).
   */
  @SuppressWarnings("unchecked")
  long keyWatermark() {
    long watermark = currentWatermark;
    Object key = keys == null ? null : keys.key();
    if (firingKey != null && firingKey.equals(key)) {
      watermark = Math.max(watermark, firingUpTo); // its timers fire as that watermark's would
    }
    if (context.highestFloor <= watermark || key == null) {
      return watermark;
    }
    if (key != floorKey || context.watermarkFloor != floorOf) {
      int keyGroup =
          KeyGroups.keyGroupOf(((Serde<Object>) keySerde).serialize(key), context.maxKeyGroups);
      floorOfKey = context.watermarkFloor.applyAsLong(keyGroup);
      floorKey = key;
      floorOf = context.watermarkFloor;
    }
    return Math.max(watermark, floorOfKey);
  }

  /**
   * One element of {@code key}; the first of the key in this executor comes after the key's
   * event-time timers up to its key group's floor that the operator's own watermark has not fired
   * ({@link JobExecutor#floorWatermarks}): the slot that fired the key group that far would have
   * fired them before any later record (a firing cut into epochs leaves timers at its fired-up-to
   * time pending, and its next invocation fires them first), so the record must not find their
   * windows open. Only stored timers, once per key: a timer the key registers here behind the floor
   * fires as one behind the watermark does, with the next firing, not before the key's next record;
   * nor before its record in a later run, when the backend keeps how far the key was caught up
   * ({@link dev.tributary.spi.TimerQueue#caughtUpTo}). A timer that fails there fails the
   * invocation, as in any firing; the record is not to blame.
   */
  final void receiveKeyed(Object key, Object value, long timestamp) {
    catchUp(key);
    processKeyed(key, value, timestamp);
  }

  /**
   * Fires {@code key}'s stored event-time timers up to its key group's floor, once per key (see
   * {@link #receiveKeyed}); false when the timer queue paused (a persistent backend's epoch is
   * full: commit, then call again).
   */
  final boolean catchUp(Object key) {
    if (context.highestFloor <= currentWatermark || eventTimers == null || caughtUp.contains(key)) {
      return true;
    }
    keys.setCurrentKey(key);
    long upTo = keyWatermark();
    // a key caught up this far before (an earlier run of the batch, committed among its records):
    // what is pending up to there was registered behind the floor since, and waits
    if (eventTimers.caughtUpTo(key) < upTo) {
      if (!fireKeyTimers(key, upTo, true)) {
        return false;
      }
      eventTimers.markCaughtUp(key, upTo);
    }
    caughtUp.add(key);
    return true;
  }

  /**
   * Fires {@code key}'s event-time timers up to {@code upTo} now, as the operator's watermark
   * reaching {@code upTo} would fire them (the key's timers in time order, {@code
   * currentWatermark()} answering {@code upTo} for the key meanwhile), while the operator's own
   * watermark, and so every other key, stays where it is ({@link JobExecutor#fireKeyTimers}). False
   * when the timer queue paused (a persistent backend's epoch is full).
   */
  final boolean fireKeyTimers(Object key, long upTo) {
    return fireKeyTimers(key, upTo, false);
  }

  /**
   * {@link #fireKeyTimers(Object, long)}; {@code beforeRecord}: for {@link #catchUp}, where a timer
   * that fails is not the record's fault ({@link TimerBeforeRecordFailed}).
   */
  private boolean fireKeyTimers(Object key, long upTo, boolean beforeRecord) {
    if (eventTimers == null) {
      return true;
    }
    if (upTo <= currentWatermark) {
      return !eventTimers.paused();
    }
    keys.setCurrentKey(key);
    firingKey = key;
    firingUpTo = upTo;
    try {
      Timer timer;
      while ((timer = eventTimers.pollOfKey(key, upTo)) != null) {
        try {
          onEventTime(timer);
        } catch (UserFunctionException e) {
          throw beforeRecord ? new TimerBeforeRecordFailed(node.name(), timer, e) : e;
        }
        keys.setCurrentKey(key);
      }
      return !eventTimers.paused();
    } finally {
      firingKey = null;
    }
  }

  /**
   * A stored timer that had to fire before a record of its key failed: not a failure of the record
   * (which would set it aside), but of the invocation, as a failed timer in any firing.
   */
  static final class TimerBeforeRecordFailed extends RuntimeException {
    TimerBeforeRecordFailed(String operator, Timer timer, UserFunctionException cause) {
      super(
          "operator '"
              + operator
              + "': the timer at "
              + timer.timestamp()
              + " of key "
              + timer.key()
              + ", due before the key's record (its key group had fired that far under another"
              + " slot count), failed: "
              + cause.getMessage(),
          cause);
    }
  }

  /** One element of {@code key}. */
  abstract void processKeyed(Object key, Object value, long timestamp);

  /** An event-time timer fired; the current key is set. */
  void onEventTime(Timer timer) {}

  /** A processing-time timer fired; the current key is set. */
  void onProcessingTime(Timer timer) {}

  @Override
  void onWatermark(long watermark) {
    Timer timer;
    while ((timer = eventTimers.peek()) != null && timer.timestamp() <= watermark) {
      eventTimers.poll();
      keys.setCurrentKey(timer.key());
      onEventTime(timer);
    }
  }

  /** Fires the processing-time timers due at {@code now}. */
  void advanceProcessingTime(long now) {
    Timer timer;
    while ((timer = processingTimers.peek()) != null && timer.timestamp() <= now) {
      processingTimers.poll();
      keys.setCurrentKey(timer.key());
      onProcessingTime(timer);
    }
  }

  /** Forgets cached state entries (the backend reloads them). */
  void resetKeyContext() {
    if (keys != null) {
      keys.reset();
    }
  }
}
