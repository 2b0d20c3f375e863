package dev.tributary.local.esm;

import dev.tributary.local.esm.KafkaEvents.Answer;
import dev.tributary.local.esm.KafkaEvents.FunctionError;
import dev.tributary.local.esm.KafkaOnFailureRecord.Condition;
import dev.tributary.local.esm.KafkaOnFailureRecord.RecordsInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AWS Lambda's event source mapping for Apache Kafka (self-managed or Amazon MSK), emulated against
 * any Kafka cluster: it reads a topic as one consumer group, cuts batches, invokes a function with
 * the event Lambda sends ({@code KafkaEvent}), applies the function's answer, and commits the
 * group's offsets once a batch is done, so a restarted mapping resumes where it stopped.
 *
 * <pre>{@code
 * try (KafkaEventSourceMapping esm = KafkaEventSourceMapping.builder()
 *     .bootstrapServers(kafka.bootstrapServers())
 *     .topic("orders")
 *     .settings(KafkaEventSourceMapping.defaultSettings("coordinator"))
 *     .invoker(FunctionInvoker.lambda(lambdaClient))
 *     .onFailure(record -> deadLetters.add(record.toJson()))
 *     .build()) {                                 // starts polling
 *   ... esm.progress() ...
 * }
 * }</pre>
 *
 * <p>What it does as AWS documents it: the consumer group is the mapping's UUID unless a group id
 * is given; a group without committed offsets starts at {@code StartingPosition} (TRIM_HORIZON,
 * LATEST or AT_TIMESTAMP) and that start is committed at once; a batch holds up to {@code
 * BatchSize} records of one or more partitions, gathered until the batch is full, its event would
 * pass 6 MB, or {@code MaximumBatchingWindow} has passed since its first record; records of a
 * partition are delivered in order, and a batch is done (processed or given up) before the next one
 * is cut. {@code ReportBatchItemFailures}, {@code MaximumRetryAttempts}, {@code MaximumRecordAge}
 * and {@code BisectBatchOnFunctionError} work as {@link KafkaDelivery} describes (on AWS they need
 * provisioned poller mode); given-up records go to the {@link KafkaOnFailureDestination} as a
 * {@link KafkaOnFailureRecord}. {@code ParallelizationFactor} is a Kinesis and DynamoDB Streams
 * setting and is refused unless 1.
 *
 * <p>Pollers: each is a consumer of the group with a thread that also invokes the function. One
 * poller delivers its partitions one batch at a time (in order, as on AWS, with less concurrency);
 * several deliver their partitions side by side. {@link Builder#pollers(int)} runs a fixed number
 * (default 1). {@link Builder#pollers(int, int)} is provisioned mode: it starts at {@code
 * MinimumPollers} and, every {@link Builder#scalingInterval} (one minute, as AWS evaluates the
 * lag), adds a poller while the offset lag is high (more than one batch waits per poller), up to
 * {@code MaximumPollers} and never more than the topic's partitions, and removes one once the lag
 * is below one batch, down to the minimum. AWS does not publish its thresholds; these are this
 * emulator's. Every change makes the group rebalance, so partitions move between pollers mid-run,
 * as they do on AWS: a batch whose commit a rebalance refused is delivered again by the partition's
 * next owner. What differs: AWS's default on-demand mode, and its reduction of pollers when the
 * function is throttled, are not emulated. A consumer's {@code max.poll.interval.ms} is set very
 * high so that a batch retried for long does not cost the group membership.
 */
public final class KafkaEventSourceMapping implements AutoCloseable {
  /** Lambda's limit for a synchronous invocation payload: 6 MB. */
  public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSourceMapping.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(100);
  private static final Duration END_OFFSETS_EVERY = Duration.ofSeconds(1);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
  private static final Pattern GROUP_ID = Pattern.compile("[a-zA-Z0-9\\-/*:_+=.@]{1,200}");
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final Pattern MSK_ARN =
      Pattern.compile("arn:[a-z-]+:kafka:[^:]*:[^:]*:cluster/.+");
  private static final Set<String> OWNED_CONSUMER_KEYS =
      Set.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
          ConsumerConfig.GROUP_ID_CONFIG,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);

  /**
   * Where a mapping stands, for a runner to display.
   *
   * @param recordsDelivered records the function processed (each counted once, however often it was
   *     sent)
   * @param recordsFailed records given up (sent to the on-failure destination, or discarded)
   * @param batches batches cut from the topic (bisected halves and retries not counted)
   * @param invocations function invocations, retries included
   * @param functionErrors invocations that failed (the function threw or timed out) or that Lambda
   *     refused (throttled, unreachable)
   * @param partitions per {@code topic-partition} owned now, the committed offset and the end
   * @param lastError the last problem met (a failed commit, an unreachable broker), or null
   * @param running whether the poller runs
   */
  public record Progress(
      long recordsDelivered,
      long recordsFailed,
      long batches,
      long invocations,
      long functionErrors,
      Map<String, PartitionProgress> partitions,
      String lastError,
      boolean running) {

    /** The copied, sorted partitions. */
    public Progress {
      partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
    }

    /** Records not yet done over all owned partitions. */
    public long lag() {
      return partitions.values().stream().mapToLong(PartitionProgress::lag).sum();
    }
  }

  /**
   * One owned partition.
   *
   * @param topic the topic
   * @param partition the partition number
   * @param committedOffset the group's committed offset: the next record to deliver
   * @param endOffset the partition's end offset when last asked (the next offset to be written)
   */
  public record PartitionProgress(
      String topic, int partition, long committedOffset, long endOffset) {
    /** Records written but not yet done: end offset − committed offset (never negative). */
    public long lag() {
      return Math.max(0, endOffset - committedOffset);
    }
  }

  private final String uuid;
  private final String groupId;
  private final List<String> topics;
  private final MappingSettings settings;
  private final FunctionInvoker invoker;
  private final KafkaOnFailureDestination onFailure;
  private final Clock clock;
  private final Duration retryDelay;
  private final int maxPayloadBytes;
  private final String functionArn;
  private final KafkaEvents.Source source;
  private final Map<String, Object> consumerProps;
  private final int minPollers;
  private final int maxPollers;
  private final Duration scalingInterval;
  private final List<Poller> pollers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger pollersRunning = new AtomicInteger();
  private final AtomicInteger pollersStarted = new AtomicInteger();
  private final Thread scaler;
  private volatile int topicPartitions;
  private volatile int peakPollers;

  private final AtomicLong recordsDelivered = new AtomicLong();
  private final AtomicLong recordsFailed = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong invocations = new AtomicLong();
  private final AtomicLong functionErrors = new AtomicLong();
  private final Map<TopicPartition, PartitionProgress> partitions = new ConcurrentHashMap<>();
  private final CountDownLatch closingLatch = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean closing;
  private volatile boolean running = true;
  private volatile String lastError;

  private KafkaEventSourceMapping(Builder b) {
    this.uuid = b.uuid == null ? UUID.randomUUID().toString() : b.uuid;
    this.groupId = b.groupId == null ? uuid : b.groupId;
    this.topics = List.copyOf(b.topics);
    this.settings = b.settings;
    this.invoker = b.invoker;
    this.onFailure = b.onFailure;
    this.clock = b.clock;
    this.retryDelay = b.retryDelay;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.functionArn =
        b.functionArn != null
            ? b.functionArn
            : settings.functionName().startsWith("arn:")
                ? settings.functionName()
                : "arn:aws:lambda:us-east-1:000000000000:function:" + settings.functionName();
    this.source =
        new KafkaEvents.Source(
            b.clusterArn == null ? KafkaEvents.SELF_MANAGED : KafkaEvents.MSK,
            b.clusterArn,
            b.bootstrapServers);
    Map<String, Object> props = new HashMap<>(b.consumerConfig);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "tributary-esm-" + uuid);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // only used when a committed offset is out of range (deleted by retention)
    props.put(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        settings.startingPosition() == MappingSettings.StartingPosition.LATEST
            ? "latest"
            : "earliest");
    // the poller invokes the function between polls; a batch retried for long must not cost
    // the group membership
    props.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.MAX_VALUE);
    this.consumerProps = props;
    this.minPollers = b.minPollers;
    this.maxPollers = b.maxPollers;
    this.scalingInterval = b.scalingInterval;
    synchronized (pollers) {
      // the first pollers join the group together, so that each owns its partitions from the start
      List<Poller> first = new ArrayList<>();
      for (int i = 0; i < minPollers; i++) {
        first.add(newPoller());
      }
      first.forEach(this::startPoller);
    }
    if (maxPollers > minPollers) {
      scaler = new Thread(this::scale, "tributary-kafka-esm-scaler-" + uuid);
      scaler.setDaemon(true);
      scaler.start();
    } else {
      scaler = null;
    }
  }

  /** A poller with its consumer, not started. */
  private Poller newPoller() {
    int i = pollersStarted.getAndIncrement();
    Map<String, Object> own = new HashMap<>(consumerProps);
    boolean one = maxPollers == 1;
    if (!one) {
      own.put(
          ConsumerConfig.CLIENT_ID_CONFIG,
          consumerProps.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-" + i);
    }
    return new Poller(own, one ? uuid : uuid + "-" + i);
  }

  /** Starts {@code poller} (the caller holds the pollers' lock). */
  private void startPoller(Poller poller) {
    pollers.add(poller);
    pollersRunning.incrementAndGet();
    poller.thread.start();
    peakPollers = Math.max(peakPollers, activePollers().size());
  }

  private List<Poller> activePollers() {
    return pollers.stream().filter(p -> !p.stopping && p.thread.isAlive()).toList();
  }

  /**
   * Provisioned mode's scaling: every interval, one poller more while more than a batch per poller
   * waits, one fewer once less than a batch does.
   */
  private void scale() {
    // each partition's last known progress: a partition between owners during a rebalance
    // keeps its lag instead of reading as none
    Map<TopicPartition, PartitionProgress> known = new HashMap<>();
    while (!closing) {
      pause(scalingInterval);
      known.putAll(partitions);
      long lag = known.values().stream().mapToLong(PartitionProgress::lag).sum();
      synchronized (pollers) {
        if (closing) {
          return;
        }
        List<Poller> active = activePollers();
        int cap = Math.min(maxPollers, Math.max(topicPartitions, 1));
        if (lag > (long) settings.batchSize() * active.size() && active.size() < cap) {
          LOG.info(
              "Kafka event source mapping {}: offset lag {}; adding a poller ({} running)",
              uuid,
              lag,
              active.size());
          startPoller(newPoller());
        } else if (lag < settings.batchSize() && active.size() > minPollers) {
          Poller last = active.get(active.size() - 1);
          LOG.info(
              "Kafka event source mapping {}: offset lag {}; removing a poller ({} running)",
              uuid,
              lag,
              active.size());
          last.stopping = true;
          last.consumer.wakeup();
        }
      }
    }
  }

  /** The pollers running now (provisioned mode changes it with the lag). */
  public int pollers() {
    return activePollers().size();
  }

  /** The most pollers that ran at once. */
  public int peakPollers() {
    return peakPollers;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The settings a Kafka mapping of {@code function} gets from AWS when none are given: batch 100,
   * a 500 ms batching window, MaximumRetryAttempts -1 (forever), no maximum record age, no bisect,
   * no ReportBatchItemFailures. AWS requires a starting position for Kafka; this picks
   * TRIM_HORIZON.
   */
  public static MappingSettings defaultSettings(String function) {
    return new MappingSettings(
        function,
        100,
        Duration.ofMillis(500),
        MappingSettings.StartingPosition.TRIM_HORIZON,
        null,
        -1,
        null,
        false,
        false,
        1);
  }

  /** The mapping's UUID (the consumer group id unless one was given). */
  public String uuid() {
    return uuid;
  }

  /** The consumer group the mapping reads and commits as. */
  public String consumerGroupId() {
    return groupId;
  }

  /** The topics read. */
  public List<String> topics() {
    return topics;
  }

  /** The settings. */
  public MappingSettings settings() {
    return settings;
  }

  /** A snapshot of the counters and of the owned partitions. */
  public Progress progress() {
    Map<String, PartitionProgress> byKey = new HashMap<>();
    partitions.forEach((tp, p) -> byKey.put(KafkaEvents.partitionKey(tp), p));
    return new Progress(
        recordsDelivered.get(),
        recordsFailed.get(),
        batches.get(),
        invocations.get(),
        functionErrors.get(),
        byKey,
        lastError,
        running);
  }

  /**
   * Stops polling: a batch being retried stops before its next invocation (one in flight is
   * awaited), what is done is committed, and the consumer leaves its group. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.getAndSet(true)) {
      synchronized (pollers) {
        closing = true; // the scaler starts no poller after this
      }
      closingLatch.countDown();
      pollers.forEach(p -> p.consumer.wakeup());
    }
    try {
      if (scaler != null) {
        scaler.join(CLOSE_WAIT.toMillis());
      }
      for (Poller p : pollers) {
        p.thread.join(CLOSE_WAIT.toMillis());
        if (p.thread.isAlive()) {
          LOG.warn(
              "Kafka event source mapping {}: a poller did not stop within {}; interrupting it"
                  + " (an invocation of {} may still be running)",
              uuid,
              CLOSE_WAIT,
              settings.functionName());
          p.thread.interrupt();
          p.thread.join(CLOSE_WAIT.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the pollers ----

  /**
   * One poller: a consumer of the mapping's group with its own thread, which gathers batches of the
   * partitions the group gives it, invokes the function and commits. Pollers work side by side;
   * each partition belongs to one poller at a time, so each is delivered in order.
   */
  private final class Poller implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaBatchBuffer buffer = new KafkaBatchBuffer(KafkaEvents.envelopeSize(source));
    private final Thread thread;
    private long lastEndOffsets;
    private volatile boolean stopping;

    Poller(Map<String, Object> props, String name) {
      this.consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      this.thread = new Thread(this::run, "tributary-kafka-esm-" + name);
      this.thread.setDaemon(true);
    }

    private void run() {
      try {
        consumer.subscribe(topics, this);
        while (!closing && !stopping) {
          try {
            KafkaBatchBuffer.Batch batch = gather();
            if (batch != null) {
              deliver(batch);
              refreshEndOffsets(true);
            }
          } catch (WakeupException e) {
            // close() or the scaler woke a blocking call; the loop condition ends the poller
          } catch (KafkaException | IllegalStateException e) {
            if (closing || stopping) {
              break;
            }
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("Kafka event source mapping {}: {}; polling again", uuid, lastError, e);
            pause(Duration.ofSeconds(1));
          }
        }
      } catch (RuntimeException | Error e) {
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        LOG.error("Kafka event source mapping {} stopped: {}", uuid, lastError, e);
      } finally {
        Set<TopicPartition> owned = consumer.assignment(); // this poller's, before it leaves
        try {
          consumer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
          LOG.warn("Kafka event source mapping {}: closing the consumer failed", uuid, e);
        }
        owned.forEach(partitions::remove);
        if (pollersRunning.decrementAndGet() == 0) {
          running = false;
        }
      }
    }

    /**
     * Polls until the next batch is full or its window has passed since gathering started (its
     * first record, or the end of the previous batch when records were left over: this thread
     * fetched nothing while it invoked, so the window lets it fill the batch from a backlog); null
     * when closing.
     */
    private KafkaBatchBuffer.Batch gather() {
      if (!buffer.isEmpty()) {
        takePartInTheGroup(); // may take partitions, and their records, out of the buffer
      }
      long window = settings.maximumBatchingWindow().toNanos();
      long started = buffer.isEmpty() ? -1 : System.nanoTime();
      while (!closing && !stopping) {
        if (buffer.isEmpty()) {
          poll(IDLE_POLL);
          refreshEndOffsets(false);
          continue;
        }
        if (started < 0) {
          started = System.nanoTime();
        }
        if (buffer.full(settings.batchSize(), maxPayloadBytes)) {
          break;
        }
        long left = window - (System.nanoTime() - started);
        if (left <= 0) {
          break;
        }
        poll(Duration.ofNanos(Math.min(left, IDLE_POLL.toNanos())));
      }
      return closing || stopping ? null : buffer.take(settings.batchSize(), maxPayloadBytes);
    }

    /**
     * Polls with every partition paused: fetches nothing, but answers the group, so that a poller
     * with records left over from a large poll still takes part in a rebalance before each batch,
     * as a consumer must, rather than once it has delivered them all.
     */
    private void takePartInTheGroup() {
      Set<TopicPartition> owned = consumer.assignment();
      consumer.pause(owned);
      try {
        poll(Duration.ZERO);
      } finally {
        consumer.resume(consumer.assignment());
      }
    }

    private void poll(Duration timeout) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        buffer.add(r);
      }
    }

    private void deliver(KafkaBatchBuffer.Batch batch) {
      batches.incrementAndGet();
      Map<TopicPartition, Long> done = new LinkedHashMap<>();
      Outcome outcome = new Outcome(done, batch);
      if (batch.oversized()) {
        ConsumerRecord<byte[], byte[]> r = batch.records().get(0);
        outcome.send(
            batch.records(),
            Condition.MaximumPayloadSizeExceeded,
            0,
            null,
            batch.payloadBytes(),
            null,
            "the record's event takes "
                + batch.payloadBytes()
                + " bytes; a synchronous invocation carries at most "
                + maxPayloadBytes);
        outcome.done(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, 1, false);
      } else {
        new KafkaDelivery(
                settings,
                onFailure != null,
                records -> invoke(records, batch),
                outcome,
                clock::millis,
                () -> closing,
                KafkaEventSourceMapping.this::pause,
                retryDelay)
            .deliver(batch.records());
      }
      commit(done);
    }

    private void commit(Map<TopicPartition, Long> done) {
      if (done.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      done.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
      try {
        try {
          consumer.commitSync(offsets);
        } catch (WakeupException e) {
          // close() or the scaler woke the consumer; what is done still counts
          consumer.commitSync(offsets);
        }
      } catch (CommitFailedException | RebalanceInProgressException e) {
        lastError = "a commit failed (" + e.getMessage() + "); the records will be delivered again";
        LOG.warn("Kafka event source mapping {}: {}", uuid, lastError);
        return;
      }
      done.forEach(
          (tp, next) ->
              partitions.computeIfPresent(
                  tp,
                  (k, p) -> new PartitionProgress(p.topic(), p.partition(), next, p.endOffset())));
    }

    private void refreshEndOffsets(boolean now) {
      long t = System.nanoTime();
      if (!now && t - lastEndOffsets < END_OFFSETS_EVERY.toNanos()) {
        return;
      }
      lastEndOffsets = t;
      if (maxPollers > minPollers) {
        countPartitions(); // only the scaler needs it: its cap is one poller per partition
      }
      Set<TopicPartition> owned = consumer.assignment();
      if (owned.isEmpty()) {
        return;
      }
      Map<TopicPartition, Long> ends = consumer.endOffsets(owned, Duration.ofSeconds(5));
      ends.forEach(
          (tp, end) ->
              partitions.computeIfPresent(
                  tp,
                  (k, p) ->
                      new PartitionProgress(p.topic(), p.partition(), p.committedOffset(), end)));
    }

    // keeps the buffer and the progress to the partitions owned; starts new partitions
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      // nothing is in flight here: the poller invokes only between polls, and commits each batch
      buffer.removePartitions(revoked);
      revoked.forEach(partitions::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      onPartitionsRevoked(lost);
    }

    private void countPartitions() {
      int n = 0;
      for (String topic : topics) {
        List<org.apache.kafka.common.PartitionInfo> info =
            consumer.partitionsFor(topic, Duration.ofSeconds(5));
        n += info == null ? 0 : info.size();
      }
      topicPartitions = n;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (assigned.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(new HashSet<>(assigned));
      Set<TopicPartition> fresh = new HashSet<>();
      for (TopicPartition tp : assigned) {
        if (committed.get(tp) == null) {
          fresh.add(tp);
        }
      }
      Map<TopicPartition, Long> start = startOffsets(fresh);
      start.forEach(consumer::seek);
      try {
        if (!start.isEmpty()) {
          Map<TopicPartition, OffsetAndMetadata> pin = new HashMap<>();
          start.forEach((tp, o) -> pin.put(tp, new OffsetAndMetadata(o)));
          consumer.commitSync(pin); // the start is the group's from now on, as on AWS
        }
      } catch (CommitFailedException | RebalanceInProgressException e) {
        lastError = "committing the starting offsets failed (" + e.getMessage() + ")";
        LOG.warn("Kafka event source mapping {}: {}", uuid, lastError);
      } finally {
        for (TopicPartition tp : assigned) {
          long at = start.containsKey(tp) ? start.get(tp) : committed.get(tp).offset();
          partitions.put(tp, new PartitionProgress(tp.topic(), tp.partition(), at, at));
        }
        lastEndOffsets = 0;
      }
      LOG.debug("Kafka event source mapping {}: owns {} from {}", uuid, assigned, start);
    }

    private Map<TopicPartition, Long> startOffsets(Set<TopicPartition> fresh) {
      if (fresh.isEmpty()) {
        return Map.of();
      }
      Map<TopicPartition, Long> start = new HashMap<>();
      switch (settings.startingPosition()) {
        case TRIM_HORIZON -> start.putAll(consumer.beginningOffsets(fresh));
        case LATEST -> start.putAll(consumer.endOffsets(fresh));
        case AT_TIMESTAMP -> {
          Map<TopicPartition, Long> query = new HashMap<>();
          long at = settings.startingPositionTimestamp().toEpochMilli();
          fresh.forEach(tp -> query.put(tp, at));
          Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
          Set<TopicPartition> none = new HashSet<>();
          for (TopicPartition tp : fresh) {
            OffsetAndTimestamp o = found.get(tp);
            if (o == null) {
              none.add(tp); // nothing at or after the time yet: start at the end
            } else {
              start.put(tp, o.offset());
            }
          }
          if (!none.isEmpty()) {
            start.putAll(consumer.endOffsets(none));
          }
        }
      }
      return start;
    }
  }

  private Answer invoke(
      List<ConsumerRecord<byte[], byte[]>> records, KafkaBatchBuffer.Batch batch) {
    byte[] event = KafkaEvents.event(source, records, batch::jsonOf);
    invocations.incrementAndGet();
    FunctionInvoker.Result result;
    try {
      result = invoker.invoke(settings.functionName(), event);
    } catch (RuntimeException e) {
      // an invoker should answer Failed; one that throws must not stop the poller
      result = new FunctionInvoker.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    if (result instanceof FunctionInvoker.NotInvoked n) {
      invocations.decrementAndGet(); // counted above; the function never ran
      functionErrors.incrementAndGet();
      return new KafkaEvents.NotInvoked(n.message());
    }
    if (result instanceof FunctionInvoker.Failed f) {
      functionErrors.incrementAndGet();
      return new FunctionError(f.message());
    }
    if (!settings.reportBatchItemFailures()) {
      return new KafkaEvents.Success(); // Lambda ignores the answer then
    }
    return KafkaEvents.answer(((FunctionInvoker.Returned) result).payload());
  }

  /** Receives what the delivery finished, and sends what it gave up. */
  private final class Outcome implements KafkaDelivery.Listener {
    private final Map<TopicPartition, Long> done;
    private final KafkaBatchBuffer.Batch batch;

    Outcome(Map<TopicPartition, Long> done, KafkaBatchBuffer.Batch batch) {
      this.done = done;
      this.batch = batch;
    }

    @Override
    public void done(TopicPartition tp, long nextOffset, int count, boolean processed) {
      done.put(tp, nextOffset);
      (processed ? recordsDelivered : recordsFailed).addAndGet(count);
    }

    @Override
    public void givenUp(
        List<ConsumerRecord<byte[], byte[]>> records,
        Condition condition,
        int attempts,
        Answer last) {
      byte[] event = KafkaEvents.event(source, records, batch::jsonOf);
      String reason =
          switch (condition) {
            case RecordAgeExceeded -> "older than MaximumRecordAge " + settings.maximumRecordAge();
            case MaximumPayloadSizeExceeded -> "larger than the payload limit";
            case RetryAttemptsExhausted -> describe(last);
          };
      send(
          records,
          condition,
          attempts,
          last,
          event.length,
          new String(event, StandardCharsets.UTF_8),
          reason);
    }

    void send(
        List<ConsumerRecord<byte[], byte[]>> records,
        Condition condition,
        int attempts,
        Answer last,
        long payloadSize,
        String payload,
        String reason) {
      Map<String, RecordsInfo> info = new LinkedHashMap<>();
      Map<String, ConsumerRecord<byte[], byte[]>> first = new LinkedHashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        String key = KafkaEvents.partitionKey(new TopicPartition(r.topic(), r.partition()));
        ConsumerRecord<byte[], byte[]> f = first.computeIfAbsent(key, k -> r);
        info.put(
            key,
            new RecordsInfo(
                f.offset(),
                r.offset(),
                Instant.ofEpochMilli(f.timestamp()),
                Instant.ofEpochMilli(r.timestamp())));
      }
      KafkaOnFailureRecord record =
          new KafkaOnFailureRecord(
              UUID.randomUUID().toString(),
              functionArn,
              condition,
              attempts,
              last instanceof FunctionError ? "Unhandled" : null,
              last != null,
              clock.instant(),
              records.size(),
              source.eventSourceArn(),
              source.bootstrapServers(),
              payloadSize,
              info,
              payload,
              reason);
      if (onFailure == null) {
        LOG.warn(
            "Kafka event source mapping {}: {} records of {} given up ({}: {}) and discarded: no"
                + " on-failure destination is set",
            uuid,
            records.size(),
            info.keySet(),
            condition,
            reason);
        return;
      }
      try {
        onFailure.send(record);
      } catch (RuntimeException e) {
        lastError = "the on-failure destination failed: " + e;
        LOG.error(
            "Kafka event source mapping {}: the on-failure destination failed for {} records of"
                + " {}; moving on without them",
            uuid,
            records.size(),
            info.keySet(),
            e);
      }
    }
  }

  private static String describe(Answer last) {
    if (last instanceof FunctionError e) {
      return e.message();
    }
    if (last instanceof KafkaEvents.InvalidAnswer i) {
      return i.message();
    }
    return "the function reported the records as failed";
  }

  private void pause(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return;
    }
    try {
      closingLatch.await(d.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    }
  }

  /** Builds and starts a {@link KafkaEventSourceMapping}; every setting is checked on build. */
  public static final class Builder {
    private String bootstrapServers;
    private final List<String> topics = new ArrayList<>();
    private String groupId;
    private String uuid;
    private MappingSettings settings;
    private FunctionInvoker invoker;
    private KafkaOnFailureDestination onFailure;
    private Clock clock = Clock.systemUTC();
    private Duration retryDelay = Duration.ofMillis(100);
    private int maxPayloadBytes = MAX_PAYLOAD_BYTES;
    private String clusterArn;
    private String functionArn;
    private int minPollers = 1;
    private int maxPollers = 1;
    private Duration scalingInterval = Duration.ofMinutes(1);
    private final Map<String, Object> consumerConfig = new HashMap<>();

    private Builder() {}

    /** The cluster's {@code bootstrap.servers}, e.g. {@code 127.0.0.1:9092}. Required. */
    public Builder bootstrapServers(String servers) {
      this.bootstrapServers = servers;
      return this;
    }

    /** The topic to read. Required; AWS allows exactly one per mapping. */
    public Builder topic(String topic) {
      this.topics.clear();
      this.topics.add(topic);
      return this;
    }

    /** The topics to read; AWS allows exactly one per mapping, so more are refused on build. */
    public Builder topics(List<String> topics) {
      this.topics.clear();
      this.topics.addAll(topics);
      return this;
    }

    /** The consumer group ({@code ConsumerGroupId}); by default the mapping's UUID, as on AWS. */
    public Builder consumerGroupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    /** The mapping's UUID; by default a random one. */
    public Builder uuid(String uuid) {
      this.uuid = uuid;
      return this;
    }

    /** The mapping's settings (see {@link #defaultSettings(String)}). Required. */
    public Builder settings(MappingSettings settings) {
      this.settings = settings;
      return this;
    }

    /** How the function is invoked. Required. */
    public Builder invoker(FunctionInvoker invoker) {
      this.invoker = invoker;
      return this;
    }

    /** Where given-up records go; without one they are logged and discarded, as on AWS. */
    public Builder onFailure(KafkaOnFailureDestination destination) {
      this.onFailure = destination;
      return this;
    }

    /** The clock for record ages and on-failure timestamps (the batching window is real time). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The first pause before retrying a failed batch, doubled per retry up to 10 s; 0: none. */
    public Builder retryDelay(Duration delay) {
      this.retryDelay = delay;
      return this;
    }

    /** A self-managed Apache Kafka source: events say {@code "eventSource":"SelfManagedKafka"}. */
    public Builder selfManaged() {
      this.clusterArn = null;
      return this;
    }

    /**
     * An Amazon MSK source: events say {@code "eventSource":"aws:kafka"} and carry {@code
     * clusterArn} as {@code eventSourceArn}.
     */
    public Builder msk(String clusterArn) {
      this.clusterArn = Objects.requireNonNull(clusterArn, "clusterArn");
      return this;
    }

    /** The function ARN on-failure records name; by default one in us-east-1, account 0. */
    public Builder functionArn(String arn) {
      this.functionArn = arn;
      return this;
    }

    /**
     * A Kafka consumer setting (security, timeouts, ...). The mapping sets bootstrap.servers,
     * group.id, enable.auto.commit, the deserializers and auto.offset.reset itself.
     */
    public Builder consumerConfig(String key, Object value) {
      if (OWNED_CONSUMER_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "consumerConfig "
                + key
                + " is set by the mapping; use bootstrapServers(...), consumerGroupId(...) or"
                + " the StartingPosition setting instead");
      }
      consumerConfig.put(key, value);
      return this;
    }

    /**
     * How many pollers read the topic side by side (default 1), each a consumer of the mapping's
     * group with its own partitions, invoking the function concurrently with the others: AWS's
     * provisioned mode with {@code MinimumPollers} = {@code MaximumPollers} = {@code n}, so no
     * scaling ({@link #pollers(int, int)} scales). Pollers beyond the topic's partition count own
     * nothing, as on AWS.
     */
    public Builder pollers(int n) {
      this.minPollers = n;
      this.maxPollers = n;
      return this;
    }

    /**
     * Provisioned mode with scaling: {@code MinimumPollers} (1 to 200) at the start, up to {@code
     * MaximumPollers} (1 to 2,000, at least the minimum) while the offset lag is high, never more
     * than the topic's partitions; back to the minimum once it is low. See the class javadoc.
     */
    public Builder pollers(int minimum, int maximum) {
      this.minPollers = minimum;
      this.maxPollers = maximum;
      return this;
    }

    /**
     * How often provisioned mode evaluates the lag (default one minute, as AWS); tests use less.
     */
    public Builder scalingInterval(Duration interval) {
      this.scalingInterval = interval;
      return this;
    }

    /** The payload limit (tests use a small one). */
    Builder maxPayloadBytes(int bytes) {
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** Checks the settings and starts the mapping's poller. */
    public KafkaEventSourceMapping build() {
      if (bootstrapServers == null || bootstrapServers.isBlank()) {
        throw new IllegalArgumentException(
            "bootstrapServers is not set; pass the cluster's bootstrap.servers, e.g."
                + " bootstrapServers(kafka.bootstrapServers())");
      }
      if (topics.size() != 1) {
        throw new IllegalArgumentException(
            "Topics has "
                + topics.size()
                + " entries "
                + topics
                + "; a Kafka event source mapping reads exactly 1 topic, as on AWS: create one"
                + " mapping per topic");
      }
      String topic = topics.get(0);
      if (topic == null || !TOPIC.matcher(topic).matches() || topic.startsWith(".")) {
        throw new IllegalArgumentException(
            "Topics[0] is '"
                + topic
                + "'; a topic name is 1 to 249 of [a-zA-Z0-9._-] and does not start with '.'");
      }
      Objects.requireNonNull(settings, "settings is not set; pass settings(...)");
      Objects.requireNonNull(
          invoker, "invoker is not set; pass invoker(FunctionInvoker.lambda(client))");
      Objects.requireNonNull(clock, "clock");
      if (minPollers < 1 || minPollers > 200) {
        throw new IllegalArgumentException(
            "MinimumPollers is "
                + minPollers
                + "; it must be 1 to 200, the range AWS allows for Kafka event source mappings");
      }
      if (maxPollers < minPollers || maxPollers > 2000) {
        throw new IllegalArgumentException(
            "MaximumPollers is "
                + maxPollers
                + "; it must be at least MinimumPollers ("
                + minPollers
                + ") and at most 2000, the range AWS allows for Kafka event source mappings");
      }
      if (scalingInterval == null || scalingInterval.isNegative() || scalingInterval.isZero()) {
        throw new IllegalArgumentException(
            "scalingInterval is "
                + scalingInterval
                + "; it must be positive (AWS evaluates the lag every minute)");
      }
      if (settings.parallelizationFactor() != 1) {
        throw new IllegalArgumentException(
            "ParallelizationFactor is "
                + settings.parallelizationFactor()
                + "; Kafka event source mappings do not support it (it is a Kinesis and DynamoDB"
                + " Streams setting): leave it at 1");
      }
      if (groupId != null && !GROUP_ID.matcher(groupId).matches()) {
        throw new IllegalArgumentException(
            "ConsumerGroupId is '"
                + groupId
                + "'; it must be 1 to 200 of [a-zA-Z0-9-/*:_+=.@], or unset to use the"
                + " mapping's UUID");
      }
      if (clusterArn != null && !MSK_ARN.matcher(clusterArn).matches()) {
        throw new IllegalArgumentException(
            "the MSK cluster ARN is '"
                + clusterArn
                + "'; it must look like arn:aws:kafka:us-east-1:123456789012:cluster/name/uuid,"
                + " or use selfManaged() for a self-managed cluster");
      }
      if (retryDelay == null || retryDelay.isNegative()) {
        throw new IllegalArgumentException(
            "retryDelay is " + retryDelay + "; it must be 0 or more");
      }
      return new KafkaEventSourceMapping(this);
    }
  }
}
