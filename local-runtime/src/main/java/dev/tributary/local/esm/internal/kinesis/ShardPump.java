package dev.tributary.local.esm.internal.kinesis;

import dev.tributary.local.esm.Delivery;
import dev.tributary.local.esm.FunctionInvoker;
import dev.tributary.local.esm.KinesisFailureRecord;
import dev.tributary.local.esm.MappingSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.kinesis.exceptions.KinesisClientLibException;
import software.amazon.kinesis.exceptions.KinesisClientLibRetryableException;
import software.amazon.kinesis.exceptions.ShutdownException;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * One shard of a Kinesis event source mapping, as KCL's record processor: KCL reads the shard and
 * hands the records over in order; each goes to the lane of its partition key (one lane per unit of
 * the parallelization factor); each lane gathers a batch (batch size, 6 MB, batching window),
 * delivers it with {@link Delivery} and only then takes the next, so a lane's records stay in order
 * and a failing lane holds up only its own keys. The shard's checkpoint is the last record finished
 * (delivered or given up) with every record before it finished too; it is written to the lease on
 * KCL's thread whenever it moves (KCL calls in every read interval, also with no records). At the
 * shard's end the lanes drain and the processor checkpoints {@code SHARD_END}, which lets KCL start
 * the child shards.
 */
public final class ShardPump implements ShardRecordProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(ShardPump.class);
  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ISO_INSTANT;

  private final PumpContext context;
  private final MappingSettings settings;
  private final Object lock = new Object();

  /** Read records not yet checkpointable, in shard order. Guarded by {@link #lock}. */
  private final ArrayDeque<Entry> unfinished = new ArrayDeque<>();

  private final List<Future<?>> laneTasks = new ArrayList<>();
  private Lane[] lanes;
  private String shardId;
  private Counters.ShardState state;

  /** Records read and not finished. Guarded by {@link #lock}. */
  private int open;

  /** The last record finished with all before it. Guarded by {@link #lock}. */
  private Entry frontier;

  /** The shard was read to its end: lanes deliver what they have at once. Guarded by lock. */
  private boolean ending;

  private volatile boolean stopping;
  private volatile String checkpointed;

  /** A processor for one shard of the mapping described by {@code context}. */
  public ShardPump(PumpContext context) {
    this.context = context;
    this.settings = context.settings();
  }

  /** One record read from the shard. */
  static final class Entry {
    final String sequenceNumber;
    final long subSequenceNumber;
    final Instant arrival;
    final byte[] json;
    final int lane;
    final long readNanos;
    boolean finished;

    /** Invocations this record was part of (lane thread only). */
    int invocations;

    Entry(
        String sequenceNumber,
        long subSequenceNumber,
        Instant arrival,
        byte[] json,
        int lane,
        long readNanos) {
      this.sequenceNumber = sequenceNumber;
      this.subSequenceNumber = subSequenceNumber;
      this.arrival = arrival;
      this.json = json;
      this.lane = lane;
      this.readNanos = readNanos;
    }
  }

  /** Thrown out of a delivery when the shard stops: the batch stays unfinished. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super("the shard stopped", null, false, false);
    }
  }

  @Override
  public void initialize(InitializationInput input) {
    shardId = input.shardId();
    state = context.counters().shard(shardId);
    state.ended = false;
    lanes = new Lane[settings.parallelizationFactor()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane(i);
      laneTasks.add(context.laneThreads().submit(lanes[i]::run));
    }
    LOG.debug(
        "{}: starting at {} with {} lane(s)",
        shardId,
        input.extendedSequenceNumber(),
        lanes.length);
  }

  @Override
  public void processRecords(ProcessRecordsInput input) {
    if (input.millisBehindLatest() != null) {
      state.millisBehindLatest = input.millisBehindLatest();
    }
    List<KinesisClientRecord> records = input.records();
    if (!records.isEmpty()) {
      long now = System.nanoTime();
      List<Entry> entries = new ArrayList<>(records.size());
      for (KinesisClientRecord r : records) {
        Instant arrival =
            r.approximateArrivalTimestamp() != null
                ? r.approximateArrivalTimestamp()
                : context.clock().instant();
        byte[] json =
            context
                .events()
                .record(shardId, r.partitionKey(), r.sequenceNumber(), r.data(), arrival);
        entries.add(
            new Entry(
                r.sequenceNumber(),
                r.subSequenceNumber(),
                arrival,
                json,
                Lanes.lane(r.partitionKey(), lanes.length),
                now));
      }
      synchronized (lock) {
        for (Entry e : entries) {
          unfinished.addLast(e);
          lanes[e.lane].add(e);
        }
        open += entries.size();
        lock.notifyAll();
      }
    }
    checkpoint(input.checkpointer());
    int limit = context.maxPendingRecords();
    try {
      while (!stopping && openRecords() >= limit) {
        awaitChange(200);
        checkpoint(input.checkpointer());
      }
    } catch (Stopped interrupted) {
      // KCL is shutting the consumer down
    }
  }

  @Override
  public void shardEnded(ShardEndedInput input) {
    try {
      synchronized (lock) {
        ending = true;
        lock.notifyAll();
        while (open > 0 && !stopping) {
          waitOn(lock, 200);
        }
      }
    } catch (Stopped interrupted) {
      stopping = true;
    }
    if (stopping) {
      LOG.info("{}: stopped before the end of the shard was delivered", shardId);
      return;
    }
    try {
      input.checkpointer().checkpoint();
    } catch (KinesisClientLibException | KinesisClientLibRetryableException e) {
      // KCL calls shardEnded again; every record is finished, so the next try only checkpoints
      LOG.warn(
          "{}: cannot checkpoint the end of the shard yet ({}); KCL retries",
          shardId,
          e.toString());
      return;
    }
    state.ended = true;
    LOG.debug("{}: checkpointed SHARD_END", shardId);
    stopLanes(); // they have nothing left and end on their own
  }

  @Override
  public void shutdownRequested(ShutdownRequestedInput input) {
    stopLanes();
    checkpoint(input.checkpointer());
  }

  @Override
  public void leaseLost(LeaseLostInput input) {
    LOG.info(
        "{}: lease lost; records not finished stay past the checkpoint for the next owner",
        shardId);
    stopLanes();
  }

  /** Stops the lanes after their in-flight invocation and waits for them (bounded). */
  private void stopLanes() {
    stopping = true;
    synchronized (lock) {
      lock.notifyAll();
    }
    long deadline = System.nanoTime() + context.stopTimeout().toNanos();
    for (Future<?> task : laneTasks) {
      try {
        task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn(
            "{}: a lane is still invoking the function after {}; interrupting it",
            shardId,
            context.stopTimeout());
        task.cancel(true);
      } catch (ExecutionException e) {
        LOG.error("{}: a lane failed", shardId, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private int openRecords() {
    synchronized (lock) {
      return open;
    }
  }

  private Entry frontierEntry() {
    synchronized (lock) {
      return frontier;
    }
  }

  private void awaitChange(long millis) {
    synchronized (lock) {
      waitOn(lock, millis);
    }
  }

  private static void waitOn(Object monitor, long millis) {
    try {
      monitor.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }

  /** Writes the frontier to the lease if it moved. */
  private void checkpoint(RecordProcessorCheckpointer checkpointer) {
    Entry at = frontierEntry();
    if (at == null || at.sequenceNumber.equals(checkpointed)) {
      return;
    }
    try {
      checkpointer.checkpoint(at.sequenceNumber, at.subSequenceNumber);
      checkpointed = at.sequenceNumber;
    } catch (ShutdownException e) {
      LOG.info("{}: the lease is gone; stopping", shardId);
      stopping = true;
    } catch (KinesisClientLibException | KinesisClientLibRetryableException e) {
      LOG.warn(
          "{}: checkpoint at {} failed ({}); retried", shardId, at.sequenceNumber, e.toString());
    }
  }

  /**
   * Marks records of a batch finished (delivered or given up; a part of the batch as soon as it is
   * done, the rest when the batch is) and moves the frontier.
   */
  private void finished(List<Entry> batch) {
    Entry moved = null;
    synchronized (lock) {
      for (Entry e : batch) {
        if (!e.finished) {
          e.finished = true;
          open--;
        }
      }
      while (!unfinished.isEmpty() && unfinished.peekFirst().finished) {
        moved = unfinished.pollFirst();
      }
      if (moved != null) {
        frontier = moved;
      }
      lock.notifyAll();
    }
    if (moved != null) {
      state.lastSequenceNumber = moved.sequenceNumber;
    }
  }

  /** One lane: a queue of the shard's records for some partition keys, delivered in order. */
  private final class Lane {
    private final int index;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private long queuedBytes;
    private final Delivery<Entry> delivery;
    private Delivery.Answer last;
    private int discardedInBatch;

    Lane(int index) {
      this.index = index;
      this.delivery =
          new Delivery<>(
              settings,
              this::invoke,
              this::giveUp,
              e -> e.arrival.toEpochMilli(),
              () -> context.clock().millis(),
              ShardPump.this::finished);
    }

    /** Adds a record. Holds {@link #lock}. */
    void add(Entry e) {
      queue.addLast(e);
      queuedBytes += e.json.length;
    }

    void run() {
      Thread.currentThread().setName("tributary-kinesis-esm-" + shardId + "-lane-" + index);
      try {
        List<Entry> batch;
        while ((batch = next()) != null) {
          last = null;
          discardedInBatch = 0;
          delivery.deliver(batch);
          context.counters().batches.incrementAndGet();
          context.counters().recordsDelivered.addAndGet(batch.size() - discardedInBatch);
          finished(batch);
        }
      } catch (Stopped stopped) {
        // the part of the batch in hand not done yet stays unfinished, so it is not checkpointed
      } catch (RuntimeException e) {
        LOG.error("{} lane {}: delivery failed; the shard stops here", shardId, index, e);
        throw e;
      }
    }

    /** The next batch, once it is full, its window passed or the shard ends; null to stop. */
    private List<Entry> next() {
      long window = settings.maximumBatchingWindow().toNanos();
      synchronized (lock) {
        while (true) {
          if (stopping) {
            return null;
          }
          if (queue.isEmpty()) {
            if (ending) {
              return null;
            }
            waitOn(lock, 1_000);
            continue;
          }
          long due = queue.peekFirst().readNanos + window;
          long left = due - System.nanoTime();
          if (full() || ending || left <= 0) {
            break;
          }
          waitOn(lock, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        }
        List<Entry> batch = new ArrayList<>();
        long bytes = 0;
        while (!queue.isEmpty() && batch.size() < settings.batchSize()) {
          Entry e = queue.peekFirst();
          if (!batch.isEmpty()
              && KinesisEventJson.eventSize(bytes + e.json.length, batch.size() + 1)
                  > KinesisEventJson.MAX_PAYLOAD_BYTES) {
            break;
          }
          queue.pollFirst();
          queuedBytes -= e.json.length;
          bytes += e.json.length;
          batch.add(e);
        }
        return batch;
      }
    }

    private boolean full() {
      return queue.size() >= settings.batchSize()
          || KinesisEventJson.eventSize(queuedBytes, queue.size())
              >= KinesisEventJson.MAX_PAYLOAD_BYTES;
    }

    private Delivery.Answer invoke(List<Entry> batch) {
      if (last != null && !(last instanceof Delivery.Success)) {
        pause(context.retryDelay());
      }
      if (stopping) {
        throw new Stopped();
      }
      List<byte[]> records = new ArrayList<>(batch.size());
      List<String> sequenceNumbers = new ArrayList<>(batch.size());
      for (Entry e : batch) {
        records.add(e.json);
        sequenceNumbers.add(e.sequenceNumber);
        e.invocations++;
      }
      context.counters().invocations.incrementAndGet();
      FunctionInvoker.Result result;
      try {
        result = context.invoker().invoke(settings.functionName(), KinesisEventJson.event(records));
      } catch (RuntimeException e) {
        // an invoker that throws is treated like an invocation that failed, never a dead lane
        result = new FunctionInvoker.Failed("the invoker threw " + e);
      }
      if (stopping && !(result instanceof FunctionInvoker.Returned)) {
        // the shard stopped during the invocation (its thread may have been interrupted): a
        // failure now says nothing about the records, so it uses no retry and gives nothing up;
        // they stay unfinished for the next owner (found in review)
        throw new Stopped();
      }
      if (result instanceof FunctionInvoker.NotInvoked notInvoked) {
        context.counters().invocations.decrementAndGet(); // counted above; the function never ran
        context.counters().functionErrors.incrementAndGet();
        for (Entry e : batch) {
          e.invocations--; // the function never saw them
        }
        last = new Delivery.NotInvoked(notInvoked.message());
      } else if (result instanceof FunctionInvoker.Failed failed) {
        context.counters().functionErrors.incrementAndGet();
        last = new Delivery.FunctionError(failed.message());
      } else {
        last =
            BatchAnswers.parse(
                ((FunctionInvoker.Returned) result).payload(),
                sequenceNumbers,
                settings.reportBatchItemFailures());
      }
      return last;
    }

    private void pause(Duration delay) {
      if (delay.isZero()) {
        return;
      }
      long until = System.nanoTime() + delay.toNanos();
      synchronized (lock) {
        long left;
        while (!stopping && (left = until - System.nanoTime()) > 0) {
          waitOn(lock, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    }

    private void giveUp(List<Entry> batch, Delivery.Cause cause, String reason, int attempts) {
      discardedInBatch += batch.size();
      context.counters().recordsDiscarded.addAndGet(batch.size());
      KinesisFailureRecord record = failureRecord(batch, cause);
      LOG.warn(
          "{}: gave up {} record(s) {}..{} after {} attempt(s) ({}): {}",
          shardId,
          batch.size(),
          batch.get(0).sequenceNumber,
          batch.get(batch.size() - 1).sequenceNumber,
          attempts,
          record.requestContext().condition(),
          reason);
      try {
        context.destination().send(record);
      } catch (RuntimeException e) {
        LOG.error("{}: the on-failure destination refused the record {}", shardId, record, e);
      }
    }

    /**
     * The record Lambda sends; {@code approximateInvokeCount} counts the invocations the batch's
     * records were really part of (a batch given up for its age before a retry was invoked one time
     * less than it was attempted).
     */
    private KinesisFailureRecord failureRecord(List<Entry> batch, Delivery.Cause cause) {
      Entry first = batch.get(0);
      Entry lastEntry = batch.get(batch.size() - 1);
      boolean expired = cause == Delivery.Cause.RECORD_AGE_EXCEEDED;
      String functionError =
          last instanceof Delivery.FunctionError error ? errorType(error.message()) : null;
      return new KinesisFailureRecord(
          new KinesisFailureRecord.RequestContext(
              UUID.randomUUID().toString(),
              context.functionArn(),
              expired
                  ? KinesisFailureRecord.RECORD_AGE_EXCEEDED
                  : KinesisFailureRecord.RETRY_ATTEMPTS_EXHAUSTED,
              first.invocations),
          new KinesisFailureRecord.ResponseContext(200, "$LATEST", functionError),
          "1.0",
          iso(context.clock().instant()),
          new KinesisFailureRecord.KinesisBatchInfo(
              shardId,
              first.sequenceNumber,
              lastEntry.sequenceNumber,
              iso(first.arrival),
              iso(lastEntry.arrival),
              batch.size(),
              context.streamArn()));
    }
  }

  /** {@code Unhandled} or {@code Handled} as the Invoke API's X-Amz-Function-Error says. */
  static String errorType(String message) {
    return message != null && message.startsWith("Handled") ? "Handled" : "Unhandled";
  }

  /** ISO-8601 with exactly three fraction digits, as Lambda writes its timestamps. */
  static String iso(Instant t) {
    Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
    String s = ISO_MILLIS.format(ms);
    if (ms.getNano() == 0) {
      return s.substring(0, s.length() - 1) + ".000Z";
    }
    return s;
  }
}
