package dev.tributary.state.dynamodb.internal;

import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import dev.tributary.spi.KeyedStateEntry;
import dev.tributary.spi.OperatorStateSpec;
import dev.tributary.spi.OperatorStateStore;
import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.StateRegistry;
import dev.tributary.spi.Timer;
import dev.tributary.spi.TimerQueue;
import dev.tributary.spi.TtlValue;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.StateDescriptor;
import dev.tributary.state.dynamodb.StateTables;
import dev.tributary.state.dynamodb.StateTooLargeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The keyed state and timers of one operator during an epoch, backed by the state table: keys are
 * loaded when first touched (or prefetched), cells decoded with the registered descriptors, and
 * changed keys written back as whole main items conditioned on their version.
 */
public final class OperatorStore implements OperatorStateStore {
  /** Map and list cells larger than this spill out of the main item. */
  static final int INLINE_CELL_BYTES = 64 * 1024;

  /** The cells of a main item stay below this; the largest map or list cells spill first. */
  static final int MAIN_ITEM_BUDGET = 300 * 1024;

  /** The largest single value, map entry or list element. */
  static final int MAX_VALUE_BYTES = 390 * 1024;

  /** A map cell with more entries than this spills (so that spilling it fits one transaction). */
  static final int MAP_INLINE_ENTRIES = 32;

  /** Spilled lists are cut into chunks of about this many bytes. */
  static final int LIST_CHUNK_BYTES = 32 * 1024;

  final String uid;
  final Serde<Object> keySerde;
  final Serde<Object> namespaceSerde;
  final int maxKeyGroups;
  final StateRegistry registry;
  final Map<Object, StoredKey> keys = new HashMap<>();
  private final PersistentTimerQueue eventTimers;
  private final PersistentTimerQueue processingTimers;
  private final Consumer<List<StoredKey>> loader;
  private final List<TimerIndexCache.Change> indexChanges = new ArrayList<>();
  private int unconditionedKeys;

  /** The index item actions of the keys indexed by key, since the last commit. */
  private int keyIndexActions;

  /** The slot layout of the attempt ({@code slots#generation}); null: caught-up marks unused. */
  private String layout;

  /** A store for one operator; {@code loader} reads keys on demand. */
  @SuppressWarnings("unchecked")
  public OperatorStore(
      OperatorStateSpec spec, BooleanSupplier full, Consumer<List<StoredKey>> loader) {
    this.uid = spec.operatorUid();
    this.keySerde = (Serde<Object>) spec.keySerde();
    this.namespaceSerde = (Serde<Object>) spec.namespaceSerde();
    this.maxKeyGroups = spec.maxKeyGroups();
    this.registry = new StateRegistry(uid);
    this.eventTimers = new PersistentTimerQueue(full, keyTimers(true));
    this.processingTimers = new PersistentTimerQueue(full, keyTimers(false));
    this.loader = loader;
  }

  private PersistentTimerQueue.KeyTimers keyTimers(boolean eventTime) {
    return new PersistentTimerQueue.KeyTimers() {
      @Override
      public Set<Timer> of(Object key) {
        // loads the key if needed; only looking (is a due timer listed?) decides nothing, so the
        // key counts as accessed only when its timers change or an orphan is dropped against it
        return load(key).timers(eventTime);
      }

      @Override
      public void changed(Object key) {
        StoredKey stored = keys.get(key);
        stored.timersDirty = true;
        stored.accessed = true;
        if (stored.keyIndexed) {
          int moves = StoredKey.indexMoves(stored.indexed, stored.earliestTimers());
          keyIndexActions += moves - stored.indexActions;
          stored.indexActions = moves;
        }
      }

      @Override
      public boolean indexedPerTimer(Object key) {
        return !load(key).keyIndexed;
      }

      @Override
      public void orphaned(Object key) {
        keys.get(key).accessed = true;
      }

      @Override
      public long caughtUpTo(Object key) {
        StoredKey stored = load(key);
        // a mark of another slot layout says nothing: a slot of the count in between may have
        // moved its watermark past a timer the key registered behind the floor and left it pending
        return layout != null && layout.equals(stored.caughtUpIn)
            ? stored.caughtUpTo
            : Long.MIN_VALUE;
      }

      @Override
      public void caughtUp(Object key, long upTo) {
        // written with the key's next write: a key not written has registered no timer since
        if (layout == null) {
          return;
        }
        StoredKey stored = load(key);
        if (!layout.equals(stored.caughtUpIn)) {
          stored.caughtUpTo = Long.MIN_VALUE;
          stored.caughtUpIn = layout;
        }
        stored.caughtUpTo = Math.max(stored.caughtUpTo, upTo);
      }
    };
  }

  /** The operator's uid. */
  public String uid() {
    return uid;
  }

  @Override
  public int register(StateDescriptor<?> descriptor) {
    int slot = registry.register(descriptor);
    // cells of this state read before it was declared can be decoded now
    for (StoredKey stored : keys.values()) {
      boolean clean = !stored.entry.isDirty();
      stored
          .unknownCells
          .entrySet()
          .removeIf(
              cell -> {
                if (!CellIds.stateName(cell.getKey()).equals(descriptor.name())) {
                  return false;
                }
                stored.entry.put(
                    slot,
                    CellIds.namespace(cell.getKey(), namespaceSerde),
                    decode(descriptor, cell.getValue()));
                return true;
              });
      for (Map.Entry<String, Spill> spill : stored.spills.entrySet()) {
        if (CellIds.stateName(spill.getKey()).equals(descriptor.name())
            && stored.entry.get(slot, CellIds.namespace(spill.getKey(), namespaceSerde)) == null) {
          putSpill(stored, spill.getKey(), spill.getValue());
        }
      }
      if (clean) {
        stored.entry.markClean();
      }
    }
    return slot;
  }

  @Override
  public StateDescriptor<?> descriptor(int slot) {
    return registry.descriptor(slot);
  }

  @Override
  public KeyedStateEntry entry(Object key) {
    StoredKey stored = load(key);
    stored.accessed = true;
    return stored.entry;
  }

  /** The key, loaded if it is not tracked yet. */
  private StoredKey load(Object key) {
    StoredKey stored = keys.get(key);
    if (stored == null) {
      stored = track(key);
      loader.accept(List.of(stored));
    }
    return stored;
  }

  @Override
  public KeyedStateEntry existingEntry(Object key) {
    KeyedStateEntry entry = entry(key);
    return entry.isEmpty() ? null : entry;
  }

  @Override
  public TimerQueue eventTimeTimers() {
    return eventTimers;
  }

  @Override
  public TimerQueue processingTimeTimers() {
    return processingTimers;
  }

  /** The event-time timers with their pending changes. */
  public PersistentTimerQueue eventQueue() {
    return eventTimers;
  }

  /** The processing-time timers with their pending changes. */
  public PersistentTimerQueue processingQueue() {
    return processingTimers;
  }

  /**
   * Loads into the due timers every event-time timer up to {@code watermark} that a loaded key
   * lists but the index read did not find (a timer the index read found is loaded once). A key's
   * timer entry and its index item are written in one transaction, and the slot's timer item bounds
   * every stored timer, so in one consistent read none is missing. One is when the slot's timer
   * item (or the index as cached at its version) was read before a concurrent commit that stored
   * the timer and the key after it (a BatchGetItem is not a snapshot), or when the index item was
   * lost; either way the timer is due and fires now, before the records. A commit that fires it
   * writes the key (under its version condition) and the slot's timer item (under the version
   * read), so a copy of the key or of the timer item that was out of date fails the commit, and the
   * epoch is redone from fresh reads. Call before anything fires or runs (it compares the keys'
   * timers as loaded).
   */
  public void loadListedDueTimers(long watermark) {
    for (StoredKey k : keys.values()) {
      if (k.timerBytes == null) {
        continue; // the key had no stored timer
      }
      for (Timer t : k.timers(true)) {
        if (t.timestamp() <= watermark) {
          eventTimers.load(t);
        }
      }
    }
  }

  /**
   * The earliest event-time ({@code [0]}) and processing-time ({@code [1]}) timer that a loaded key
   * holds (as loaded, with the epoch's changes); Long.MAX_VALUE when none. In a consistent read
   * every such timer is due and loaded, registered in the epoch, or at or after the slot's bound as
   * read; one before that bound is a timer a concurrent commit stored after the timer item was read
   * (a torn read), or one whose index item was lost.
   */
  public long[] earliestListed() {
    long[] earliest = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (StoredKey k : keys.values()) {
      long[] ofKey = k.earliestTimers();
      earliest[0] = Math.min(earliest[0], ofKey[0]);
      earliest[1] = Math.min(earliest[1], ofKey[1]);
    }
    return earliest;
  }

  /** Whether {@code key} is loaded (or being loaded). */
  public boolean isTracked(Object key) {
    return keys.containsKey(key);
  }

  /** Starts tracking a key, to be loaded by the caller. */
  public StoredKey track(Object key) {
    byte[] bytes = keySerde.serialize(key);
    StoredKey stored = new StoredKey(this, key, bytes, KeyGroups.keyGroupOf(bytes, maxKeyGroups));
    keys.put(key, stored);
    return stored;
  }

  /**
   * The number of keys the next commit holds an action for: each key whose state or timers changed
   * (written) and each key the job read without changing it (checked, see {@link #collect}).
   */
  public int keyActions() {
    int n = 0;
    for (StoredKey k : keys.values()) {
      if (k.entry.isDirty() || k.timersDirty || k.accessed) {
        n++;
      }
    }
    return n;
  }

  /**
   * Takes the garbage sort keys of every key a commit held the version of since the last call, by
   * partition key. The garbage of a key loaded but not used stays until a commit holds it, or is
   * found again at a later load (found in review: it was deleted too, and a torn read could make a
   * concurrent writer's new spill look like garbage).
   */
  public Map<String, List<String>> takeGarbage() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (StoredKey k : keys.values()) {
      if (k.validated && !k.garbage.isEmpty()) {
        out.put(k.pk(), new ArrayList<>(k.garbage));
        k.garbage.clear();
      }
      k.validated = false;
    }
    return out;
  }

  /**
   * The slot layout the attempt runs under ({@code slots#generation}): a key's caught-up mark
   * counts only when made under it ({@link StoredKey#caughtUpIn}).
   */
  public void layout(String layout) {
    this.layout = layout;
  }

  /** Forgets every loaded key and pending timer change. */
  public void reset() {
    keys.clear();
    keyIndexActions = 0;
    eventTimers.resetAll();
    processingTimers.resetAll();
  }

  // ---- decoding ----

  /** Fills a loaded key from its main item's cells and its spills ({@link StoredKey#spills}). */
  public void decode(StoredKey stored, Map<String, byte[]> cells) {
    for (Map.Entry<String, byte[]> cell : cells.entrySet()) {
      put(stored, cell.getKey(), cell.getValue(), null, null);
    }
    for (Map.Entry<String, Spill> spill : stored.spills.entrySet()) {
      putSpill(stored, spill.getKey(), spill.getValue());
    }
    stored.entry.markClean();
  }

  private void putSpill(StoredKey stored, String cellId, Spill spill) {
    put(
        stored,
        cellId,
        null,
        spill.map() ? spill.entries() : null,
        spill.map() ? null : spill.chunks());
  }

  private void put(
      StoredKey stored,
      String cellId,
      byte[] inline,
      Map<String, byte[]> mapEntries,
      List<byte[]> chunks) {
    int slot = registry.slotOf(CellIds.stateName(cellId));
    if (slot < 0) {
      if (inline != null) {
        stored.unknownCells.put(cellId, inline);
      }
      return; // spilled cells of unknown states stay where they are (their spill is kept)
    }
    StateDescriptor<?> descriptor = registry.descriptor(slot);
    Object namespace = CellIds.namespace(cellId, namespaceSerde);
    Object value;
    if (inline != null) {
      value = decode(descriptor, inline);
    } else if (mapEntries != null) {
      Map<Object, Object> map = new HashMap<>();
      Serde<?> mapKeySerde = ((MapStateDescriptor<?, ?>) descriptor).keySerde();
      mapEntries.forEach(
          (k, v) ->
              map.put(
                  mapKeySerde.deserialize(Codec.unb64(k)),
                  Codec.readValue(ByteBuffer.wrap(v), descriptor.serde())));
      value = map;
    } else {
      List<Object> list = new ArrayList<>();
      for (byte[] chunk : chunks) {
        list.addAll(Codec.readList(chunk, descriptor.serde()));
      }
      value = list;
    }
    stored.entry.put(slot, namespace, value);
  }

  Object decode(StateDescriptor<?> descriptor, byte[] bytes) {
    return switch (descriptor.kind()) {
      case LIST -> Codec.readList(bytes, descriptor.serde());
      case MAP ->
          Codec.readMap(
              bytes, ((MapStateDescriptor<?, ?>) descriptor).keySerde(), descriptor.serde());
      default -> Codec.readValue(ByteBuffer.wrap(bytes), descriptor.serde());
    };
  }

  byte[] encode(StateDescriptor<?> descriptor, Object value) {
    return switch (descriptor.kind()) {
      case LIST -> Codec.list((List<?>) value, descriptor.serde());
      case MAP ->
          Codec.map(
              (Map<?, ?>) value,
              ((MapStateDescriptor<?, ?>) descriptor).keySerde(),
              descriptor.serde());
      default -> Codec.value(value, descriptor.serde());
    };
  }

  String cellId(int slot, Object namespace) {
    String name = registry.descriptor(slot).name();
    return namespace == StateNamespace.VOID
        ? name
        : CellIds.of(name, namespaceSerde.serialize(namespace));
  }

  // ---- timers ----

  /** The key of a timer index item of either kind ({@link Layout#keyTimerSk}, one timer's). */
  public Object timerKey(String sk) {
    return keySerde.deserialize(Layout.timerKey(sk));
  }

  /**
   * Takes in one due index item of {@code key} (loaded), read up to {@code bound}: every timer of
   * the key up to the bound goes into the due timers, as the key lists them. A key's item not at
   * the key's earliest timer as loaded is a stray (a torn read, or left by a writer that broke the
   * rules), deleted once the epoch has room; an item of one timer is checked against its key when
   * it reaches the head of the due timers ({@link PersistentTimerQueue}). Returns the key's
   * earliest timer after the bound (Long.MAX_VALUE: none): it has no index item of its own, so the
   * first item after the bound does not bound it, and the caller's bound of the stored timers not
   * loaded must.
   */
  public long indexRead(boolean eventTime, String sk, Object key, long bound) {
    StoredKey k = keys.get(key);
    PersistentTimerQueue queue = eventTime ? eventTimers : processingTimers;
    if (!Layout.isKeyTimerSk(sk)) {
      queue.load(timer(sk));
    } else if (!k.keyIndexed || k.indexed[eventTime ? 0 : 1] != Layout.timerTime(sk)) {
      queue.stray(new PersistentTimerQueue.Stray(sk, key, k.keyGroup));
    }
    long after = Long.MAX_VALUE;
    if (k.timerBytes != null) {
      for (Timer t : k.timers(eventTime)) {
        if (t.timestamp() <= bound) {
          queue.load(t);
        } else {
          after = Math.min(after, t.timestamp());
        }
      }
    }
    return after;
  }

  /** A timer read from a timer index item's sort key. */
  public Timer timer(String sk) {
    byte[][] keyAndNamespace = Layout.timerKeyAndNamespace(sk);
    Object namespace =
        keyAndNamespace[1] == null
            ? StateNamespace.VOID
            : namespaceSerde.deserialize(keyAndNamespace[1]);
    return new Timer(Layout.timerTime(sk), keySerde.deserialize(keyAndNamespace[0]), namespace);
  }

  /** The timer index puts and deletes of the last {@link #collect}. */
  public List<TimerIndexCache.Change> indexChanges() {
    return indexChanges;
  }

  /** How many timer index items the pending changes put or delete. */
  public int indexWrites() {
    return keyIndexActions + eventTimers.pendingWrites() + processingTimers.pendingWrites();
  }

  /** Adds a put or a delete of a timer index item of {@code keyGroup}. */
  private void indexItem(
      String table, ChangeSet changes, int keyGroup, boolean eventTime, String sk, boolean put) {
    indexChanges.add(new TimerIndexCache.Change(keyGroup, eventTime, sk, put));
    String pk = Layout.timerPk(uid, keyGroup);
    Map<String, AttributeValue> item =
        Map.of(StateTables.PK, AttributeValue.fromS(pk), StateTables.SK, AttributeValue.fromS(sk));
    changes.add(
        put
            ? TransactWriteItem.builder()
                .put(Put.builder().tableName(table).item(item).build())
                .build()
            : TransactWriteItem.builder()
                .delete(Delete.builder().tableName(table).key(item).build())
                .build(),
        100 + sk.length() + pk.length());
  }

  /**
   * Adds the moves of the key's index items (one per time domain, at its earliest timer) from where
   * they are stored to where its timers now need them.
   */
  private void collectKeyIndex(
      StoredKey stored, String table, ChangeSet changes, Set<String> written) {
    long[] needed = stored.earliestTimers().clone();
    StoredKey.forEachIndexMove(
        stored.indexed,
        needed,
        (eventTime, time, put) -> {
          String sk = Layout.keyTimerSk(eventTime, time, stored.keyBytes);
          indexItem(table, changes, stored.keyGroup, eventTime, sk, put);
          written.add(sk);
        });
    changes.onCommit(
        () -> {
          stored.indexed = needed;
          stored.indexActions = 0;
        });
  }

  private void collectTimers(
      boolean eventTime,
      PersistentTimerQueue queue,
      String table,
      ChangeSet changes,
      Set<String> keyIndexWrites) {
    for (Timer timer : queue.toPut()) {
      indexItem(table, changes, eventTime, timer, true);
    }
    for (Timer timer : queue.toDelete()) {
      indexItem(table, changes, eventTime, timer, false);
    }
    for (PersistentTimerQueue.Stray stray : queue.strayDeletes()) {
      if (keyIndexWrites.contains(stray.sortKey()) || isLive(stray, eventTime)) {
        // the key's own item as stored (a commit of this attempt may have moved it there since
        // the read), or one this commit moves: one action on the item, the key's
        continue;
      }
      indexItem(table, changes, stray.keyGroup(), eventTime, stray.sortKey(), false);
    }
    changes.onCommit(queue::committed);
  }

  /** Whether a stray is its key's index item as last stored (not a stray any more). */
  private boolean isLive(PersistentTimerQueue.Stray stray, boolean eventTime) {
    StoredKey k = keys.get(stray.key());
    return k != null
        && k.keyIndexed
        && k.indexed[eventTime ? 0 : 1] == Layout.timerTime(stray.sortKey());
  }

  /** Adds a put or a delete of the index item of one timer (a key indexed per timer). */
  private void indexItem(
      String table, ChangeSet changes, boolean eventTime, Timer timer, boolean put) {
    byte[] keyBytes = keySerde.serialize(timer.key());
    byte[] ns =
        timer.namespace() == StateNamespace.VOID
            ? null
            : namespaceSerde.serialize(timer.namespace());
    indexItem(
        table,
        changes,
        KeyGroups.keyGroupOf(keyBytes, maxKeyGroups),
        eventTime,
        Layout.timerSk(eventTime, timer.timestamp(), keyBytes, ns),
        put);
  }

  // ---- writing ----

  /**
   * Adds the writes of every changed key and timer, and a condition check of every key the job read
   * (or dropped an orphan timer against) without writing it: DynamoDB reads the items of one
   * BatchGetItem each on its own (read-committed as a unit, not a snapshot), so the epoch may hold
   * such a key as it was before a concurrent commit whose other items it saw after (the slot's
   * timer item, the checkpoint); the check makes the commit fail as a conflict then, and the epoch
   * is redone from fresh reads.
   */
  public void collect(String table, ChangeSet changes) {
    indexChanges.clear();
    unconditionedKeys = 0;
    List<StoredKey> held = new ArrayList<>();
    Set<String> keyIndexWrites = new HashSet<>();
    for (StoredKey stored : keys.values()) {
      boolean conditioned = false;
      if (stored.entry.isDirty() || stored.timersDirty) {
        conditioned = collectKey(stored, table, changes);
      }
      if (stored.timersDirty && stored.keyIndexed) {
        collectKeyIndex(stored, table, changes, keyIndexWrites);
      }
      if (stored.accessed && !conditioned) {
        unconditionedKeys++;
        check(stored, table, changes);
      }
      if (conditioned || stored.accessed) {
        held.add(stored);
      }
    }
    changes.onCommit(
        () -> {
          keys.values().forEach(k -> k.accessed = false);
          held.forEach(k -> k.validated = true);
          keyIndexActions = 0;
        });
    collectTimers(true, eventTimers, table, changes, keyIndexWrites);
    collectTimers(false, processingTimers, table, changes, keyIndexWrites);
  }

  private record EncodedCell(
      String id, StateDescriptor<?> descriptor, Object value, byte[] bytes) {}

  /**
   * Keys the job read or changed since the last commit that the changes last collected do not write
   * (only a {@code ConditionCheck} of their version holds them): read only, or created and emptied
   * again. A commit with any does not merge the slot's timer item (docs/protocol.md, "Merging the
   * timer item"), which keeps that rule as it was before the checks.
   */
  public int unconditionedKeys() {
    return unconditionedKeys;
  }

  /** The condition that a key's main item is at the version in {@link #version(long)}. */
  private static final String VERSION_IS = "v = :v";

  /** The key of a key's main item. */
  private static Map<String, AttributeValue> mainKey(String pk) {
    return Map.of(
        StateTables.PK,
        AttributeValue.fromS(pk),
        StateTables.SK,
        AttributeValue.fromS(Layout.MAIN));
  }

  /** The value {@link #VERSION_IS} compares with. */
  private static Map<String, AttributeValue> version(long version) {
    return Map.of(":v", AttributeValue.fromN(Long.toString(version)));
  }

  /** Adds a check that {@code stored}'s item is still the version read (or still absent). */
  private void check(StoredKey stored, String table, ChangeSet changes) {
    ConditionCheck.Builder check =
        ConditionCheck.builder().tableName(table).key(mainKey(stored.pk()));
    if (stored.version == 0) {
      check.conditionExpression("attribute_not_exists(pk)");
    } else {
      check.conditionExpression(VERSION_IS).expressionAttributeValues(version(stored.version));
    }
    changes.add(
        TransactWriteItem.builder().conditionCheck(check.build()).build(),
        stored.pk().length() + 10);
  }

  /** Adds the writes of one changed key; returns whether any (each conditioned on its version). */
  private boolean collectKey(StoredKey stored, String table, ChangeSet changes) {
    String pk = stored.pk();
    List<EncodedCell> cells = new ArrayList<>();
    boolean allTtl = true;
    long lastRefresh = 0;
    long ttlMillis = 0;
    List<int[]> slots = new ArrayList<>();
    List<Object[]> raw = new ArrayList<>();
    stored.entry.forEachCell(
        (slot, namespace, value) -> raw.add(new Object[] {slot, namespace, value}));
    for (Object[] r : raw) {
      int slot = (Integer) r[0];
      StateDescriptor<?> descriptor = registry.descriptor(slot);
      String id = cellId(slot, r[1]);
      byte[] bytes = encode(descriptor, r[2]);
      cells.add(new EncodedCell(id, descriptor, r[2], bytes));
      if (descriptor.ttl() == null) {
        allTtl = false;
      } else {
        ttlMillis = Math.max(ttlMillis, descriptor.ttl().ttlMillis());
        lastRefresh = Math.max(lastRefresh, latestRefresh(r[2]));
      }
    }
    // decide which map and list cells spill: those spilled before (while not empty), the big
    // ones, maps with many entries, then the largest until the main item fits
    Set<String> spill = new HashSet<>();
    long inlineBytes = 0;
    for (EncodedCell c : cells) {
      if (spillable(c)
          && (stored.spills.containsKey(c.id())
              || c.bytes().length > INLINE_CELL_BYTES
              || (c.value() instanceof Map<?, ?> m && m.size() > MAP_INLINE_ENTRIES))) {
        spill.add(c.id());
      } else {
        inlineBytes += c.bytes().length + c.id().length();
      }
    }
    for (byte[] unknown : stored.unknownCells.values()) {
      inlineBytes += unknown.length;
    }
    List<EncodedCell> bySize = new ArrayList<>(cells);
    bySize.sort(Comparator.comparingInt((EncodedCell c) -> c.bytes().length).reversed());
    for (EncodedCell c : bySize) {
      if (inlineBytes <= MAIN_ITEM_BUDGET) {
        break;
      }
      if (spillable(c) && spill.add(c.id())) {
        inlineBytes -= c.bytes().length + c.id().length();
      }
    }
    if (inlineBytes > MAX_VALUE_BYTES) {
      EncodedCell largest = bySize.isEmpty() ? null : bySize.get(0);
      throw new StateTooLargeException(
          "the state of key "
              + stored.key
              + " in operator '"
              + uid
              + "' needs "
              + inlineBytes
              + " bytes in one DynamoDB item"
              + (largest == null
                  ? ""
                  : " (state '"
                      + CellIds.stateName(largest.id())
                      + "': "
                      + largest.bytes().length
                      + " bytes)")
              + "; an item holds at most 400 KB, so one value of a ValueState, ReducingState or"
              + " AggregatingState must stay below "
              + MAX_VALUE_BYTES
              + " bytes; keep large collections in a MapState or ListState, which grow past one"
              + " item");
    }
    Map<String, AttributeValue> inline = new LinkedHashMap<>();
    stored.unknownCells.forEach(
        (id, bytes) -> inline.put(id, AttributeValue.fromB(SdkBytes.fromByteArray(bytes))));
    Map<String, Spill> newSpills = new HashMap<>();
    long[] generation = {stored.generation};
    for (EncodedCell c : cells) {
      if (!spill.contains(c.id())) {
        inline.put(c.id(), AttributeValue.fromB(SdkBytes.fromByteArray(c.bytes())));
      } else {
        Spill before = stored.spills.get(c.id());
        long gen = before != null ? before.generation() : nextGeneration(generation);
        Spill after =
            c.descriptor().kind() == StateDescriptor.Kind.MAP
                ? writeMapEntries(stored, pk, c, gen, before, table, changes)
                : writeListChunks(stored, pk, c, gen, before, table, changes);
        newSpills.put(c.id(), after);
      }
    }
    // spills of states not declared in this run stay as they are; spills of declared states that
    // are now empty or inline become garbage, deleted after the commit
    List<String> newGarbage = new ArrayList<>();
    for (Map.Entry<String, Spill> old : stored.spills.entrySet()) {
      if (newSpills.containsKey(old.getKey())) {
        continue;
      }
      if (registry.slotOf(CellIds.stateName(old.getKey())) < 0) {
        newSpills.put(old.getKey(), old.getValue());
        continue;
      }
      Spill sp = old.getValue();
      if (sp.map()) {
        sp.entries()
            .keySet()
            .forEach(k -> newGarbage.add(Layout.mapEntrySk(old.getKey(), sp.generation(), k)));
      } else {
        for (int i = 0; i < sp.chunks().size(); i++) {
          newGarbage.add(Layout.listChunkSk(old.getKey(), sp.generation(), i));
        }
      }
    }
    Map<String, AttributeValue> key = mainKey(pk);
    long version = stored.version;
    byte[] timerBytes = stored.encodedTimers();
    if (inline.isEmpty() && newSpills.isEmpty() && timerBytes == null) {
      boolean written = version > 0;
      if (written) {
        changes.add(
            TransactWriteItem.builder()
                .delete(
                    Delete.builder()
                        .tableName(table)
                        .key(key)
                        .conditionExpression(VERSION_IS)
                        .expressionAttributeValues(version(version))
                        .build())
                .build(),
            pk.length() + 10);
      }
      changes.onCommit(
          () -> {
            stored.version = 0;
            stored.generation = 0;
            stored.spills.clear();
            stored.garbage.addAll(newGarbage);
            stored.entry.markClean();
            stored.timersDirty = false;
            stored.keyIndexed = true; // no timer left: its next ones are indexed by key
          });
      return written;
    }
    Map<String, AttributeValue> item = new HashMap<>(key);
    long nextVersion = version == 0 ? firstNumber() : version + 1;
    item.put("v", AttributeValue.fromN(Long.toString(nextVersion)));
    if (!inline.isEmpty()) {
      item.put("c", AttributeValue.fromM(inline));
    }
    Map<String, AttributeValue> mapGens = new HashMap<>();
    Map<String, AttributeValue> listGens = new HashMap<>();
    newSpills.forEach(
        (id, sp) ->
            (sp.map() ? mapGens : listGens)
                .put(id, AttributeValue.fromN(Long.toString(sp.generation()))));
    if (!mapGens.isEmpty()) {
      item.put("m", AttributeValue.fromM(mapGens));
    }
    if (!listGens.isEmpty()) {
      item.put("l", AttributeValue.fromM(listGens));
    }
    if (generation[0] > 0) {
      item.put("g", AttributeValue.fromN(Long.toString(generation[0])));
    }
    if (timerBytes != null) {
      item.put("t", AttributeValue.fromB(SdkBytes.fromByteArray(timerBytes)));
      inlineBytes += timerBytes.length;
      if (stored.keyIndexed) {
        item.put("ix", AttributeValue.fromN("1")); // one index item per domain: collectKeyIndex
      }
      if (stored.caughtUpTo != Long.MIN_VALUE && stored.caughtUpIn != null) {
        item.put("cu", AttributeValue.fromN(Long.toString(stored.caughtUpTo)));
        item.put("cg", AttributeValue.fromS(stored.caughtUpIn));
      }
    }
    // a key with timers never expires: its timers must find it when they fire
    if (allTtl && !cells.isEmpty() && stored.unknownCells.isEmpty() && timerBytes == null) {
      item.put(
          StateTables.TTL,
          AttributeValue.fromN(Long.toString((lastRefresh + ttlMillis) / 1000 + 1)));
    }
    Put.Builder put = Put.builder().tableName(table).item(item);
    if (version == 0) {
      put.conditionExpression("attribute_not_exists(pk)");
    } else {
      put.conditionExpression(VERSION_IS).expressionAttributeValues(version(version));
    }
    changes.add(
        TransactWriteItem.builder().put(put.build()).build(), inlineBytes + pk.length() + 50);
    changes.onCommit(
        () -> {
          stored.version = nextVersion;
          stored.generation = generation[0];
          stored.spills.clear();
          stored.spills.putAll(newSpills);
          stored.garbage.addAll(newGarbage);
          stored.entry.markClean();
          stored.timersDirty = false;
          if (timerBytes == null) {
            stored.keyIndexed = true; // no timer left: its next ones are indexed by key
          }
        });
    return true;
  }

  /**
   * The version of a key item when it is created, or the first spill generation of a key: random,
   * not 1. An item deleted when its state emptied and created again must not repeat a version a
   * stale copy of the old item holds, or that copy's condition {@code v = :v} would pass (and an
   * older generation's spill items, left behind when the deletion's cleanup failed, would be read
   * as the new one's). Below 2^52, so every JSON reader keeps it exact.
   */
  private static long firstNumber() {
    return Uniques.next(1, 1L << 52);
  }

  /** The next spill generation of a key whose last one is {@code generation[0]}. */
  private static long nextGeneration(long[] generation) {
    generation[0] = generation[0] == 0 ? firstNumber() : generation[0] + 1;
    return generation[0];
  }

  private static boolean spillable(EncodedCell c) {
    return c.descriptor().kind() == StateDescriptor.Kind.MAP
        || c.descriptor().kind() == StateDescriptor.Kind.LIST;
  }

  private static long latestRefresh(Object value) {
    long latest = 0;
    if (value instanceof TtlValue t) {
      latest = t.refreshedAt();
    } else if (value instanceof List<?> list) {
      for (Object v : list) {
        latest = Math.max(latest, latestRefresh(v));
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Object v : map.values()) {
        latest = Math.max(latest, latestRefresh(v));
      }
    }
    return latest;
  }

  /** Fails when one map entry or list element can never fit an item. */
  private void checkPartSize(StoredKey stored, EncodedCell cell, String part, int size) {
    if (size > MAX_VALUE_BYTES) {
      throw new StateTooLargeException(
          "one "
              + part
              + " of "
              + cell.descriptor().kind().name().toLowerCase(java.util.Locale.ROOT)
              + " state '"
              + CellIds.stateName(cell.id())
              + "' of key "
              + stored.key
              + " in operator '"
              + uid
              + "' is "
              + size
              + " bytes; each is one DynamoDB item of at most 400 KB, so it must stay below "
              + MAX_VALUE_BYTES
              + " bytes");
    }
  }

  /** Writes the changed entries of a spilled map; returns the spill as now stored. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Spill writeMapEntries(
      StoredKey stored,
      String pk,
      EncodedCell cell,
      long generation,
      Spill before,
      String table,
      ChangeSet changes) {
    Map<String, byte[]> old = before == null ? Map.of() : before.entries();
    Map<String, byte[]> after = new LinkedHashMap<>();
    Serde keySerde = ((MapStateDescriptor<?, ?>) cell.descriptor()).keySerde();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) cell.value()).entrySet()) {
      String entryKey = Codec.b64(keySerde.serialize(e.getKey()));
      byte[] value = Codec.value(e.getValue(), cell.descriptor().serde());
      checkPartSize(stored, cell, "entry", value.length);
      after.put(entryKey, value);
      byte[] was = old.get(entryKey);
      if (was == null || !java.util.Arrays.equals(was, value)) {
        putPart(pk, Layout.mapEntrySk(cell.id(), generation, entryKey), value, table, changes);
      }
    }
    for (String gone : old.keySet()) {
      if (!after.containsKey(gone)) {
        deletePart(pk, Layout.mapEntrySk(cell.id(), generation, gone), table, changes);
      }
    }
    return new Spill(true, generation, after, null);
  }

  /**
   * Writes a spilled list as chunks of about {@value #LIST_CHUNK_BYTES} bytes of whole elements,
   * putting only the chunks that changed (appends rewrite the last chunk and add new ones).
   */
  private Spill writeListChunks(
      StoredKey stored,
      String pk,
      EncodedCell cell,
      long generation,
      Spill before,
      String table,
      ChangeSet changes) {
    List<?> values = (List<?>) cell.value();
    List<byte[]> old = before == null ? List.of() : before.chunks();
    List<byte[]> after = new ArrayList<>();
    List<Object> chunk = new ArrayList<>();
    long chunkBytes = 0;
    for (Object v : values) {
      int size = Codec.value(v, cell.descriptor().serde()).length;
      checkPartSize(stored, cell, "element", size);
      if (chunkBytes + size > LIST_CHUNK_BYTES && !chunk.isEmpty()) {
        after.add(Codec.list(chunk, cell.descriptor().serde()));
        chunk = new ArrayList<>();
        chunkBytes = 0;
      }
      chunk.add(v);
      chunkBytes += size;
    }
    if (!chunk.isEmpty()) {
      after.add(Codec.list(chunk, cell.descriptor().serde()));
    }
    for (int i = 0; i < after.size(); i++) {
      if (i >= old.size() || !java.util.Arrays.equals(old.get(i), after.get(i))) {
        putPart(pk, Layout.listChunkSk(cell.id(), generation, i), after.get(i), table, changes);
      }
    }
    for (int i = after.size(); i < old.size(); i++) {
      deletePart(pk, Layout.listChunkSk(cell.id(), generation, i), table, changes);
    }
    return new Spill(false, generation, null, after);
  }

  private static void putPart(String pk, String sk, byte[] bytes, String table, ChangeSet changes) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(StateTables.PK, AttributeValue.fromS(pk));
    item.put(StateTables.SK, AttributeValue.fromS(sk));
    item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(bytes)));
    changes.add(
        TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build(),
        bytes.length + pk.length() + sk.length());
  }

  private static void deletePart(String pk, String sk, String table, ChangeSet changes) {
    changes.add(
        TransactWriteItem.builder()
            .delete(
                Delete.builder()
                    .tableName(table)
                    .key(
                        Map.of(
                            StateTables.PK,
                            AttributeValue.fromS(pk),
                            StateTables.SK,
                            AttributeValue.fromS(sk)))
                    .build())
            .build(),
        pk.length() + sk.length());
  }
}
