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
 * <p>What differs: AWS scales pollers (consumers) with the lag; this mapping runs a fixed number of
 * pollers ({@link Builder#pollers}, default 1, as provisioned mode pinned at its minimum), each a
 * consumer of the group with a thread that also invokes the function. One poller delivers its
 * partitions one batch at a time (in order, as on AWS, with less concurrency); several deliver
 * their partitions side by side. A consumer's {@code max.poll.interval.ms} is set very high so that
 * a batch retried for long does not cost the group membership.
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
   * @param functionErrors invocations that failed (the function threw, timed out or was
   *     unreachable)
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
  private final List<Poller> pollers = new ArrayList<>();
  private final AtomicInteger pollersRunning = new AtomicInteger();

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
    for (int i = 0; i < b.pollers; i++) {
      Map<String, Object> own = new HashMap<>(props);
      if (b.pollers > 1) {
        own.put(
            ConsumerConfig.CLIENT_ID_CONFIG, props.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-" + i);
      }
      pollers.add(new Poller(own, b.pollers == 1 ? uuid : uuid + "-" + i));
    }
    pollersRunning.set(pollers.size());
    pollers.forEach(p -> p.thread.start());
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
      closing = true;
      closingLatch.countDown();
      pollers.forEach(p -> p.consumer.wakeup());
    }
    try {
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

    Poller(Map<String, Object> props, String name) {
      this.consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      this.thread = new Thread(this::run, "tributary-kafka-esm-" + name);
      this.thread.setDaemon(true);
    }

    private void run() {
      try {
        consumer.subscribe(topics, this);
        while (!closing) {
          try {
            KafkaBatchBuffer.Batch batch = gather();
            if (batch != null) {
              deliver(batch);
              refreshEndOffsets(true);
            }
          } catch (WakeupException e) {
            // close() woke a blocking call; the loop condition ends the poller
          } catch (KafkaException | IllegalStateException e) {
            if (closing) {
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
     * Polls until the next batch is full or its window has passed since its first record; null when
     * closing.
     */
    private KafkaBatchBuffer.Batch gather() {
      long window = settings.maximumBatchingWindow().toNanos();
      long started = buffer.isEmpty() ? -1 : System.nanoTime();
      while (!closing) {
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
      return closing ? null : buffer.take(settings.batchSize(), maxPayloadBytes);
    }

    private void poll(Duration timeout) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        buffer.add(r);
      }
    }

    private void deliver(KafkaBatchBuffer.Batch batch) {
      batches.incrementAndGet();
      Map<TopicPartition, Long> done = new LinkedHashMap<>();
      Outcome outcome = new Outcome(done);
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
                KafkaEventSourceMapping.this::invoke,
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
          consumer.commitSync(offsets); // close() woke the consumer; what is done still counts
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

  private Answer invoke(List<ConsumerRecord<byte[], byte[]>> batch) {
    byte[] event = KafkaEvents.event(source, batch);
    invocations.incrementAndGet();
    FunctionInvoker.Result result;
    try {
      result = invoker.invoke(settings.functionName(), event);
    } catch (RuntimeException e) {
      // an invoker should answer Failed; one that throws must not stop the poller
      result = new FunctionInvoker.Failed(e.getClass().getSimpleName() + ": " + e.getMessage());
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

    Outcome(Map<TopicPartition, Long> done) {
      this.done = done;
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
      byte[] event = KafkaEvents.event(source, records);
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
    private int pollers = 1;
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
     * provisioned mode with {@code MinimumPollers} = {@code n}, without the scaling between the
     * minimum and the maximum. Pollers beyond the topic's partition count own nothing, as on AWS.
     */
    public Builder pollers(int n) {
      this.pollers = n;
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
      if (pollers < 1 || pollers > 200) {
        throw new IllegalArgumentException(
            "pollers is "
                + pollers
                + "; it must be 1 to 200, the range of AWS's MinimumPollers for Kafka event source"
                + " mappings");
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
