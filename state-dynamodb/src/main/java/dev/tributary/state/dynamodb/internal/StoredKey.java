package dev.tributary.state.dynamodb.internal;

import dev.tributary.spi.KeyedStateEntry;
import dev.tributary.spi.Timer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One key's state as loaded from the table: the live entry the executor works on, plus what is
 * needed to write it back (its version, the cells of states not declared yet, the spilled items).
 */
public final class StoredKey {
  final OperatorStore store;
  final Object key;
  final byte[] keyBytes;
  final int keyGroup;
  final KeyedStateEntry entry;

  /** The version the main item was read at; 0 when the key has no item yet. */
  public long version;

  /** Cells of states that no function has declared (yet): cell id to bytes, written back as is. */
  final Map<String, byte[]> unknownCells = new HashMap<>();

  /** The spilled map and list cells as stored, by cell id. */
  final Map<String, Spill> spills = new HashMap<>();

  /** The last spill generation handed out for this key ({@code g}). */
  public long generation;

  /**
   * Items of older spill generations, to delete after a commit that holds this key's version
   * (outside it).
   */
  public final java.util.List<String> garbage = new java.util.ArrayList<>();

  /**
   * Whether a commit since the last garbage collection held this key's version (wrote the key or
   * checked it): only then is the garbage found at load known to be garbage. A key loaded but not
   * used may have been read before a concurrent commit that wrote a new spill generation, whose
   * items then look like garbage next to the old main item.
   */
  boolean validated;

  /** The stored timers as read ({@code t}), decoded on first use; null if none. */
  byte[] timerBytes;

  /** The key's stored event-time and processing-time timers, once decoded. */
  private Set<Timer> eventTimers;

  private Set<Timer> processingTimers;

  /** Whether the timer sets changed since the last commit. */
  boolean timersDirty;

  /**
   * How far the key's event-time timers were caught up to its key group's floor before its first
   * record ({@code cu}, {@link dev.tributary.spi.TimerQueue#caughtUpTo}); Long.MIN_VALUE when not.
   */
  public long caughtUpTo = Long.MIN_VALUE;

  /**
   * The slot layout ({@code slots#generation}, {@code cg}) under which {@link #caughtUpTo} was
   * reached; null when unknown. A mark of another layout says nothing: a slot of a count in between
   * may have moved its watermark past the key's timers behind the floor and left them pending.
   */
  public String caughtUpIn;

  /**
   * Whether the job read or changed this key since the last commit (its state, its timers, or an
   * index item checked against its timers), as opposed to only loading it.
   */
  boolean accessed;

  StoredKey(OperatorStore store, Object key, byte[] keyBytes, int keyGroup) {
    this.store = store;
    this.key = key;
    this.keyBytes = keyBytes;
    this.keyGroup = keyGroup;
    this.entry = new KeyedStateEntry(key);
  }

  /** Records a spilled cell read with the key (before {@link OperatorStore#decode}). */
  public void loadedSpill(String cellId, Spill spill) {
    spills.put(cellId, spill);
  }

  /**
   * Whether the key's timers are indexed by one item per time domain at its earliest timer ({@link
   * Layout#keyTimerSk}; a key item marked {@code ix}, or one with no timers), rather than by one
   * item per timer (keys whose timers were stored before key items existed, until their timers are
   * gone). Fixed between commits.
   */
  boolean keyIndexed = true;

  /**
   * The times of the key's index items as stored ({@code [0]} event time, {@code [1]} processing
   * time; Long.MAX_VALUE: none), when {@link #keyIndexed}: the earliest timer of each domain as
   * loaded or last committed.
   */
  long[] indexed = {Long.MAX_VALUE, Long.MAX_VALUE};

  /** The index item actions the key's timer changes since the last commit need (0 to 4). */
  int indexActions;

  /**
   * Sets the stored timers read with the main item ({@code t}), and whether the key item marks them
   * indexed by key ({@code ix}).
   */
  public void loadedTimers(byte[] bytes, boolean indexedByKey) {
    this.timerBytes = bytes;
    this.eventTimers = null;
    this.processingTimers = null;
    this.earliestStored = null;
    this.keyIndexed = bytes == null || indexedByKey;
    this.indexed =
        keyIndexed ? earliestTimers().clone() : new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
    this.indexActions = 0;
  }

  /** One put or delete of a key's index item. */
  interface IndexMove {
    void at(boolean eventTime, long time, boolean put);
  }

  /**
   * The index item puts and deletes that move {@code indexed} to {@code needed}: per time domain
   * whose earliest timer changed, the delete of the old item (if any) and the put of the new one
   * (if any). The commit writes them, and the epoch's size counts them, by this one rule.
   */
  static void forEachIndexMove(long[] indexed, long[] needed, IndexMove move) {
    for (int d = 0; d < 2; d++) {
      if (indexed[d] != needed[d]) {
        if (indexed[d] != Long.MAX_VALUE) {
          move.at(d == 0, indexed[d], false);
        }
        if (needed[d] != Long.MAX_VALUE) {
          move.at(d == 0, needed[d], true);
        }
      }
    }
  }

  /** How many index item puts and deletes move {@link #indexed} to {@code needed}. */
  static int indexMoves(long[] indexed, long[] needed) {
    int[] n = {0};
    forEachIndexMove(indexed, needed, (eventTime, time, put) -> n[0]++);
    return n[0];
  }

  /**
   * {@link Codec#earliestTimers} of {@link #timerBytes}, read once while the sets are not decoded.
   */
  private long[] earliestStored;

  /**
   * The key's earliest event-time ({@code [0]}) and processing-time ({@code [1]}) timer, with the
   * epoch's changes once the sets are decoded, or Long.MAX_VALUE: without decoding sets that
   * nothing else needed.
   */
  long[] earliestTimers() {
    if (eventTimers == null) {
      if (timerBytes == null) {
        return new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
      }
      if (earliestStored == null) {
        earliestStored = Codec.earliestTimers(timerBytes);
      }
      return earliestStored;
    }
    long[] earliest = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (Timer t : eventTimers) {
      earliest[0] = Math.min(earliest[0], t.timestamp());
    }
    for (Timer t : processingTimers) {
      earliest[1] = Math.min(earliest[1], t.timestamp());
    }
    return earliest;
  }

  /** The stored timers of one domain (decoding them on first use). */
  Set<Timer> timers(boolean eventTime) {
    if (eventTimers == null) {
      eventTimers = new HashSet<>();
      processingTimers = new HashSet<>();
      if (timerBytes != null) {
        Codec.readTimers(timerBytes, key, store.namespaceSerde, eventTimers, processingTimers);
      }
    }
    return eventTime ? eventTimers : processingTimers;
  }

  /** The stored timers in their stored form, or null if the key has none. */
  byte[] encodedTimers() {
    if (eventTimers == null) {
      return timerBytes;
    }
    if (eventTimers.isEmpty() && processingTimers.isEmpty()) {
      return null;
    }
    return Codec.timers(eventTimers, processingTimers, store.namespaceSerde);
  }

  /** The operator store the key belongs to. */
  public OperatorStore store() {
    return store;
  }

  /** The partition key of the key's items. */
  public String pk() {
    return Layout.keyPk(store.uid, keyGroup, keyBytes);
  }
}
