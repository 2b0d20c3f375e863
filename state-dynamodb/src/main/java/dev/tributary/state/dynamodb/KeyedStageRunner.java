package dev.tributary.state.dynamodb;

import dev.tributary.JobGraph;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SinkSpec;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import dev.tributary.spi.ManualClock;
import dev.tributary.spi.OutputCollector;
import dev.tributary.state.dynamodb.internal.ChangeSet;
import dev.tributary.state.dynamodb.internal.Layout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Runs the keyed stage of a job for one (split, slot) batch and commits it exactly once: the
 * protocol of docs/protocol.md. Each epoch is one TransactWriteItems holding the changed state
 * items (conditioned on their versions), timer writes, outbox pages, the slot's timers-fired-up-to
 * items and the split's checkpoint for the slot (conditioned on the epoch it was read at, which
 * fences zombies and duplicates). Batches are cut into epochs that fit a transaction; a lost
 * version race is redone from the committed state; an unknown outcome is retried with the same
 * ClientRequestToken and, past the token window, settled by reading the checkpoint.
 *
 * <p>A runner is used by one thread at a time; runners of one job may run at the same time (they
 * build their own instances of the job's functions).
 */
public final class KeyedStageRunner {
  /** Writes an epoch may collect before it is committed (a transaction holds 100). */
  public static final int SOFT_WRITE_LIMIT = 80;

  /** Bytes an epoch may collect before it is committed (a transaction holds 4 MB). */
  public static final long SOFT_BYTE_LIMIT = 3L * 1024 * 1024;

  /** Outbox records go into pages of at most this many bytes. */
  static final int OUTBOX_PAGE_BYTES = 300 * 1024;

  private final DynamoDbClient client;
  private final StateTables tables;
  private final JobGraph graph;
  private final int maxConflictRetries;
  private final int maxCommitAttempts;
  private final Duration backoff;
  private final Map<String, Serde<Object>> sinkSerdes = new HashMap<>();
  private final List<Integer> exchanges = new ArrayList<>();

  /** A runner with the default retry settings. */
  public KeyedStageRunner(DynamoDbClient client, StateTables tables, JobGraph graph) {
    this(client, tables, graph, 20, 8, Duration.ofMillis(20));
  }

  /**
   * A runner.
   *
   * @param maxConflictRetries how often an epoch lost to a concurrent writer is redone
   * @param maxCommitAttempts how often a commit with an unknown outcome is retried
   * @param backoff the base delay between retries (with jitter, doubling)
   */
  @SuppressWarnings("unchecked")
  public KeyedStageRunner(
      DynamoDbClient client,
      StateTables tables,
      JobGraph graph,
      int maxConflictRetries,
      int maxCommitAttempts,
      Duration backoff) {
    this.client = Objects.requireNonNull(client, "client");
    this.tables = Objects.requireNonNull(tables, "tables");
    // this runner's own user-function instances: runners may work at the same time
    this.graph = Objects.requireNonNull(graph, "graph").instance();
    this.maxConflictRetries = maxConflictRetries;
    this.maxCommitAttempts = maxCommitAttempts;
    this.backoff = backoff;
    if (graph.keyedStageCount() > 1) {
      throw new IllegalArgumentException(
          "job '"
              + graph.jobName()
              + "' has "
              + graph.keyedStageCount()
              + " keyed stages; the Lambda runtime runs one keyed stage (one keyBy between the"
              + " sources and the sinks). Merge the keyed operators behind one keyBy");
    }
    for (GraphNode node : graph.exchanges()) {
      exchanges.add(node.id());
    }
    for (GraphNode node : graph.sinks()) {
      SinkSpec sink = (SinkSpec) node.spec();
      sinkSerdes.put(sink.sinkName(), (Serde<Object>) sink.serde());
    }
  }

  /** Checkpoint of one (split, slot). */
  private record Checkpoint(boolean exists, Position position, long epoch, String commitId) {}

  /**
   * The timer item of one operator and slot: timers fired up to (event, processing), a lower bound
   * of the stored timers not fired (nextEvent, nextProcessing) and its version.
   */
  private record Fired(
      boolean exists,
      long event,
      long processing,
      long nextEvent,
      long nextProcessing,
      long version) {}

  /** A sink record waiting for its epoch's commit. */
  private record Output(String sink, byte[] value, long timestamp) {}

  private enum Outcome {
    COMMITTED,
    CONFLICT,
    FENCED
  }

  /** Mutable accounting of one run. */
  private static final class Totals {
    int epochs;
    long applied;
    long skipped;
    long outputs;
    long timersFired;
    int conflicts;
    int retries;
    double readUnits;
    double writeUnits;
    Checkpoint checkpoint;
  }

  /** Runs a batch; returns what it committed. */
  public RunReport run(Batch batch) {
    Totals totals = new Totals();
    String split = batch.split() == null ? "~tick" : batch.split();
    KeyGroupRange range = KeyGroups.rangeOf(batch.slot(), graph.maxKeyGroups(), batch.slots());
    for (int attempt = 0; ; attempt++) {
      Outcome outcome = attempt(batch, split, range, totals);
      if (outcome == Outcome.COMMITTED) {
        return report(totals, false);
      }
      if (outcome == Outcome.FENCED) {
        return report(totals, true);
      }
      totals.conflicts++;
      if (attempt >= maxConflictRetries) {
        throw new IllegalStateException(
            "slot "
                + batch.slot()
                + " of split "
                + split
                + " lost "
                + totals.conflicts
                + " commits in a row to concurrent writers; raise maxConflictRetries or make the"
                + " source partition key match the job key so that splits do not share keys");
      }
      sleep(attempt);
    }
  }

  private RunReport report(Totals t, boolean fenced) {
    return new RunReport(
        t.checkpoint.position(),
        t.checkpoint.epoch(),
        t.epochs,
        t.applied,
        t.skipped,
        t.outputs,
        t.timersFired,
        t.conflicts,
        t.retries,
        fenced,
        t.readUnits,
        t.writeUnits);
  }

  /** One attempt from the committed state; commits as many epochs as the batch needs. */
  private Outcome attempt(Batch batch, String split, KeyGroupRange range, Totals totals) {
    Map<String, AttributeValue> checkpointKey =
        key(
            Layout.checkpointPk(graph.jobName(), split),
            Layout.slotSk(batch.slots(), batch.slot()));
    Checkpoint checkpoint = readCheckpoint(checkpointKey, totals);
    totals.checkpoint = checkpoint;
    List<KeyedRecord> pending = new ArrayList<>();
    long skipped = 0;
    for (KeyedRecord r : batch.records()) {
      if (r.position().compareTo(checkpoint.position()) > 0) {
        pending.add(r);
      } else {
        skipped++;
      }
    }
    pending.sort((a, b) -> a.position().compareTo(b.position()));
    List<Output> outputs = new ArrayList<>();
    boolean[] full = new boolean[1];
    DynamoDbStateBackend backend = new DynamoDbStateBackend(client, tables, range, () -> full[0]);
    ManualClock clock = new ManualClock(batch.processingTime());
    OutputCollector collector =
        (sink, value, timestamp) -> {
          Serde<Object> serde = sinkSerdes.get(sink);
          outputs.add(new Output(sink, serde.serialize(value), timestamp));
        };
    try (JobExecutor executor = new JobExecutor(graph, backend, clock, collector)) {
      Map<String, Fired> fired = readFired(backend, batch, totals);
      long firedEvent = Long.MAX_VALUE;
      long firedProcessing = Long.MAX_VALUE;
      long[] storedNext = {Long.MAX_VALUE, Long.MAX_VALUE};
      for (Fired f : fired.values()) {
        firedEvent = Math.min(firedEvent, f.event());
        firedProcessing = Math.min(firedProcessing, f.processing());
        storedNext[0] = Math.min(storedNext[0], f.nextEvent());
        storedNext[1] = Math.min(storedNext[1], f.nextProcessing());
      }
      if (fired.isEmpty()) {
        firedEvent = Long.MIN_VALUE;
        firedProcessing = Long.MIN_VALUE;
      }
      clock.set(Math.max(batch.processingTime(), firedProcessing));
      List<Object> keys = new ArrayList<>();
      pending.forEach(r -> keys.add(r.key()));
      backend.prefetch(keys);
      if (firedEvent > Long.MIN_VALUE) {
        for (int exchange : exchanges) {
          executor.injectWatermark(exchange, firedEvent);
        }
      }
      Epoch epoch =
          new Epoch(batch, split, checkpointKey, checkpoint, fired, backend, outputs, totals);
      epoch.fe = firedEvent;
      epoch.fp = firedProcessing;
      epoch.storedNext = storedNext;
      Position last = checkpoint.position();
      long appliedInEpoch = 0;
      for (KeyedRecord r : pending) {
        executor.injectKeyed(r.exchange(), r.key(), r.value(), r.timestamp());
        last = r.position();
        appliedInEpoch++;
        if (epoch.isFull()) {
          Outcome o = epoch.commit(last, epoch.fe, epoch.fp);
          if (o != Outcome.COMMITTED) {
            return o;
          }
          totals.applied += appliedInEpoch;
          appliedInEpoch = 0;
        }
      }
      // then time: due timers up to the watermark and the clock fire, in epochs that fit; the
      // stored timers are read only when the earliest of them is due
      long watermark = Math.max(batch.watermark(), firedEvent);
      long now = Math.max(batch.processingTime(), firedProcessing);
      boolean eventDue = epoch.storedNext[0] <= watermark;
      boolean processingDue = epoch.storedNext[1] <= now;
      if (eventDue || processingDue) {
        epoch.storedNext =
            backend.loadDueTimers(eventDue, watermark, processingDue, now, epoch.storedNext);
      }
      full[0] = epoch.isFull();
      for (int exchange : exchanges) {
        executor.injectWatermark(exchange, watermark);
      }
      while (true) {
        executor.fireDueTimers();
        boolean paused = full[0] || epoch.isFull();
        long nextEvent = backend.earliestEventTimer();
        long nextProcessing = backend.earliestProcessingTimer();
        boolean done = nextEvent > watermark && nextProcessing > now;
        if (done || !paused) {
          Outcome o = epoch.commit(last, watermark, now);
          if (o == Outcome.COMMITTED) {
            totals.applied += appliedInEpoch;
          }
          return o;
        }
        // the epoch filled up while firing: commit what fired so far, then go on
        Outcome o =
            epoch.commit(
                last,
                Math.min(watermark, nextEvent == Long.MAX_VALUE ? watermark : nextEvent - 1),
                Math.min(now, nextProcessing == Long.MAX_VALUE ? now : nextProcessing - 1));
        if (o != Outcome.COMMITTED) {
          return o;
        }
        totals.applied += appliedInEpoch;
        appliedInEpoch = 0;
        full[0] = false;
      }
    } finally {
      totals.skipped = skipped;
      totals.readUnits += backend.readUnits();
      totals.timersFired += backend.timersFired();
    }
  }

  /** The writes of one epoch and its commit. */
  private final class Epoch {
    final Batch batch;
    final String split;
    final Map<String, AttributeValue> checkpointKey;
    Checkpoint checkpoint;
    final Map<String, Fired> fired;
    final DynamoDbStateBackend backend;
    final List<Output> outputs;
    final Totals totals;
    long fe;
    long fp;

    /** Lower bounds of the stored timers that are not in memory (event, processing). */
    long[] storedNext;

    Epoch(
        Batch batch,
        String split,
        Map<String, AttributeValue> checkpointKey,
        Checkpoint checkpoint,
        Map<String, Fired> fired,
        DynamoDbStateBackend backend,
        List<Output> outputs,
        Totals totals) {
      this.batch = batch;
      this.split = split;
      this.checkpointKey = checkpointKey;
      this.checkpoint = checkpoint;
      this.fired = new LinkedHashMap<>(fired);
      this.backend = backend;
      this.outputs = outputs;
      this.totals = totals;
    }

    boolean isFull() {
      long bytes = 0;
      for (Output o : outputs) {
        bytes += o.value().length + o.sink().length() + 16;
      }
      int pages = (int) (bytes / OUTBOX_PAGE_BYTES) + 1;
      return backend.pendingWrites() + pages + fired.size() + 1 >= SOFT_WRITE_LIMIT
          || bytes >= SOFT_BYTE_LIMIT;
    }

    /** Commits everything pending with the checkpoint at {@code through}. */
    Outcome commit(Position through, long newFe, long newFp) {
      ChangeSet changes = new ChangeSet();
      backend.collect(changes);
      long epochNumber = checkpoint.epoch() + 1;
      int page = 0;
      List<Map<String, AttributeValue>> records = new ArrayList<>();
      long pageBytes = 0;
      for (Output o : outputs) {
        Map<String, AttributeValue> record = new HashMap<>();
        record.put("s", AttributeValue.fromS(o.sink()));
        record.put("v", AttributeValue.fromB(SdkBytes.fromByteArray(o.value())));
        if (o.timestamp() != Long.MIN_VALUE) {
          record.put("t", AttributeValue.fromN(Long.toString(o.timestamp())));
        }
        long size = o.value().length + o.sink().length() + 16;
        if (pageBytes + size > OUTBOX_PAGE_BYTES && !records.isEmpty()) {
          addPage(changes, epochNumber, page++, records, pageBytes);
          records = new ArrayList<>();
          pageBytes = 0;
        }
        records.add(record);
        pageBytes += size;
      }
      if (!records.isEmpty()) {
        addPage(changes, epochNumber, page, records, pageBytes);
      }
      // the timer item changes when timers fire (fired-up-to advances) or new timers are stored
      // (the bound of the earliest may drop): two epochs doing either on one slot conflict here
      long[] pending = backend.earliestPending();
      long nextEvent = Math.min(storedNext[0], pending[0]);
      long nextProcessing = Math.min(storedNext[1], pending[1]);
      boolean firedAny = backend.firedInEpoch() > 0;
      boolean addsTimers = backend.addsTimers();
      Map<String, Fired> written = new LinkedHashMap<>();
      for (Map.Entry<String, Fired> e : fired.entrySet()) {
        Fired f = e.getValue();
        if (!firedAny
            && !addsTimers
            && f.nextEvent() == nextEvent
            && f.nextProcessing() == nextProcessing) {
          continue;
        }
        Fired next =
            new Fired(
                true,
                Math.max(newFe, f.event()),
                Math.max(newFp, f.processing()),
                nextEvent,
                nextProcessing,
                f.version() + 1);
        written.put(e.getKey(), next);
        Map<String, AttributeValue> item =
            new HashMap<>(
                key(Layout.firedPk(e.getKey()), Layout.slotSk(batch.slots(), batch.slot())));
        item.put("fe", num(next.event()));
        item.put("fp", num(next.processing()));
        item.put("ne", num(next.nextEvent()));
        item.put("np", num(next.nextProcessing()));
        item.put("v", num(next.version()));
        Put.Builder put = Put.builder().tableName(tables.state()).item(item);
        condition(put, f);
        changes.add(TransactWriteItem.builder().put(put.build()).build(), 150);
      }
      boolean moved = through.compareTo(checkpoint.position()) > 0;
      if (changes.items().isEmpty() && !moved) {
        return Outcome.COMMITTED; // nothing to do
      }
      // the checkpoint goes last: its index tells a fence from a conflict. It carries a random
      // commit id, which tells our own commit from a duplicate's when the outcome was lost
      String token = UUID.randomUUID().toString();
      Map<String, AttributeValue> item = new HashMap<>(checkpointKey);
      item.put("pos", AttributeValue.fromS(through.encode()));
      item.put("epoch", num(epochNumber));
      item.put("commit", AttributeValue.fromS(token));
      Put.Builder put = Put.builder().tableName(tables.state()).item(item);
      if (checkpoint.exists()) {
        put.conditionExpression("epoch = :e")
            .expressionAttributeValues(Map.of(":e", num(checkpoint.epoch())));
      } else {
        put.conditionExpression("attribute_not_exists(pk)");
      }
      changes.add(TransactWriteItem.builder().put(put.build()).build(), 150);
      if (changes.items().size() > 100) {
        throw new IllegalStateException(
            "one epoch of split "
                + split
                + ", slot "
                + batch.slot()
                + " needs "
                + changes.items().size()
                + " writes, more than the 100 a DynamoDB transaction holds: a single record changed"
                + " too many map entries, list chunks or timers at once");
      }
      TransactWriteItemsRequest request =
          TransactWriteItemsRequest.builder()
              .transactItems(changes.items())
              .clientRequestToken(token)
              .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
              .build();
      Outcome outcome = execute(request, token);
      if (outcome != Outcome.COMMITTED) {
        return outcome;
      }
      changes.committed();
      totals.epochs++;
      totals.outputs += outputs.size();
      outputs.clear();
      checkpoint = new Checkpoint(true, through, epochNumber, token);
      totals.checkpoint = checkpoint;
      fired.putAll(written);
      fe = Math.max(fe, newFe);
      fp = Math.max(fp, newFp);
      return Outcome.COMMITTED;
    }

    private void addPage(
        ChangeSet changes,
        long epochNumber,
        int page,
        List<Map<String, AttributeValue>> records,
        long bytes) {
      Map<String, AttributeValue> item = new HashMap<>();
      item.put(
          StateTables.PK,
          AttributeValue.fromS(
              Layout.outboxPk(graph.jobName(), split, batch.slots(), batch.slot())));
      item.put(StateTables.SK, AttributeValue.fromS(Layout.outboxSk(epochNumber, page)));
      item.put("r", AttributeValue.fromL(records.stream().map(AttributeValue::fromM).toList()));
      changes.add(
          TransactWriteItem.builder()
              .put(
                  Put.builder()
                      .tableName(tables.outbox())
                      .item(item)
                      .conditionExpression("attribute_not_exists(pk)")
                      .build())
              .build(),
          bytes + 100);
    }

    /** Sends the transaction; classifies the outcome; retries unknown outcomes. */
    private Outcome execute(TransactWriteItemsRequest request, String commitId) {
      int checkpointIndex = request.transactItems().size() - 1;
      RuntimeException lastUnknown = null;
      for (int attempt = 0; attempt < maxCommitAttempts; attempt++) {
        try {
          TransactWriteItemsResponse response = client.transactWriteItems(request);
          countWrites(response.consumedCapacity());
          return Outcome.COMMITTED;
        } catch (TransactionCanceledException e) {
          List<CancellationReason> reasons = e.cancellationReasons();
          String fence =
              reasons.size() > checkpointIndex ? reasons.get(checkpointIndex).code() : null;
          if ("ConditionalCheckFailed".equals(fence)) {
            return settle(commitId) ? Outcome.COMMITTED : Outcome.FENCED;
          }
          boolean conditionFailed =
              reasons.stream().anyMatch(r -> "ConditionalCheckFailed".equals(r.code()));
          if (conditionFailed) {
            return Outcome.CONFLICT;
          }
          boolean validation = reasons.stream().anyMatch(r -> "ValidationError".equals(r.code()));
          if (validation) {
            throw new IllegalStateException(
                "DynamoDB refused the commit of split "
                    + split
                    + ", slot "
                    + batch.slot()
                    + ": "
                    + reasons,
                e);
          }
          // TransactionConflict or throttling inside the transaction: nothing applied, try again
          totals.retries++;
          sleep(attempt);
          request = request.toBuilder().clientRequestToken(UUID.randomUUID().toString()).build();
        } catch (IdempotentParameterMismatchException e) {
          throw new IllegalStateException(
              "the commit token was reused for another request: " + e.getMessage(), e);
        } catch (SdkClientException | DynamoDbException e) {
          if (e instanceof DynamoDbException d
              && d.statusCode() >= 400
              && d.statusCode() < 500
              && !isThrottling(d)) {
            throw e;
          }
          // the outcome is unknown: retry the same request with the same token
          lastUnknown = e;
          totals.retries++;
          sleep(attempt);
        }
      }
      // the token window may have passed: the checkpoint says whether it committed
      if (settle(commitId)) {
        return Outcome.COMMITTED;
      }
      throw new IllegalStateException(
          "could not commit epoch "
              + (checkpoint.epoch() + 1)
              + " of split "
              + split
              + ", slot "
              + batch.slot()
              + " after "
              + maxCommitAttempts
              + " attempts; nothing was committed, a later invocation will redo it",
          lastUnknown);
    }

    /** Whether the checkpoint shows this commit as done (by an earlier attempt of ours). */
    private boolean settle(String commitId) {
      return commitId.equals(readCheckpoint(checkpointKey, totals).commitId());
    }

    private void countWrites(List<ConsumedCapacity> consumed) {
      if (consumed != null) {
        for (ConsumedCapacity c : consumed) {
          if (c.capacityUnits() != null) {
            totals.writeUnits += c.capacityUnits();
          }
        }
      }
    }
  }

  private static boolean isThrottling(DynamoDbException e) {
    String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    return code.contains("Throttl")
        || code.contains("ProvisionedThroughputExceeded")
        || code.contains("RequestLimitExceeded");
  }

  private void condition(Put.Builder put, Fired f) {
    if (f.exists()) {
      put.conditionExpression("v = :v").expressionAttributeValues(Map.of(":v", num(f.version())));
    } else {
      put.conditionExpression("attribute_not_exists(pk)");
    }
  }

  private Checkpoint readCheckpoint(Map<String, AttributeValue> key, Totals totals) {
    GetItemResponse response =
        client.getItem(
            b ->
                b.tableName(tables.state())
                    .key(key)
                    .consistentRead(true)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
    if (response.consumedCapacity() != null
        && response.consumedCapacity().capacityUnits() != null) {
      totals.readUnits += response.consumedCapacity().capacityUnits();
    }
    if (!response.hasItem() || response.item().isEmpty()) {
      return new Checkpoint(false, Position.BEGINNING, 0, null);
    }
    Map<String, AttributeValue> item = response.item();
    return new Checkpoint(
        true,
        Position.decode(item.get("pos").s()),
        Long.parseLong(item.get("epoch").n()),
        item.containsKey("commit") ? item.get("commit").s() : null);
  }

  private Map<String, Fired> readFired(DynamoDbStateBackend backend, Batch batch, Totals totals) {
    Map<String, Fired> out = new LinkedHashMap<>();
    for (String uid : backend.uids()) {
      GetItemResponse response =
          client.getItem(
              b ->
                  b.tableName(tables.state())
                      .key(key(Layout.firedPk(uid), Layout.slotSk(batch.slots(), batch.slot())))
                      .consistentRead(true)
                      .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
      if (response.consumedCapacity() != null
          && response.consumedCapacity().capacityUnits() != null) {
        totals.readUnits += response.consumedCapacity().capacityUnits();
      }
      if (!response.hasItem() || response.item().isEmpty()) {
        out.put(
            uid,
            new Fired(false, Long.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0));
      } else {
        Map<String, AttributeValue> item = response.item();
        out.put(
            uid,
            new Fired(
                true,
                Long.parseLong(item.get("fe").n()),
                Long.parseLong(item.get("fp").n()),
                Long.parseLong(item.get("ne").n()),
                Long.parseLong(item.get("np").n()),
                Long.parseLong(item.get("v").n())));
      }
    }
    return out;
  }

  private static Map<String, AttributeValue> key(String pk, String sk) {
    return Map.of(
        StateTables.PK, AttributeValue.fromS(pk), StateTables.SK, AttributeValue.fromS(sk));
  }

  private static AttributeValue num(long n) {
    return AttributeValue.fromN(Long.toString(n));
  }

  private void sleep(int attempt) {
    long base = backoff.toMillis() << Math.min(attempt, 6);
    long jitter = ThreadLocalRandom.current().nextLong(base + 1);
    try {
      Thread.sleep(Math.min(2000, base / 2 + jitter));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }
}
