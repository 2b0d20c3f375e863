package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.tributary.local.esm.KafkaOnFailureRecord.Condition;
import dev.tributary.local.kafka.KafkaLocal;
import dev.tributary.local.lambda.LocalLambda;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * The Kafka event source mapping against the embedded broker: delivery exactly once and in order
 * per partition, batching, starting positions, resuming from committed offsets, partial failures,
 * retries and the on-failure destination, bisecting, the event read as the Lambda Java runtime
 * reads it (also through the local Invoke API), rebalances, and what close() leaves. One broker for
 * the class, a fresh topic per test; every mapping is closed after its test, even on failure.
 */
class KafkaEventSourceMappingIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private static final String CLUSTER_ARN =
      "arn:aws:kafka:us-east-1:123456789012:cluster/local/6f1c2b3a-0000-1111-2222-333344445555-1";

  private static KafkaLocal kafka;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private String topic;

  @BeforeAll
  static void startBroker() {
    kafka = KafkaLocal.builder().build();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @BeforeEach
  void freshTopic() {
    topic = "esm-" + TOPICS.incrementAndGet();
  }

  @AfterEach
  void closeEverything() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  // ---- the function side: events read as the Lambda Java runtime reads them ----

  /** A function that keeps every event it was invoked with and answers as told. */
  private static final class Recorder implements FunctionInvoker {
    final List<KafkaEvent> events = new CopyOnWriteArrayList<>();
    private final Function<KafkaEvent, Result> answer;

    Recorder(Function<KafkaEvent, Result> answer) {
      this.answer = answer;
    }

    Recorder() {
      this(e -> new Returned(new byte[0]));
    }

    @Override
    public Result invoke(String function, byte[] payload) {
      KafkaEvent event = parse(payload);
      events.add(event);
      return answer.apply(event);
    }

    /** Every record of every invocation, in invocation order. */
    List<KafkaEvent.KafkaEventRecord> records() {
      List<KafkaEvent.KafkaEventRecord> out = new ArrayList<>();
      for (KafkaEvent e : events) {
        e.getRecords().values().forEach(out::addAll);
      }
      return out;
    }

    List<String> values() {
      return records().stream().map(KafkaEventSourceMappingIT::value).toList();
    }
  }

  private static KafkaEvent parse(byte[] payload) {
    return LambdaEventSerializers.serializerFor(
            KafkaEvent.class, KafkaEventSourceMappingIT.class.getClassLoader())
        .fromJson(new ByteArrayInputStream(payload));
  }

  private static String value(KafkaEvent.KafkaEventRecord r) {
    return new String(Base64.getDecoder().decode(r.getValue()), StandardCharsets.UTF_8);
  }

  private static List<Long> offsets(KafkaEvent e) {
    List<Long> out = new ArrayList<>();
    e.getRecords().values().forEach(l -> l.forEach(r -> out.add(r.getOffset())));
    return out;
  }

  private static FunctionInvoker.Result answer(String json) {
    return new FunctionInvoker.Returned(json.getBytes(StandardCharsets.UTF_8));
  }

  // ---- fixtures ----

  private static MappingSettings settings(
      int batchSize,
      Duration window,
      MappingSettings.StartingPosition position,
      Instant at,
      int retries,
      boolean bisect,
      boolean reportBatchItemFailures) {
    return new MappingSettings(
        "coordinator",
        batchSize,
        window,
        position,
        at,
        retries,
        null,
        bisect,
        reportBatchItemFailures,
        1);
  }

  private static MappingSettings settings(int batchSize, Duration window) {
    return settings(
        batchSize, window, MappingSettings.StartingPosition.TRIM_HORIZON, null, -1, false, true);
  }

  private KafkaEventSourceMapping start(
      MappingSettings settings,
      FunctionInvoker invoker,
      Consumer<KafkaEventSourceMapping.Builder> more) {
    KafkaEventSourceMapping.Builder b =
        KafkaEventSourceMapping.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .topic(topic)
            .settings(settings)
            .invoker(invoker)
            .retryDelay(Duration.ZERO);
    more.accept(b);
    KafkaEventSourceMapping mapping = b.build();
    toClose.add(mapping);
    return mapping;
  }

  private KafkaEventSourceMapping start(MappingSettings settings, FunctionInvoker invoker) {
    return start(settings, invoker, b -> {});
  }

  /** Writes {@code n} records "v0", "v1", ... to the topic's partitions in turn. */
  private void produceRoundRobin(int n, int partitions) throws Exception {
    try (Sender producer = new Sender()) {
      for (int i = 0; i < n; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, i % partitions, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  private void produce(int partition, String... values) throws Exception {
    produce(partition, null, values);
  }

  private void produce(int partition, Long timestamp, String... values) throws Exception {
    try (Sender producer = new Sender()) {
      for (String v : values) {
        producer.send(
            new ProducerRecord<>(
                topic,
                partition,
                timestamp,
                ("k-" + v).getBytes(StandardCharsets.UTF_8),
                v.getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  /**
   * A producer whose close waits for every send and fails with the broker's error if one failed, so
   * a record the broker never stored is not mistaken for a record the mapping lost. Its timeouts
   * are generous (a request 2 minutes, a record 10) because a loaded CI machine can stall the
   * embedded broker for longer than the producer's defaults, after which a batch would expire.
   */
  private static final class Sender implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                120_000,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                // one request in flight per connection: a burst of small batches keeps no
                // sequence gaps for the idempotent producer to resolve
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                1),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    private final List<Future<RecordMetadata>> sent = new ArrayList<>();

    void send(ProducerRecord<byte[], byte[]> record) {
      sent.add(producer.send(record));
    }

    @Override
    public void close() throws Exception {
      try {
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
          f.get();
        }
      } finally {
        producer.close();
      }
    }
  }

  private static Admin admin() {
    return Admin.create(
        Map.<String, Object>of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static Map<Integer, Long> committed(String group) throws Exception {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<Integer, Long> out = new HashMap<>();
      offsets.forEach((tp, o) -> out.put(tp.partition(), o.offset()));
      return out;
    }
  }

  /** Waits until {@code done} holds; fails after {@link #WAIT} saying what was awaited. */
  private static void await(String what, KafkaEventSourceMapping mapping, BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "waited " + WAIT + " for " + what + "; the mapping's progress: " + mapping.progress());
      }
      Thread.sleep(20);
    }
  }

  private static void awaitOwned(KafkaEventSourceMapping mapping, int partitions)
      throws InterruptedException {
    await(
        partitions + " partitions owned",
        mapping,
        () -> mapping.progress().partitions().size() == partitions);
  }

  private static void awaitDone(KafkaEventSourceMapping mapping, long records)
      throws InterruptedException {
    await(
        records + " records done and committed",
        mapping,
        () -> {
          KafkaEventSourceMapping.Progress p = mapping.progress();
          return p.recordsDelivered() + p.recordsFailed() == records
              && !p.partitions().isEmpty()
              && p.lag() == 0;
        });
  }

  // ---- the tests ----

  @Test
  void everyRecordIsDeliveredOnceInOrderPerPartitionAndCommittedToTheGroup() throws Exception {
    kafka.createTopic(topic, 3);
    try (Sender producer = new Sender()) {
      for (int i = 0; i < 300; i++) {
        producer.send(
            new ProducerRecord<>(
                topic,
                ("key-" + i).getBytes(StandardCharsets.UTF_8),
                ("v" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping = start(settings(50, Duration.ZERO), function);
    awaitDone(mapping, 300);

    Map<Integer, List<Long>> byPartition = new HashMap<>();
    for (KafkaEvent e : function.events) {
      assertThat(e.getEventSource()).isEqualTo("SelfManagedKafka");
      assertThat(e.getEventSourceArn()).isNull();
      assertThat(e.getBootstrapServers()).isEqualTo(kafka.bootstrapServers());
      assertThat(e.getRecords().values().stream().mapToInt(List::size).sum()).isBetween(1, 50);
      e.getRecords()
          .forEach(
              (key, records) ->
                  records.forEach(
                      r -> {
                        assertThat(key).isEqualTo(r.getTopic() + "-" + r.getPartition());
                        byPartition
                            .computeIfAbsent(r.getPartition(), p -> new ArrayList<>())
                            .add(r.getOffset());
                      }));
    }
    assertThat(byPartition.values().stream().mapToInt(List::size).sum()).isEqualTo(300);
    byPartition.forEach(
        (p, offsets) -> {
          List<Long> expected = new ArrayList<>();
          for (long o = 0; o < offsets.size(); o++) {
            expected.add(o);
          }
          assertThat(offsets).as("partition " + p + " in order, once each").isEqualTo(expected);
        });
    assertThat(new HashSet<>(function.values())).hasSize(300).contains("v0", "v299");

    KafkaEventSourceMapping.Progress p = mapping.progress();
    assertThat(p.invocations()).isEqualTo(function.events.size());
    assertThat(p.functionErrors()).isZero();
    assertThat(p.recordsFailed()).isZero();
    assertThat(p.batches()).isEqualTo(function.events.size());
    Map<Integer, Long> committed = committed(mapping.consumerGroupId());
    assertThat(mapping.consumerGroupId()).isEqualTo(mapping.uuid());
    byPartition.forEach(
        (part, offsets) -> assertThat(committed).containsEntry(part, (long) offsets.size()));
    p.partitions()
        .forEach((key, pp) -> assertThat(pp.committedOffset()).as(key).isEqualTo(pp.endOffset()));
  }

  @Test
  void aBacklogIsDrainedInFullBatchesAndTheRatePrinted() throws Exception {
    int total = 20_000;
    produceBacklog(4, total);
    Recorder function = new Recorder();
    long started = System.nanoTime();
    KafkaEventSourceMapping mapping = start(settings(1_000, Duration.ofMillis(500)), function);
    awaitDone(mapping, total);
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "KafkaEventSourceMapping drained %d records in %d invocations in %.2f s (%.0f records/s)%n",
        total, function.events.size(), seconds, total / seconds);
    assertThat(function.records()).hasSize(total);
    assertThat(function.events)
        .allSatisfy(e -> assertThat(offsets(e)).hasSizeLessThanOrEqualTo(1_000));
    // a backlog fills batches: a handful of invocations, not one per poll (the slack allows for
    // stalls longer than the window on a loaded machine, each of which may cut a partial batch)
    assertThat(function.events.size()).isLessThanOrEqualTo(total / 1_000 + 10);
  }

  /**
   * Creates the topic with {@code partitions} and writes {@code total} records round robin, before
   * any mapping starts. Twice in CI the embedded broker left one partition's batches of such a
   * burst unsent until the producer's delivery timeout (cause not found: no error, no leader
   * change). Producing is scaffolding here, not what the test checks, so an attempt that times out
   * is abandoned for a fresh topic, once, and said so.
   */
  private void produceBacklog(int partitions, int total) throws Exception {
    for (int attempt = 1; ; attempt++) {
      kafka.createTopic(topic, partitions);
      try (Sender producer = new Sender()) {
        for (int i = 0; i < total; i++) {
          producer.send(
              new ProducerRecord<>(
                  topic,
                  i % partitions,
                  null,
                  ("key-" + i).getBytes(StandardCharsets.UTF_8),
                  ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(64) + "\"}")
                      .getBytes(StandardCharsets.UTF_8)));
        }
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (attempt > 1
            || !(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)) {
          throw e;
        }
        System.out.println(
            "producing the backlog to "
                + topic
                + " timed out ("
                + e.getCause().getMessage()
                + "); producing it to a fresh topic");
        topic = "esm-" + TOPICS.incrementAndGet();
      }
    }
  }

  @Test
  void noBatchIsLargerThanTheBatchSize() throws Exception {
    kafka.createTopic(topic, 1);
    String[] values = new String[25];
    for (int i = 0; i < values.length; i++) {
      values[i] = "v" + i;
    }
    produce(0, values);
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping = start(settings(10, Duration.ZERO), function);
    awaitDone(mapping, 25);
    assertThat(function.events)
        .allSatisfy(e -> assertThat(offsets(e)).hasSizeLessThanOrEqualTo(10));
    assertThat(function.events.size()).isGreaterThanOrEqualTo(3);
    assertThat(function.values()).containsExactly(values);
  }

  @Test
  void theBatchingWindowGathersRecordsUntilTheBatchIsFull() throws Exception {
    kafka.createTopic(topic, 1);
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping = start(settings(5, Duration.ofSeconds(300)), function);
    awaitOwned(mapping, 1);
    for (int i = 0; i < 5; i++) {
      produce(0, "v" + i); // one at a time, each flushed: the mapping must wait for the rest
    }
    awaitDone(mapping, 5);
    assertThat(function.events).singleElement().satisfies(e -> assertThat(offsets(e)).hasSize(5));
  }

  @Test
  void aBatchThatIsNotFullGoesWhenTheWindowHasPassed() throws Exception {
    kafka.createTopic(topic, 1);
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping = start(settings(100, Duration.ofMillis(300)), function);
    awaitOwned(mapping, 1);
    produce(0, "a", "b", "c");
    awaitDone(mapping, 3);
    assertThat(function.values()).containsExactly("a", "b", "c");
  }

  @Test
  void latestSkipsTheRecordsThereAtTheStartAndTrimHorizonReadsThem() throws Exception {
    kafka.createTopic(topic, 2);
    produce(0, "old0", "old1");
    produce(1, "old2");
    Recorder latest = new Recorder();
    Recorder trimHorizon = new Recorder();
    KafkaEventSourceMapping fromLatest =
        start(
            settings(
                100, Duration.ZERO, MappingSettings.StartingPosition.LATEST, null, -1, false, true),
            latest);
    KafkaEventSourceMapping fromOldest = start(settings(100, Duration.ZERO), trimHorizon);
    awaitOwned(fromLatest, 2);
    awaitOwned(fromOldest, 2);
    // LATEST pinned the end offsets as the group's start: they are committed already
    assertThat(committed(fromLatest.consumerGroupId())).containsEntry(0, 2L).containsEntry(1, 1L);
    produce(0, "new0");
    produce(1, "new1");
    awaitDone(fromLatest, 2);
    awaitDone(fromOldest, 5);
    assertThat(latest.values()).containsExactlyInAnyOrder("new0", "new1");
    assertThat(trimHorizon.values())
        .containsExactlyInAnyOrder("old0", "old1", "old2", "new0", "new1");
  }

  @Test
  void atTimestampStartsAtTheFirstRecordAtOrAfterTheTime() throws Exception {
    kafka.createTopic(topic, 1);
    long base = System.currentTimeMillis() - 3_600_000;
    for (int i = 0; i < 10; i++) {
      produce(0, base + i * 1_000L, "v" + i);
    }
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping =
        start(
            settings(
                100,
                Duration.ZERO,
                MappingSettings.StartingPosition.AT_TIMESTAMP,
                Instant.ofEpochMilli(base + 5_500),
                -1,
                false,
                true),
            function);
    awaitDone(mapping, 4);
    assertThat(function.values()).containsExactly("v6", "v7", "v8", "v9");
    assertThat(function.records().get(0).getTimestamp()).isEqualTo(base + 6_000);
  }

  @Test
  void aRestartedMappingResumesFromTheCommittedOffsets() throws Exception {
    kafka.createTopic(topic, 2);
    produce(0, "a0", "a1", "a2");
    produce(1, "b0", "b1");
    String group = "group-" + topic;
    Recorder first = new Recorder();
    try (KafkaEventSourceMapping mapping =
        start(settings(100, Duration.ZERO), first, b -> b.consumerGroupId(group))) {
      assertThat(mapping.consumerGroupId()).isEqualTo(group);
      awaitDone(mapping, 5);
    }
    assertThat(committed(group)).containsEntry(0, 3L).containsEntry(1, 2L);
    produce(0, "a3");
    produce(1, "b2", "b3");
    Recorder second = new Recorder();
    KafkaEventSourceMapping again =
        start(settings(100, Duration.ZERO), second, b -> b.consumerGroupId(group));
    awaitDone(again, 3);
    assertThat(first.values()).containsExactlyInAnyOrder("a0", "a1", "a2", "b0", "b1");
    assertThat(second.values()).containsExactlyInAnyOrder("a3", "b2", "b3");
  }

  @Test
  void closingWhileABatchIsRetriedCommitsWhatIsDone() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7");
    String group = "group-" + topic;
    // the function keeps failing from offset 5 on: 0..4 are done, 5.. retried forever
    Recorder failing =
        new Recorder(
            e ->
                answer(
                    "{\"batchItemFailures\":[{\"itemIdentifier\":"
                        + "{\"partition\":\""
                        + topic
                        + "-0\",\"offset\":5}}]}"));
    KafkaEventSourceMapping mapping =
        start(
            settings(8, Duration.ofSeconds(300)),
            failing,
            b -> b.consumerGroupId(group).retryDelay(Duration.ofMillis(20)));
    await("a few retries", mapping, () -> failing.events.size() >= 3);
    mapping.close();
    assertThat(mapping.progress().running()).isFalse();
    assertThat(committed(group)).containsEntry(0, 5L);
    assertThat(offsets(failing.events.get(0))).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(failing.events.subList(1, failing.events.size()))
        .allSatisfy(e -> assertThat(offsets(e)).containsExactly(5L, 6L, 7L));

    Recorder fixed = new Recorder();
    KafkaEventSourceMapping again =
        start(settings(8, Duration.ZERO), fixed, b -> b.consumerGroupId(group));
    awaitDone(again, 3);
    assertThat(fixed.values()).containsExactly("v5", "v6", "v7");
  }

  @Test
  void aPartialFailureIsDeliveredAgainFromTheReportedOffset() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    AtomicInteger calls = new AtomicInteger();
    Recorder function =
        new Recorder(
            e ->
                calls.incrementAndGet() == 1
                    ? answer(
                        "{\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\""
                            + topic
                            + "-0\",\"offset\":4}}]}")
                    : answer("{\"batchItemFailures\":[]}"));
    KafkaEventSourceMapping mapping = start(settings(10, Duration.ofSeconds(300)), function);
    awaitDone(mapping, 10);
    assertThat(function.events).hasSize(2);
    assertThat(offsets(function.events.get(0)))
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(offsets(function.events.get(1))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
    KafkaEventSourceMapping.Progress p = mapping.progress();
    assertThat(p.recordsDelivered()).isEqualTo(10);
    assertThat(p.functionErrors()).isZero();
    assertThat(p.batches()).isEqualTo(1);
  }

  @Test
  void aFunctionErrorIsRetriedThenTheBatchGoesToTheOnFailureDestination() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "bad0", "bad1", "bad2", "bad3");
    List<KafkaOnFailureRecord> failures = new CopyOnWriteArrayList<>();
    List<KafkaEvent> received = new CopyOnWriteArrayList<>();
    try (LocalLambda lambda = LocalLambda.start();
        LambdaClient client = lambdaClient(lambda)) {
      lambda.register(
          "coordinator",
          () ->
              payload -> {
                KafkaEvent event = parse(payload);
                received.add(event);
                for (List<KafkaEvent.KafkaEventRecord> records : event.getRecords().values()) {
                  for (KafkaEvent.KafkaEventRecord r : records) {
                    if (value(r).startsWith("bad")) {
                      throw new IllegalStateException("cannot handle " + value(r));
                    }
                  }
                }
                return new byte[0];
              });
      KafkaEventSourceMapping mapping =
          start(
              settings(
                  4,
                  Duration.ofSeconds(300),
                  MappingSettings.StartingPosition.TRIM_HORIZON,
                  null,
                  2,
                  false,
                  true),
              FunctionInvoker.lambda(client),
              b -> b.onFailure(failures::add).msk(CLUSTER_ARN));
      await("the on-failure record", mapping, () -> failures.size() == 1);
      produce(0, "good4", "good5", "good6", "good7");
      awaitDone(mapping, 8);

      assertThat(lambda.invocations("coordinator")).isEqualTo(4);
      assertThat(received.subList(0, 3))
          .allSatisfy(e -> assertThat(offsets(e)).containsExactly(0L, 1L, 2L, 3L));
      assertThat(offsets(received.get(3))).containsExactly(4L, 5L, 6L, 7L);

      KafkaOnFailureRecord f = failures.get(0);
      assertThat(f.condition()).isEqualTo(Condition.RetryAttemptsExhausted);
      assertThat(f.approximateInvokeCount()).isEqualTo(3);
      assertThat(f.functionError()).isEqualTo("Unhandled");
      assertThat(f.reason()).contains("cannot handle bad0");
      assertThat(f.batchSize()).isEqualTo(4);
      assertThat(f.eventSourceArn()).isEqualTo(CLUSTER_ARN);
      assertThat(f.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
      assertThat(f.recordsInfo()).containsOnlyKeys(topic + "-0");
      KafkaOnFailureRecord.RecordsInfo range = f.recordsInfo().get(topic + "-0");
      assertThat(range.firstRecordOffset()).isZero();
      assertThat(range.lastRecordOffset()).isEqualTo(3);
      assertThat(range.firstRecordTimestamp())
          .isEqualTo(
              Instant.ofEpochMilli(
                  received.get(0).getRecords().get(topic + "-0").get(0).getTimestamp()));
      assertThat(f.payloadSize()).isEqualTo(f.payload().getBytes(StandardCharsets.UTF_8).length);
      KafkaEvent failed = parse(f.payload().getBytes(StandardCharsets.UTF_8));
      assertThat(offsets(failed)).containsExactly(0L, 1L, 2L, 3L);
      assertThat(f.toJson()).contains("\"condition\":\"RetryAttemptsExhausted\"");

      KafkaEventSourceMapping.Progress p = mapping.progress();
      assertThat(p.invocations()).isEqualTo(4);
      assertThat(p.functionErrors()).isEqualTo(3);
      assertThat(p.recordsFailed()).isEqualTo(4);
      assertThat(p.recordsDelivered()).isEqualTo(4);
      assertThat(committed(mapping.consumerGroupId())).containsEntry(0, 8L);
      mapping.close(); // before the Lambda endpoint and client it uses
    }
  }

  private static LambdaClient lambdaClient(LocalLambda lambda) {
    return LambdaClient.builder()
        .endpointOverride(lambda.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  @Test
  void bisectingNarrowsTheFailureToThePoisonRecord() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "v0", "v1", "v2", "v3", "v4", "poison", "v6", "v7");
    List<KafkaOnFailureRecord> failures = new CopyOnWriteArrayList<>();
    List<String> succeeded = new CopyOnWriteArrayList<>();
    Recorder function =
        new Recorder(
            e -> {
              List<String> values =
                  e.getRecords().values().stream()
                      .flatMap(List::stream)
                      .map(KafkaEventSourceMappingIT::value)
                      .toList();
              if (values.contains("poison")) {
                return new FunctionInvoker.Failed("Unhandled: poison");
              }
              succeeded.addAll(values);
              return answer("{}");
            });
    KafkaEventSourceMapping mapping =
        start(
            settings(
                8,
                Duration.ofSeconds(300),
                MappingSettings.StartingPosition.TRIM_HORIZON,
                null,
                1,
                true,
                true),
            function,
            b -> b.onFailure(failures::add));
    awaitDone(mapping, 8);
    assertThat(failures)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.batchSize()).isEqualTo(1);
              assertThat(f.recordsInfo().get(topic + "-0").firstRecordOffset()).isEqualTo(5);
              assertThat(f.recordsInfo().get(topic + "-0").lastRecordOffset()).isEqualTo(5);
              // every invocation with the record: the batch, the halves [4..7] and [4, 5],
              // then [5] alone and its one retry
              assertThat(f.approximateInvokeCount()).isEqualTo(5);
              assertThat(f.eventSourceArn()).isNull();
            });
    assertThat(succeeded).containsExactly("v0", "v1", "v2", "v3", "v4", "v6", "v7");
    assertThat(mapping.progress().recordsFailed()).isEqualTo(1);
    assertThat(committed(mapping.consumerGroupId())).containsEntry(0, 8L);
  }

  @Test
  void keysValuesAndHeadersRoundTripThroughTheInvokeApiIntoKafkaEvent() throws Exception {
    kafka.createTopic(topic, 1);
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace-id", "abc-123".getBytes(StandardCharsets.UTF_8));
    headers.add("raw", new byte[] {-128, -1, 0, 1, 127});
    long timestamp = System.currentTimeMillis() - 10_000;
    try (Sender producer = new Sender()) {
      producer.send(
          new ProducerRecord<>(
              topic, 0, timestamp, "key-1".getBytes(StandardCharsets.UTF_8), binary, headers));
      producer.send(
          new ProducerRecord<>(
              topic, 0, timestamp + 1, null, "no key".getBytes(StandardCharsets.UTF_8)));
    }
    List<KafkaEvent> received = new CopyOnWriteArrayList<>();
    try (LocalLambda lambda = LocalLambda.start();
        LambdaClient client = lambdaClient(lambda)) {
      lambda.register(
          "coordinator",
          () ->
              payload -> {
                received.add(parse(payload));
                return "{\"batchItemFailures\":[]}".getBytes(StandardCharsets.UTF_8);
              });
      KafkaEventSourceMapping mapping =
          start(
              settings(2, Duration.ofSeconds(300)),
              FunctionInvoker.lambda(client),
              b -> b.msk(CLUSTER_ARN));
      awaitDone(mapping, 2);
      mapping.close();
    }
    assertThat(received).hasSize(1);
    KafkaEvent event = received.get(0);
    assertThat(event.getEventSource()).isEqualTo("aws:kafka");
    assertThat(event.getEventSourceArn()).isEqualTo(CLUSTER_ARN);
    assertThat(event.getBootstrapServers()).isEqualTo(kafka.bootstrapServers());
    List<KafkaEvent.KafkaEventRecord> records = event.getRecords().get(topic + "-0");
    assertThat(records).hasSize(2);
    KafkaEvent.KafkaEventRecord first = records.get(0);
    assertThat(first.getTopic()).isEqualTo(topic);
    assertThat(first.getPartition()).isZero();
    assertThat(first.getOffset()).isZero();
    assertThat(first.getTimestamp()).isEqualTo(timestamp);
    assertThat(first.getTimestampType()).isEqualTo("CREATE_TIME");
    assertThat(new String(Base64.getDecoder().decode(first.getKey()), StandardCharsets.UTF_8))
        .isEqualTo("key-1");
    assertThat(Base64.getDecoder().decode(first.getValue())).isEqualTo(binary);
    assertThat(first.getHeaders()).hasSize(2);
    assertThat(new String(first.getHeaders().get(0).get("trace-id"), StandardCharsets.UTF_8))
        .isEqualTo("abc-123");
    assertThat(first.getHeaders().get(1).get("raw")).isEqualTo(new byte[] {-128, -1, 0, 1, 127});
    KafkaEvent.KafkaEventRecord keyless = records.get(1);
    assertThat(keyless.getKey()).isNull();
    assertThat(value(keyless)).isEqualTo("no key");
    assertThat(keyless.getHeaders()).isEmpty();
  }

  @Test
  void partitionsAddedWhileRunningAreRebalancedInAndDelivered() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "p0-a", "p0-b");
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping =
        start(
            settings(100, Duration.ZERO),
            function,
            b -> b.consumerConfig("metadata.max.age.ms", 200));
    awaitDone(mapping, 2);
    try (Admin admin = admin()) {
      admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get();
    }
    awaitOwned(mapping, 3);
    produce(1, "p1-a");
    produce(2, "p2-a", "p2-b");
    produce(0, "p0-c");
    awaitDone(mapping, 6);
    Map<String, List<String>> byPartition =
        function.records().stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.getTopic() + "-" + r.getPartition(),
                    Collectors.mapping(KafkaEventSourceMappingIT::value, Collectors.toList())));
    assertThat(byPartition)
        .containsOnly(
            Map.entry(topic + "-0", List.of("p0-a", "p0-b", "p0-c")),
            Map.entry(topic + "-1", List.of("p1-a")),
            Map.entry(topic + "-2", List.of("p2-a", "p2-b")));
  }

  @Test
  void anInvokerThatThrowsCountsAsAFunctionErrorAndThePollerGoesOn() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "v0", "v1");
    AtomicInteger calls = new AtomicInteger();
    Recorder function = new Recorder();
    KafkaEventSourceMapping mapping =
        start(
            settings(2, Duration.ofSeconds(300)),
            (name, payload) -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("the endpoint is gone");
              }
              return function.invoke(name, payload);
            });
    awaitDone(mapping, 2);
    assertThat(function.values()).containsExactly("v0", "v1");
    KafkaEventSourceMapping.Progress p = mapping.progress();
    assertThat(p.functionErrors()).isEqualTo(1);
    assertThat(p.invocations()).isEqualTo(2);
    assertThat(p.running()).isTrue();
  }

  /**
   * With three pollers on three partitions each poller owns one partition and invokes the function
   * while the others do: every record once, in order per partition, committed; closing stops every
   * poller's threads.
   */
  @Test
  void pollersSideBySideEachOwnPartitionsAndInvokeConcurrently() throws Exception {
    kafka.createTopic(topic, 3);
    produceRoundRobin(300, 3);
    AtomicInteger mostAtOnce = new AtomicInteger();
    Recorder recorder = new Recorder();
    FunctionInvoker function =
        concurrent(
            recorder,
            mostAtOnce,
            () -> {
              // until three invocations were in flight at once, each waits up to 2 s for the
              // others; a poller that joined the group late gets its partition at the rebalance
              // that follows the first poller's next poll
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
              while (mostAtOnce.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
              }
            });
    KafkaEventSourceMapping mapping =
        start(settings(20, Duration.ZERO), function, b -> b.pollers(3));
    awaitDone(mapping, 300);
    assertThat(mostAtOnce.get()).as("invocations in flight at once").isEqualTo(3);
    // a poller that joined the group first owned every partition until the next rebalance, so
    // a batch may hold several partitions
    Map<Integer, List<Long>> byPartition = offsetsByPartition(recorder);
    assertThat(byPartition).hasSize(3);
    byPartition.forEach(
        (part, offsets) -> {
          List<Long> expected = new ArrayList<>();
          for (long o = 0; o < 100; o++) {
            expected.add(o);
          }
          assertThat(offsets).as("partition " + part + " in order, once each").isEqualTo(expected);
        });
    assertThat(committed(mapping.consumerGroupId()))
        .containsOnly(Map.entry(0, 100L), Map.entry(1, 100L), Map.entry(2, 100L));

    mapping.close();
    assertNoThreadLeft(mapping);
  }

  /**
   * Provisioned mode with 1 to 3 pollers on three partitions and a backlog: the scaler adds pollers
   * while the lag is high (each addition rebalances the group mid-run), and removes them once the
   * lag is drained. Every record is delivered, none skipped in its partition (a batch whose commit
   * a rebalance refused may come again, from the committed offset), and everything is committed.
   */
  @Test
  void provisionedPollersScaleUpWithTheLagAndBackDownOnceItIsDrained() throws Exception {
    kafka.createTopic(topic, 3);
    int perPartition = 500;
    produceRoundRobin(perPartition * 3, 3);
    AtomicInteger mostAtOnce = new AtomicInteger();
    Recorder recorder = new Recorder();
    FunctionInvoker slow = concurrent(recorder, mostAtOnce, () -> Thread.sleep(40));
    KafkaEventSourceMapping mapping =
        start(
            settings(10, Duration.ZERO),
            slow,
            b ->
                b.pollers(1, 3)
                    .scalingInterval(Duration.ofMillis(200))
                    // a member learns of a rebalance from its heartbeat: 3 s apart by default
                    .consumerConfig("heartbeat.interval.ms", 200));
    assertThat(mapping.pollers()).isEqualTo(1);
    await(
        "all partitions committed to their end",
        mapping,
        () -> {
          try {
            return committed(mapping.consumerGroupId())
                .equals(
                    Map.of(0, (long) perPartition, 1, (long) perPartition, 2, (long) perPartition));
          } catch (Exception e) {
            return false;
          }
        });
    assertThat(mapping.peakPollers()).as("pollers at the peak (one per partition)").isEqualTo(3);
    assertThat(mostAtOnce.get()).as("invocations in flight at once").isGreaterThan(1);
    await("back to the minimum of one poller", mapping, () -> mapping.pollers() == 1);

    Map<Integer, List<Long>> byPartition = offsetsByPartition(recorder);
    byPartition.forEach(
        (part, offsets) -> {
          long next = 0;
          for (long o : offsets) {
            assertThat(o).as("partition " + part + ": no offset skipped").isLessThanOrEqualTo(next);
            next = Math.max(next, o + 1);
          }
          assertThat(next)
              .as("partition " + part + " delivered to its end")
              .isEqualTo(perPartition);
        });
    assertThat(byPartition).hasSize(3);

    mapping.close();
    assertNoThreadLeft(mapping);
  }

  /** What an invocation does before it reaches the recorder. */
  @FunctionalInterface
  private interface Pause {
    void run() throws InterruptedException;
  }

  /**
   * {@code recorder}, each invocation first running {@code pause}; {@code mostAtOnce} keeps the
   * most invocations in flight at once.
   */
  private static FunctionInvoker concurrent(
      Recorder recorder, AtomicInteger mostAtOnce, Pause pause) {
    AtomicInteger inFlight = new AtomicInteger();
    return (name, payload) -> {
      mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        pause.run();
        return recorder.invoke(name, payload);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new FunctionInvoker.Failed("interrupted");
      } finally {
        inFlight.decrementAndGet();
      }
    };
  }

  /** Each partition's delivered offsets, in the order the function received them. */
  private static Map<Integer, List<Long>> offsetsByPartition(Recorder recorder) {
    Map<Integer, List<Long>> byPartition = new HashMap<>();
    for (KafkaEvent e : recorder.events) {
      e.getRecords()
          .values()
          .forEach(
              records ->
                  records.forEach(
                      r ->
                          byPartition
                              .computeIfAbsent(r.getPartition(), k -> new ArrayList<>())
                              .add(r.getOffset())));
    }
    return byPartition;
  }

  @Test
  void maximumPollersBelowTheMinimumIsRefused() {
    assertThatThrownBy(
            () -> start(settings(20, Duration.ZERO), new Recorder(), b -> b.pollers(3, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MaximumPollers is 2")
        .hasMessageContaining("at least MinimumPollers (3)");
  }

  @Test
  void pollersOutsideAwsRangeAreRefused() {
    assertThatThrownBy(() -> start(settings(20, Duration.ZERO), new Recorder(), b -> b.pollers(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MinimumPollers is 0")
        .hasMessageContaining("1 to 200");
  }

  @Test
  void closeStopsThePollerAndTheConsumerThreads() throws Exception {
    kafka.createTopic(topic, 1);
    produce(0, "v0");
    KafkaEventSourceMapping mapping = start(settings(10, Duration.ZERO), new Recorder());
    awaitDone(mapping, 1);
    String uuid = mapping.uuid();
    assertThat(threadsNaming(uuid))
        .as("the poller and the group's heartbeat thread, so the check below has teeth")
        .hasSizeGreaterThanOrEqualTo(2);

    mapping.close();
    mapping.close(); // idempotent
    assertNoThreadLeft(mapping);
  }

  /** Every thread of the closed mapping ends (within a minute), and it says it stopped. */
  private static void assertNoThreadLeft(KafkaEventSourceMapping mapping)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Set<String> left = threadsNaming(mapping.uuid());
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      left = threadsNaming(mapping.uuid());
    }
    assertThat(left).as("threads left by the mapping").isEmpty();
    assertThat(mapping.progress().running()).isFalse();
    assertThat(mapping.progress().partitions()).isEmpty();
  }

  private static Set<String> threadsNaming(String part) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.contains(part))
        .collect(Collectors.toSet());
  }
}
