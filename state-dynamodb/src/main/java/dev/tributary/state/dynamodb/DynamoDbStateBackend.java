package dev.tributary.state.dynamodb;

import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.spi.OperatorStateSpec;
import dev.tributary.spi.OperatorStateStore;
import dev.tributary.spi.StateBackend;
import dev.tributary.state.dynamodb.internal.ChangeSet;
import dev.tributary.state.dynamodb.internal.Layout;
import dev.tributary.state.dynamodb.internal.OperatorStore;
import dev.tributary.state.dynamodb.internal.Spill;
import dev.tributary.state.dynamodb.internal.StoredKey;
import dev.tributary.state.dynamodb.internal.TimerIndexCache;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Keyed state and timers in the state table, for the SDK's executor. One instance serves one epoch
 * loop of one operator slot: it loads the keys the executor touches (prefetched in batches of 100,
 * consistent reads), the timers that are due, and turns what changed into transaction writes, each
 * key's main item conditioned on the version it was read at (optimistic concurrency across splits).
 * A key's small cells share one item, so many records of one key in one epoch make one write; map
 * and list states larger than {@value #INLINE_CELL_BYTES} bytes spill into one item per map entry
 * or per list chunk, so they can grow past 400 KB.
 */
public final class DynamoDbStateBackend implements StateBackend {
  /** Map and list cells up to this size stay in the key's main item. */
  public static final int INLINE_CELL_BYTES = 64 * 1024;

  /** The main item keeps at most this many bytes of cells before the largest spill. */
  public static final int MAIN_ITEM_BUDGET = 300 * 1024;

  /** The largest list chunk or single value that can be stored. */
  public static final int MAX_VALUE_BYTES = 390 * 1024;

  private final DynamoDbClient client;
  private final StateTables tables;
  private final KeyGroupRange keyGroups;
  private final BooleanSupplier full;

  /**
   * Timer index items read by a key group's first Query page; each later page reads eight times as
   * many. Most key groups have a few timers due and the first page then holds them and the next
   * stored one, without reading (and paying for) the later timers behind it.
   */
  static final int TIMER_PAGE = 16;

  private final Map<String, OperatorStore> stores = new LinkedHashMap<>();
  private final TimerIndexCache timerCache;
  private final Map<String, CacheTag> cacheTags = new HashMap<>();
  private double readUnits;
  private double cleanupWriteUnits;

  /**
   * A backend for the slot owning {@code keyGroups}; {@code full} tells the timer queues when the
   * epoch has no room for more firings.
   */
  public DynamoDbStateBackend(
      DynamoDbClient client, StateTables tables, KeyGroupRange keyGroups, BooleanSupplier full) {
    this(client, tables, keyGroups, full, TimerIndexCache.SHARED);
  }

  /** A backend that keeps what it reads of the timer index in {@code timerCache}. */
  public DynamoDbStateBackend(
      DynamoDbClient client,
      StateTables tables,
      KeyGroupRange keyGroups,
      BooleanSupplier full,
      TimerIndexCache timerCache) {
    this.timerCache = timerCache;
    this.client = client;
    this.tables = tables;
    this.keyGroups = keyGroups;
    this.full = full;
  }

  @Override
  public OperatorStateStore open(OperatorStateSpec spec) {
    OperatorStore store = new OperatorStore(spec, full, this::loadKeys);
    stores.put(spec.operatorUid(), store);
    return store;
  }

  /** The uids of the stateful operators opened. */
  public Collection<String> uids() {
    return stores.keySet();
  }

  /** Read capacity units consumed by loads so far. */
  public double readUnits() {
    return readUnits;
  }

  // ---- loading ----

  /**
   * Loads the given keys of each operator ({@code keysByUid}: an operator's keys are those of the
   * records behind its own keyBy, of its key type) that are not loaded yet and, in the same
   * BatchGetItem requests, the state-table items {@code others} (e.g. the checkpoint and timer
   * items an epoch starts from: one round trip instead of several). Returns the items of {@code
   * others} that exist, by their key as given.
   */
  public Map<Map<String, AttributeValue>, Map<String, AttributeValue>> prefetch(
      Map<String, ? extends Collection<Object>> keysByUid,
      List<Map<String, AttributeValue>> others) {
    List<StoredKey> toLoad = new ArrayList<>();
    for (Map.Entry<String, ? extends Collection<Object>> e : keysByUid.entrySet()) {
      OperatorStore store = stores.get(e.getKey());
      if (store == null) {
        continue;
      }
      for (Object key : e.getValue()) {
        if (!store.isTracked(key)) {
          toLoad.add(store.track(key));
        }
      }
    }
    return loadKeys(toLoad, others);
  }

  private void loadKeys(List<StoredKey> handles) {
    loadKeys(handles, List.of());
  }

  private Map<Map<String, AttributeValue>, Map<String, AttributeValue>> loadKeys(
      List<StoredKey> handles, List<Map<String, AttributeValue>> others) {
    List<Map<String, AttributeValue>> keys = new ArrayList<>(others);
    Map<String, StoredKey> byPk = new HashMap<>();
    for (StoredKey h : handles) {
      String pk = h.pk();
      byPk.put(pk, h);
      keys.add(
          Map.of(
              StateTables.PK,
              AttributeValue.fromS(pk),
              StateTables.SK,
              AttributeValue.fromS(Layout.MAIN)));
    }
    Map<Map<String, AttributeValue>, Map<String, AttributeValue>> found = new HashMap<>();
    for (int from = 0; from < keys.size(); from += 100) {
      List<Map<String, AttributeValue>> chunk =
          keys.subList(from, Math.min(keys.size(), from + 100));
      Map<String, KeysAndAttributes> request =
          Map.of(
              tables.state(), KeysAndAttributes.builder().keys(chunk).consistentRead(true).build());
      int round = 0;
      while (!request.isEmpty()) {
        UnprocessedKeys.beforeRound(round++, request, "loading keys");
        Map<String, KeysAndAttributes> current = request;
        BatchGetItemResponse response =
            client.batchGetItem(
                b -> b.requestItems(current).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        count(response.consumedCapacity());
        for (Map<String, AttributeValue> item :
            response.responses().getOrDefault(tables.state(), List.of())) {
          AttributeValue pk = item.get(StateTables.PK);
          AttributeValue sk = item.get(StateTables.SK);
          StoredKey h = sk.s().equals(Layout.MAIN) ? byPk.get(pk.s()) : null;
          if (h != null) {
            decodeMain(h, item);
          } else {
            found.put(Map.of(StateTables.PK, pk, StateTables.SK, sk), item);
          }
        }
        request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
      }
    }
    return found;
  }

  private void decodeMain(StoredKey h, Map<String, AttributeValue> item) {
    h.version = Long.parseLong(item.get("v").n());
    h.loadedTimers(
        item.containsKey("t") ? item.get("t").b().asByteArray() : null, item.containsKey("ix"));
    h.caughtUpTo = item.containsKey("cu") ? Long.parseLong(item.get("cu").n()) : Long.MIN_VALUE;
    h.caughtUpIn = item.containsKey("cg") ? item.get("cg").s() : null;
    Map<String, byte[]> cells = new LinkedHashMap<>();
    if (item.containsKey("c")) {
      item.get("c").m().forEach((id, v) -> cells.put(id, v.b().asByteArray()));
    }
    h.generation = item.containsKey("g") ? Long.parseLong(item.get("g").n()) : 0;
    Map<String, Long> mapGens = new HashMap<>();
    Map<String, Long> listGens = new HashMap<>();
    if (item.containsKey("m")) {
      item.get("m").m().forEach((id, g) -> mapGens.put(id, Long.parseLong(g.n())));
    }
    if (item.containsKey("l")) {
      item.get("l").m().forEach((id, g) -> listGens.put(id, Long.parseLong(g.n())));
    }
    Map<String, Map<String, byte[]>> entries = new HashMap<>();
    Map<String, List<byte[]>> chunks = new HashMap<>();
    mapGens.keySet().forEach(id -> entries.put(id, new LinkedHashMap<>()));
    listGens.keySet().forEach(id -> chunks.put(id, new ArrayList<>()));
    if (!mapGens.isEmpty() || !listGens.isEmpty() || h.generation > 0) {
      readUnits +=
          query(
              h.pk(),
              "sk > :main",
              Map.of(":main", AttributeValue.fromS(Layout.MAIN)),
              null,
              null,
              part -> {
                String sk = part.get(StateTables.SK).s();
                String[] p = Layout.parsePart(sk);
                Long generation = Long.valueOf(p[2]);
                byte[] data = part.get("b").b().asByteArray();
                if (p[0].equals("M") && generation.equals(mapGens.get(p[1]))) {
                  entries.get(p[1]).put(p[3], data);
                } else if (p[0].equals("L") && generation.equals(listGens.get(p[1]))) {
                  chunks.get(p[1]).add(data); // sort keys keep the chunks in order
                } else {
                  h.garbage.add(
                      sk); // an older generation, left by a commit that crashed before cleanup
                }
                return true;
              });
    }
    mapGens.forEach((id, g) -> h.loadedSpill(id, new Spill(true, g, entries.get(id), null)));
    listGens.forEach((id, g) -> h.loadedSpill(id, new Spill(false, g, null, chunks.get(id))));
    h.store().decode(h, cells);
  }

  /**
   * Loads the stored timers of the slot's key groups that are due: event-time timers up to {@code
   * watermark} (when {@code event}) and processing-time timers up to {@code now} (when {@code
   * processing}), and the keys they belong to. Fired timers are deleted when they fire, so every
   * stored timer up to a bound is pending. Returns the earliest stored timer after each bound (for
   * the slot's fired-up-to item), {@code Long.MAX_VALUE} when there is none, or the old bound of a
   * domain that was not read.
   */
  public long[] loadDueTimers(
      boolean event, long watermark, boolean processing, long now, long[] oldNext) {
    List<TimerRead> reads = new ArrayList<>();
    for (OperatorStore store : stores.values()) {
      for (int kg = keyGroups.first(); kg <= keyGroups.last(); kg++) {
        if (event) {
          reads.add(new TimerRead(store, kg, true, watermark));
        }
        if (processing) {
          reads.add(new TimerRead(store, kg, false, now));
        }
      }
    }
    // what the process's cache of the timer index cannot tell takes one Query per key group: run
    // them side by side (they are independent reads), then apply the results in key-group order,
    // on this thread
    List<TimerRead> queries = new ArrayList<>();
    for (TimerRead read : reads) {
      if (!read.fromCache()) {
        queries.add(read);
      }
    }
    if (queries.size() > 1) {
      List<Future<?>> running = new ArrayList<>();
      for (TimerRead read : queries) {
        running.add(TIMER_READS.submit(read::query));
      }
      for (Future<?> f : running) {
        await(f);
      }
    } else {
      queries.forEach(TimerRead::query);
    }
    Map<String, List<Object>> timerKeys = new LinkedHashMap<>();
    long[] next = {event ? Long.MAX_VALUE : oldNext[0], processing ? Long.MAX_VALUE : oldNext[1]};
    List<Object> dueKeys = new ArrayList<>();
    for (TimerRead read : reads) {
      readUnits += read.units;
      for (String sk : read.due) {
        Object key = read.store.timerKey(sk);
        dueKeys.add(key);
        timerKeys.computeIfAbsent(read.store.uid(), u -> new ArrayList<>()).add(key);
      }
      int i = read.eventTime ? 0 : 1;
      next[i] = Math.min(next[i], read.next);
    }
    // the index items name the keys; the keys, once loaded, list the timers
    prefetch(timerKeys, List.of());
    int k = 0;
    for (TimerRead read : reads) {
      int i = read.eventTime ? 0 : 1;
      for (String sk : read.due) {
        // a due key's later timers have no index item: the next item does not bound them
        next[i] =
            Math.min(
                next[i], read.store.indexRead(read.eventTime, sk, dueKeys.get(k++), read.bound));
      }
    }
    return next;
  }

  /**
   * Loads every event-time timer up to {@code watermark} that a loaded key lists but the index read
   * did not find (a torn read, or a lost index item: {@link OperatorStore#loadListedDueTimers}).
   */
  public void loadListedDueTimers(long watermark) {
    for (OperatorStore store : stores.values()) {
      store.loadListedDueTimers(watermark);
    }
  }

  /**
   * Lets the timer reads of operator {@code uid} use the process's cache of the timer index as of
   * the slot's timer item at {@code version}, written in layout generation {@code generation} (only
   * for a slot whose bounds are trusted: the cache is not otherwise).
   */
  public void timerIndexAt(
      String uid, TimerIndexCache.SlotKey slot, long version, long generation) {
    timerCache.seen(slot.table(), uid, slot.slots(), slot.slot(), slot, version, generation);
    cacheTags.put(uid, new CacheTag(slot, version, generation));
  }

  /**
   * Operator {@code uid}'s timer item of slot {@code slot} of {@code slots} was read and the cache
   * does not answer for it (not trusted, or no item): what the cache holds of the slot is out of
   * date, and is dropped so that it feeds no more guesses ({@link #guessDue}).
   */
  public void timerIndexUnknown(String uid, int slots, int slot) {
    timerCache.seen(tables.state(), uid, slots, slot, null, 0, 0);
  }

  /**
   * The commit of the timer index changes collected last moved operator {@code uid}'s timer item to
   * {@code version}: the cache follows.
   */
  public void timerIndexCommitted(String uid, long version) {
    CacheTag tag = cacheTags.get(uid);
    if (tag != null) {
      timerCache.committed(
          tag.slot(), tag.version(), tag.generation(), version, stores.get(uid).indexChanges());
      cacheTags.put(uid, new CacheTag(tag.slot(), version, tag.generation()));
    }
  }

  /** At most this many keys are loaded on a guess that their timers are due ({@link #guessDue}). */
  static final int GUESSED_KEYS = 50;

  /**
   * Adds to {@code keysByUid} the keys whose timers the process's cache of slot {@code slot} of
   * {@code slots} says are due by {@code watermark} and {@code now}, so that they load with the
   * batch's keys and the timer items in one round trip. A guess: whether the cache still holds is
   * known only once the timer items are read, and the firing reads the index then ({@link
   * #loadDueTimers}); a key loaded in vain is only a key the epoch does not use.
   */
  public void guessDue(
      Map<String, List<Object>> keysByUid, int slots, int slot, long watermark, long now) {
    for (OperatorStore store : stores.values()) {
      for (String sk :
          timerCache.guessDue(
              tables.state(),
              store.uid(),
              slots,
              slot,
              keyGroups.first(),
              keyGroups.last(),
              watermark,
              now,
              GUESSED_KEYS)) {
        keysByUid.computeIfAbsent(store.uid(), u -> new ArrayList<>()).add(store.timerKey(sk));
      }
    }
  }

  /**
   * The commit of the timer index changes collected last created operator {@code uid}'s timer item
   * for {@code slot} at {@code version} in layout generation {@code generation}, where nothing was
   * stored in the slot's key groups: the cache knows their whole index from now on.
   */
  public void timerIndexCreated(
      String uid, TimerIndexCache.SlotKey slot, long version, long generation) {
    timerCache.created(
        slot,
        version,
        generation,
        keyGroups.first(),
        keyGroups.last(),
        stores.get(uid).indexChanges());
    cacheTags.put(uid, new CacheTag(slot, version, generation));
  }

  /**
   * Operator {@code uid}'s timer item was last seen at {@code version}, written by another runner:
   * the cache follows from that version (used when a commit merged its timer item over that one).
   */
  public void timerIndexSeen(String uid, long version) {
    CacheTag tag = cacheTags.get(uid);
    if (tag != null) {
      cacheTags.put(uid, new CacheTag(tag.slot(), version, tag.generation()));
    }
  }

  private record CacheTag(TimerIndexCache.SlotKey slot, long version, long generation) {}

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading timers", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("reading timers failed", e.getCause());
    }
  }

  /** Threads for the timer queries of one slot (reads only; shared by the process's slots). */
  private static final ExecutorService TIMER_READS =
      Executors.newFixedThreadPool(
          8,
          r -> {
            Thread t = new Thread(r, "tributary-timer-read");
            t.setDaemon(true);
            return t;
          });

  /** One key group's due timers up to {@code bound} and the first one after it. */
  private final class TimerRead {
    final OperatorStore store;
    final int keyGroup;
    final boolean eventTime;
    final long bound;
    final CacheTag tag;
    List<String> due = List.of();
    long next = Long.MAX_VALUE;
    double units;

    TimerRead(OperatorStore store, int keyGroup, boolean eventTime, long bound) {
      this.store = store;
      this.keyGroup = keyGroup;
      this.eventTime = eventTime;
      this.bound = bound;
      this.tag = cacheTags.get(store.uid());
    }

    /** Answers from the cache when it can tell. */
    boolean fromCache() {
      if (tag == null) {
        return false;
      }
      TimerIndexCache.Due cached =
          timerCache.due(tag.slot(), tag.version(), tag.generation(), keyGroup, eventTime, bound);
      if (cached == null) {
        return false;
      }
      due = cached.sortKeys();
      next = cached.next();
      return true;
    }

    /**
     * Reads the key group's index in time order, page by page, until past the bound or the end, and
     * remembers every item read (thread-safe: it touches no field of the backend).
     */
    void query() {
      List<String> read = new ArrayList<>();
      boolean[] complete = {false};
      units =
          queryPages(
              Layout.timerPk(store.uid(), keyGroup),
              "sk BETWEEN :from AND :to",
              Map.of(
                  ":from", AttributeValue.fromS(Layout.timerSkFrom(eventTime, Long.MIN_VALUE)),
                  ":to", AttributeValue.fromS(Layout.timerSkTo(eventTime, Long.MAX_VALUE))),
              TIMER_PAGE,
              StateTables.SK, // a timer index item is its key; the sort key holds the timer
              page -> {
                boolean past = false;
                for (Map<String, AttributeValue> item : page.items()) {
                  String sk = item.get(StateTables.SK).s();
                  read.add(sk);
                  past |= Layout.timerTime(sk) > bound;
                }
                complete[0] = lastKey(page) == null;
                return !past;
              });
      List<String> upTo = new ArrayList<>();
      for (String sk : read) {
        long time = Layout.timerTime(sk);
        if (time > bound) {
          next = time;
          break;
        }
        upTo.add(sk);
      }
      due = upTo;
      if (tag != null) {
        timerCache.read(
            tag.slot(), tag.version(), tag.generation(), keyGroup, eventTime, read, complete[0]);
      }
    }
  }

  /**
   * Runs a strongly consistent Query page by page, handing each item to {@code visitor} until it
   * answers false; the first page reads up to {@code limit} items (null: up to 1 MB), each later
   * one eight times as many; {@code projection} names the attributes wanted (null: all). Returns
   * the read units (thread-safe: it touches no field).
   */
  private double query(
      String pk,
      String condition,
      Map<String, AttributeValue> values,
      Integer limit,
      String projection,
      java.util.function.Predicate<Map<String, AttributeValue>> visitor) {
    return queryPages(
        pk, condition, values, limit, projection, page -> page.items().stream().allMatch(visitor));
  }

  /**
   * Runs a strongly consistent Query page by page, handing each page to {@code visitor} until it
   * answers false or the pages end; page sizes as {@link #query}. Returns the read units
   * (thread-safe: it touches no field).
   */
  private double queryPages(
      String pk,
      String condition,
      Map<String, AttributeValue> values,
      Integer limit,
      String projection,
      java.util.function.Predicate<QueryResponse> visitor) {
    Map<String, AttributeValue> start = null;
    double units = 0;
    Integer pageLimit = limit;
    do {
      Map<String, AttributeValue> all = new HashMap<>(values);
      all.put(":pk", AttributeValue.fromS(pk));
      QueryResponse page =
          client.query(
              QueryRequest.builder()
                  .tableName(tables.state())
                  .keyConditionExpression("pk = :pk AND " + condition)
                  .expressionAttributeValues(all)
                  .consistentRead(true)
                  .limit(pageLimit)
                  .projectionExpression(projection)
                  .exclusiveStartKey(start)
                  .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                  .build());
      if (page.consumedCapacity() != null && page.consumedCapacity().capacityUnits() != null) {
        units += page.consumedCapacity().capacityUnits();
      }
      if (!visitor.test(page)) {
        return units;
      }
      start = lastKey(page);
      pageLimit = pageLimit == null ? null : (int) Math.min(pageLimit * 8L, 10_000);
    } while (start != null);
    return units;
  }

  /** The page's last evaluated key, or null at the end. */
  private static Map<String, AttributeValue> lastKey(QueryResponse page) {
    return page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
        ? page.lastEvaluatedKey()
        : null;
  }

  private void count(List<ConsumedCapacity> consumed) {
    if (consumed != null) {
      for (ConsumedCapacity c : consumed) {
        if (c != null && c.capacityUnits() != null) {
          readUnits += c.capacityUnits();
        }
      }
    }
  }

  // ---- changes ----

  /** An estimate of the writes the pending changes need (for cutting epochs). */
  public int pendingWrites() {
    int writes = 0;
    for (OperatorStore store : stores.values()) {
      writes += store.keyActions() + store.indexWrites();
    }
    return writes;
  }

  /**
   * Whether an event-time timer up to {@code watermark} or a processing-time one up to {@code now}
   * waits.
   */
  public boolean hasDueTimers(long watermark, long now) {
    for (OperatorStore store : stores.values()) {
      if (store.eventQueue().hasDue(watermark) || store.processingQueue().hasDue(now)) {
        return true;
      }
    }
    return false;
  }

  /** Timers fired since the last commit. */
  public long firedInEpoch() {
    long n = 0;
    for (OperatorStore store : stores.values()) {
      n += store.eventQueue().firedInEpoch() + store.processingQueue().firedInEpoch();
    }
    return n;
  }

  /**
   * The earliest event-time ({@code [0]}) and processing-time ({@code [1]}) timer that is pending
   * in memory or stored by this epoch, or Long.MAX_VALUE.
   */
  public long[] earliestPending() {
    long[] t = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (OperatorStore store : stores.values()) {
      t[0] =
          Math.min(
              t[0], Math.min(store.eventQueue().earliest(), store.eventQueue().earliestAdded()));
      t[1] =
          Math.min(
              t[1],
              Math.min(
                  store.processingQueue().earliest(), store.processingQueue().earliestAdded()));
    }
    return t;
  }

  /**
   * The earliest event-time and processing-time timer that a loaded key lists ({@link
   * OperatorStore#earliestListed}).
   */
  public long[] earliestListed() {
    long[] t = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (OperatorStore store : stores.values()) {
      long[] listed = store.earliestListed();
      t[0] = Math.min(t[0], listed[0]);
      t[1] = Math.min(t[1], listed[1]);
    }
    return t;
  }

  /** Whether this epoch puts or deletes timer index items (new, fired or removed timers). */
  public boolean changesTimerIndex() {
    for (OperatorStore store : stores.values()) {
      if (store.indexWrites() > 0) {
        return true;
      }
    }
    return false;
  }

  /** Timers fired so far. */
  public long timersFired() {
    long n = 0;
    for (OperatorStore store : stores.values()) {
      n += store.eventQueue().firedCount() + store.processingQueue().firedCount();
    }
    return n;
  }

  /** The earliest pending event-time timer over all operators, or Long.MAX_VALUE. */
  public long earliestEventTimer() {
    long t = Long.MAX_VALUE;
    for (OperatorStore store : stores.values()) {
      t = Math.min(t, store.eventQueue().earliest());
    }
    return t;
  }

  /** The earliest pending processing-time timer over all operators, or Long.MAX_VALUE. */
  public long earliestProcessingTimer() {
    long t = Long.MAX_VALUE;
    for (OperatorStore store : stores.values()) {
      t = Math.min(t, store.processingQueue().earliest());
    }
    return t;
  }

  /** Adds every pending change to {@code changes}. */
  public void collect(ChangeSet changes) {
    for (OperatorStore store : stores.values()) {
      store.collect(tables.state(), changes);
    }
  }

  /**
   * Whether every key the job read or changed since the last commit is written, under its version
   * condition, by the changes last collected: only then may a commit that lost the slot's timer
   * item merge it (docs/protocol.md, "Merging the timer item").
   */
  public boolean everyKeyReadIsConditioned() {
    for (OperatorStore store : stores.values()) {
      if (store.unconditionedKeys() > 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Deletes the items of cleared or rewritten spills (older generations), outside any transaction:
   * nothing reads them any more, so a crash before or during this only leaves garbage that the next
   * load of the key finds and deletes. Best effort: a failure is left for that next time.
   */
  public void cleanGarbage() {
    List<WriteRequest> deletes = new ArrayList<>();
    for (OperatorStore store : stores.values()) {
      store
          .takeGarbage()
          .forEach(
              (pk, sks) -> {
                for (String sk : sks) {
                  deletes.add(
                      WriteRequest.builder()
                          .deleteRequest(
                              d ->
                                  d.key(
                                      Map.of(
                                          StateTables.PK,
                                          AttributeValue.fromS(pk),
                                          StateTables.SK,
                                          AttributeValue.fromS(sk))))
                          .build());
                }
              });
    }
    for (int from = 0; from < deletes.size(); from += 25) {
      Map<String, List<WriteRequest>> request =
          Map.of(tables.state(), deletes.subList(from, Math.min(deletes.size(), from + 25)));
      try {
        for (int attempt = 0; !request.isEmpty() && attempt < 5; attempt++) {
          Map<String, List<WriteRequest>> current = request;
          BatchWriteItemResponse response =
              client.batchWriteItem(
                  b ->
                      b.requestItems(current).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
          if (response.consumedCapacity() != null) {
            for (ConsumedCapacity c : response.consumedCapacity()) {
              if (c.capacityUnits() != null) {
                cleanupWriteUnits += c.capacityUnits();
              }
            }
          }
          request = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
      } catch (SdkException e) {
        return; // left for the next load of these keys
      }
    }
  }

  /** Write units spent deleting garbage. */
  public double cleanupWriteUnits() {
    return cleanupWriteUnits;
  }

  /**
   * The slot layout operator {@code uid}'s attempt runs under ({@code slots#generation}): a key's
   * caught-up mark counts only when made under the same one ({@link StoredKey#caughtUpIn}).
   */
  public void layoutOf(String uid, String layout) {
    stores.get(uid).layout(layout);
  }

  /** Forgets everything loaded (after a conflict, to reload). */
  public void reset() {
    for (OperatorStore store : stores.values()) {
      store.reset();
    }
  }
}
