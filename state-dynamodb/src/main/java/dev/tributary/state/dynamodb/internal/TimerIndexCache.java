package dev.tributary.state.dynamodb.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * What a process knows of its slots' timer indexes, so that firing need not Query every key group
 * again. Every commit that puts or deletes a slot's timer index items also writes the slot's timer
 * item with its version + 1 (conditioned on the version read), so an index read while the timer
 * item had version {@code v} is still exact whenever the timer item is read at {@code v} again:
 * entries are tagged with that version and answer only for it. A runner that commits version {@code
 * v + 1} applies its own puts and deletes to the entry tagged {@code v}; any other writer's commit
 * leaves the entry behind (a different version) until it is read again. An index read that saw
 * another writer's newer commit is tagged with the older version it was read under, which the timer
 * item never shows again (versions only grow), so it is never used. Timers stored under another
 * slot count do not move the version; the caller uses the cache only while the slot's bounds belong
 * to the current layout generation, and the generation is part of the tag.
 *
 * <p>Per key group and time domain an entry keeps the index items read from the start of the range
 * in sort-key order: all of them up to the last one read, or all there are when the read reached
 * the end. Thread-safe; one instance per process ({@link #SHARED}: 64 slots, 50,000 items, about 8
 * MB).
 */
public final class TimerIndexCache {
  /** The process's cache. */
  public static final TimerIndexCache SHARED = new TimerIndexCache(64, 50_000);

  /**
   * One slot of one operator in one state table, and the incarnation of its timer item (a random
   * number drawn when the item was created): a table deleted and created again, or another endpoint
   * with a table of the same name, starts versions over under another incarnation.
   */
  public record SlotKey(String table, String uid, int slots, int slot, long incarnation) {
    /**
     * Whether this is slot {@code slot} of {@code slots} of operator {@code uid} in {@code table}.
     */
    boolean isSlot(String table, String uid, int slots, int slot) {
      return this.slot == slot
          && this.slots == slots
          && this.uid.equals(uid)
          && this.table.equals(table);
    }
  }

  /**
   * The due timers up to a bound, as index sort keys in order, and the time of the first stored
   * timer after the bound ({@code Long.MAX_VALUE} when there is none).
   */
  public record Due(List<String> sortKeys, long next) {}

  /** A put ({@code put}) or delete of one timer index item of a key group and time domain. */
  public record Change(int keyGroup, boolean eventTime, String sortKey, boolean put) {}

  private static final class Run {
    final TreeSet<String> sortKeys;
    final boolean complete;

    Run(Collection<String> sortKeys, boolean complete) {
      this.sortKeys = new TreeSet<>(sortKeys);
      this.complete = complete;
    }
  }

  private static final class Entry {
    final long version;
    final long generation;
    final Map<Long, Run> runs = new HashMap<>();
    int size;

    Entry(long version, long generation) {
      this.version = version;
      this.generation = generation;
    }
  }

  private final int maxSlots;
  private final int maxItems;
  private int items;
  private final Map<SlotKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * A cache of at most {@code maxSlots} slots and {@code maxItems} index items in all (about 150
   * bytes each): past either, the least recently used slots are dropped.
   */
  public TimerIndexCache(int maxSlots, int maxItems) {
    this.maxSlots = maxSlots;
    this.maxItems = maxItems;
  }

  private static long runKey(int keyGroup, boolean eventTime) {
    return ((long) keyGroup << 1) | (eventTime ? 1 : 0);
  }

  /**
   * The due timers of a key group up to {@code bound} as of timer item version {@code version} and
   * layout generation {@code generation}, or null when this cache cannot tell.
   */
  public synchronized Due due(
      SlotKey slot, long version, long generation, int keyGroup, boolean eventTime, long bound) {
    Entry entry = entries.get(slot);
    if (entry == null || entry.version != version || entry.generation != generation) {
      return null;
    }
    Run run = entry.runs.get(runKey(keyGroup, eventTime));
    if (run == null) {
      return null;
    }
    String to = Layout.timerSkTo(eventTime, bound);
    String after = run.sortKeys.higher(to);
    if (after == null && !run.complete) {
      return null; // the items after the bound were not read
    }
    NavigableSet<String> due = run.sortKeys.headSet(to, true);
    return new Due(new ArrayList<>(due), after == null ? Long.MAX_VALUE : Layout.timerTime(after));
  }

  /**
   * Remembers the index items of a key group read from the start of its range under timer item
   * version {@code version}: {@code sortKeys} in order, all of them when {@code complete}.
   */
  public synchronized void read(
      SlotKey slot,
      long version,
      long generation,
      int keyGroup,
      boolean eventTime,
      List<String> sortKeys,
      boolean complete) {
    Entry entry = entries.get(slot);
    if (entry != null && entry.version > version) {
      return; // a newer commit is known: this read is already stale
    }
    if (entry == null || entry.version != version || entry.generation != generation) {
      remove(slot);
      entry = new Entry(version, generation);
      entries.put(slot, entry);
    }
    Run old = entry.runs.put(runKey(keyGroup, eventTime), new Run(sortKeys, complete));
    int added = sortKeys.size() - (old == null ? 0 : old.sortKeys.size());
    entry.size += added;
    items += added;
    keepOrDrop(slot, entry);
  }

  /** Drops a slot too big to keep alone (not the others); else trims the least recently used. */
  private void keepOrDrop(SlotKey slot, Entry entry) {
    if (entry.size > maxItems) {
      remove(slot);
    }
    trim();
  }

  private void remove(SlotKey slot) {
    Entry entry = entries.remove(slot);
    if (entry != null) {
      items -= entry.size;
    }
  }

  /** Drops the least recently used slots while there are too many, or too many items. */
  private void trim() {
    while (!entries.isEmpty() && (entries.size() > maxSlots || items > maxItems)) {
      remove(entries.keySet().iterator().next());
    }
  }

  /**
   * A commit moved the slot's timer item from {@code version} to {@code newVersion} (in the same
   * layout generation) with {@code changes} to its index: the entry tagged {@code version} follows;
   * any other entry of the slot is dropped.
   */
  public synchronized void committed(
      SlotKey slot, long version, long generation, long newVersion, Collection<Change> changes) {
    Entry entry = entries.get(slot);
    remove(slot);
    if (entry == null || entry.version != version || entry.generation != generation) {
      return;
    }
    Entry next = new Entry(newVersion, generation);
    next.runs.putAll(entry.runs);
    next.size = entry.size;
    apply(next, changes);
    entries.put(slot, next);
    items += next.size;
    keepOrDrop(slot, next);
  }

  /** Applies a commit's index {@code changes} to the runs of {@code entry} that were read. */
  private static void apply(Entry entry, Collection<Change> changes) {
    for (Change c : changes) {
      Run run = entry.runs.get(runKey(c.keyGroup(), c.eventTime()));
      if (run == null) {
        continue; // a key group not read: it is read when it is needed
      }
      if (!c.put()) {
        if (run.sortKeys.remove(c.sortKey())) {
          entry.size--;
        }
      } else if ((run.complete
              || (!run.sortKeys.isEmpty() && c.sortKey().compareTo(run.sortKeys.last()) < 0))
          && run.sortKeys.add(c.sortKey())) {
        entry.size++; // behind the items read, the index is unknown here and stays so
      }
    }
  }

  /**
   * A commit created the slot's timer item at {@code version} where there was none and nothing was
   * stored (no slot of another count wrote its key groups either), with {@code changes} to its
   * index: key groups {@code firstKeyGroup} to {@code lastKeyGroup} held no index item before it,
   * so each now holds exactly the items the commit put, in both time domains. Remembering that
   * spares the first firing a read of every key group of the slot.
   */
  public synchronized void created(
      SlotKey slot,
      long version,
      long generation,
      int firstKeyGroup,
      int lastKeyGroup,
      Collection<Change> changes) {
    remove(slot);
    for (Change c : changes) {
      if (c.keyGroup() < firstKeyGroup || c.keyGroup() > lastKeyGroup) {
        throw new IllegalArgumentException(
            "timer index change in key group "
                + c.keyGroup()
                + " outside the slot's key groups "
                + firstKeyGroup
                + " to "
                + lastKeyGroup);
      }
    }
    Entry entry = new Entry(version, generation);
    for (int keyGroup = firstKeyGroup; keyGroup <= lastKeyGroup; keyGroup++) {
      entry.runs.put(runKey(keyGroup, true), new Run(List.of(), true));
      entry.runs.put(runKey(keyGroup, false), new Run(List.of(), true));
    }
    apply(entry, changes); // every run is complete: each put goes in
    entries.put(slot, entry);
    items += entry.size;
    keepOrDrop(slot, entry);
  }

  /**
   * A guess at the due index items of a slot before its timer item is read: the sort keys up to
   * {@code eventBound} and {@code processingBound} in the key groups {@code firstKeyGroup} to
   * {@code lastKeyGroup} of whichever entry the cache holds for the slot (of any incarnation and
   * version), at most {@code limit} of them; empty when there is no entry or more are due. Not an
   * answer ({@link #due} is): it lets the keys that are likely due be loaded in the round trip that
   * reads the timer item.
   */
  public synchronized List<String> guessDue(
      String table,
      String uid,
      int slots,
      int slot,
      int firstKeyGroup,
      int lastKeyGroup,
      long eventBound,
      long processingBound,
      int limit) {
    Entry found = null;
    for (Map.Entry<SlotKey, Entry> e : entries.entrySet()) {
      if (e.getKey().isSlot(table, uid, slots, slot)
          && (found == null || e.getValue().version > found.version)) {
        found = e.getValue();
      }
    }
    if (found == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    String eventTo = Layout.timerSkTo(true, eventBound);
    String processingTo = Layout.timerSkTo(false, processingBound);
    for (int keyGroup = firstKeyGroup; keyGroup <= lastKeyGroup; keyGroup++) {
      for (boolean eventTime : new boolean[] {true, false}) {
        Run run = found.runs.get(runKey(keyGroup, eventTime));
        if (run == null) {
          continue;
        }
        for (String sk : run.sortKeys.headSet(eventTime ? eventTo : processingTo, true)) {
          if (out.size() == limit) {
            return List.of();
          }
          out.add(sk);
        }
      }
    }
    return out;
  }

  /**
   * Operator {@code uid}'s timer item of slot {@code slot} of {@code slots} in {@code table} was
   * just read: at {@code version} in layout generation {@code generation} of incarnation {@code
   * current} (null when the cache does not answer for it: not trusted, or no item). An entry of
   * that slot of another incarnation, or of an older version or another generation, can never
   * answer again (versions only grow), and would only keep feeding {@link #guessDue} keys whose
   * timers another process has fired or moved since: it is dropped. A newer entry (a commit of this
   * process after the read) stays.
   */
  public synchronized void seen(
      String table,
      String uid,
      int slots,
      int slot,
      SlotKey current,
      long version,
      long generation) {
    List<SlotKey> stale = new ArrayList<>();
    for (Map.Entry<SlotKey, Entry> e : entries.entrySet()) {
      SlotKey k = e.getKey();
      if (!k.isSlot(table, uid, slots, slot)) {
        continue;
      }
      Entry entry = e.getValue();
      if (current == null
          || !k.equals(current)
          || entry.version < version
          || (entry.version == version && entry.generation != generation)) {
        stale.add(k);
      }
    }
    stale.forEach(this::remove);
  }

  /** Forgets everything (tests). */
  public synchronized void clear() {
    entries.clear();
    items = 0;
  }
}
