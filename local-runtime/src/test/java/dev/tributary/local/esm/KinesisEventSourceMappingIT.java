package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.dynamodb.LocalClients;
import dev.tributary.local.esm.internal.kinesis.Lanes;
import dev.tributary.local.kinesis.KinesisLocal;
import dev.tributary.local.lambda.LocalLambda;
import dev.tributary.local.testing.Dynalite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.kinesis.coordinator.assignment.LeaseAssignmentManager;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.Messages;

/**
 * The Kinesis event source mapping against kinesis-local (KCL reading, leases on the local DynamoDB
 * endpoint): delivery order and exactly-once delivery with a succeeding function, batching,
 * starting positions, partial failures, retries, bisect, record age, parallelization, resharding,
 * KPL aggregation and a clean close. One Kinesis and one DynamoDB endpoint for the class, a fresh
 * stream and mapping (its own lease table) per test. Skipped when node or kinesis-local is missing.
 */
class KinesisEventSourceMappingIT {
  private static final Path TOOLS = Dynalite.projectRoot().resolve(".tools");
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private static KinesisLocal kinesis;
  private static DynamoDbLocal dynamoDb;
  private static KinesisClient client;

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  @BeforeAll
  static void start() {
    Optional<String> unavailable = KinesisLocal.unavailableReason(TOOLS);
    Assumptions.assumeTrue(
        unavailable.isEmpty(),
        () ->
            "skipping KinesisEventSourceMappingIT: "
                + unavailable.orElse("")
                + " (run scripts/install-tools.sh)");
    kinesis = KinesisLocal.start(TOOLS);
    dynamoDb = DynamoDbLocal.builder().build();
    client = kinesisClient();
  }

  private static KinesisClient kinesisClient() {
    return LocalClients.kinesis(kinesis.endpoint());
  }

  /**
   * KCL 3.5.1's lease assignment manager calls DynamoDB on a static pool of one thread per
   * processor, shared by every KCL worker of the JVM and never shut down; its threads start one by
   * one as needed. Started all at once here, they are not mistaken for threads of one mapping.
   */
  private static void prestartLeaseAssignmentPool() throws ReflectiveOperationException {
    Field pool = LeaseAssignmentManager.class.getDeclaredField("LEASE_ASSIGNMENT_CALL_THREAD_POOL");
    pool.setAccessible(true);
    ((ThreadPoolExecutor) pool.get(null)).prestartAllCoreThreads();
  }

  @AfterAll
  static void stop() {
    try {
      if (client != null) {
        client.close();
      }
      if (dynamoDb != null) {
        dynamoDb.close();
      }
    } finally {
      if (kinesis != null) {
        kinesis.close();
      }
    }
  }

  /** Closes every mapping a test started, latest first, even when the test failed. */
  @AfterEach
  void closeMappings() throws Exception {
    Exception failure = null;
    while (!resources.isEmpty()) {
      try {
        long t0 = System.nanoTime();
        AutoCloseable r = resources.pop();
        r.close();
        System.out.printf("closed %s in %d ms%n", r, (System.nanoTime() - t0) / 1_000_000);
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  // ---- tests

  @Test
  void deliversEveryRecordOnceInOrderPerShard() {
    String stream = newStream(2);
    List<String> keys = List.of("a", "b", "c", "d", "e", "f");
    Map<String, List<String>> sentPerKey = new LinkedHashMap<>();
    List<PutRecordsResultEntry> sent = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String key = keys.get(i % keys.size());
        String text = key + "-" + round + "-" + i;
        sentPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(text);
        entries.add(entry(key, text));
      }
      sent.addAll(client.putRecords(r -> r.streamName(stream).records(entries)).records());
    }
    RecordingFunction function = new RecordingFunction();
    long started = System.nanoTime();
    KinesisEventSourceMapping esm =
        start(stream, MappingSettings.defaults("counter").withBatchSize(25), function);
    awaitTrue("a first batch", () -> !function.invocations().isEmpty());
    System.out.printf(
        "first batch %d ms after start()%n", (System.nanoTime() - started) / 1_000_000);

    awaitTrue("all 120 records delivered", () -> function.deliveredTexts().size() >= 120);
    List<String> delivered = function.deliveredTexts();
    assertThat(delivered).hasSize(120).doesNotHaveDuplicates();
    for (Map.Entry<String, List<String>> e : sentPerKey.entrySet()) {
      assertThat(delivered.stream().filter(t -> t.startsWith(e.getKey() + "-")).toList())
          .as("records of key %s in the order they were put", e.getKey())
          .containsExactlyElementsOf(e.getValue());
    }
    Map<String, List<BigInteger>> perShard = new LinkedHashMap<>();
    for (RecordingFunction.Invocation i : function.invocations()) {
      assertThat(i.records()).hasSizeLessThanOrEqualTo(25);
      assertThat(i.records()).extracting(RecordingFunction::shardOf).containsOnly(i.shardId());
      for (KinesisEvent.KinesisEventRecord r : i.records()) {
        perShard
            .computeIfAbsent(i.shardId(), s -> new ArrayList<>())
            .add(new BigInteger(r.getKinesis().getSequenceNumber()));
      }
    }
    assertThat(perShard).hasSize(2);
    perShard.values().forEach(seqs -> assertThat(seqs).isSorted());
    awaitTrue(
        "the checkpoints reach the last records",
        () ->
            esm.progress().shards().values().stream()
                .allMatch(s -> lastSequenceOf(sent, s.shardId()).equals(s.lastSequenceNumber())));
    KinesisMappingProgress progress = esm.progress();
    assertThat(progress.recordsDelivered()).isEqualTo(120);
    assertThat(progress.recordsDiscarded()).isZero();
    assertThat(progress.functionErrors()).isZero();
    assertThat(progress.invocations()).isEqualTo(function.invocations().size());
    assertThat(progress.batches()).isEqualTo(progress.invocations());
    assertThat(progress.shards().values())
        .allSatisfy(s -> assertThat(s.millisBehindLatest()).isNotNull());
  }

  @Test
  void invokesTheFunctionThroughTheLambdaInvokeApi() throws Exception {
    String stream = newStream(1);
    ObjectMapper json = new ObjectMapper();
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean failedOnce = new AtomicBoolean();
    try (LocalLambda lambda = LocalLambda.start();
        LambdaClient lambdaClient =
            LambdaClient.builder()
                .endpointOverride(lambda.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build()) {
      // a handler as the Lambda Java runtime runs it: KinesisEvent in, StreamsEventResponse out
      lambda.register(
          "coordinator",
          () ->
              payload -> {
                KinesisEvent event =
                    RecordingFunction.EVENTS.fromJson(new ByteArrayInputStream(payload));
                if (!failedOnce.getAndSet(true)) {
                  throw new IllegalStateException("the first invocation fails");
                }
                List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
                for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                  String text = RecordingFunction.text(r);
                  if (text.equals("later") && !seen.contains("later:reported")) {
                    seen.add("later:reported");
                    failures.add(
                        StreamsEventResponse.BatchItemFailure.builder()
                            .withItemIdentifier(r.getKinesis().getSequenceNumber())
                            .build());
                    break;
                  }
                  seen.add(text);
                }
                return json.writeValueAsBytes(
                    StreamsEventResponse.builder().withBatchItemFailures(failures).build());
              });
      client.putRecords(
          r ->
              r.streamName(stream)
                  .records(entry("k", "first"), entry("k", "later"), entry("k", "last")));
      KinesisEventSourceMapping esm =
          start(
              stream,
              MappingSettings.defaults("coordinator"),
              FunctionInvoker.lambda(lambdaClient));

      awaitTrue("every record processed", () -> seen.contains("last"));
      assertThat(seen).containsExactly("first", "later:reported", "later", "last");
      // the unhandled error, the partial failure, the retry from the reported record
      assertThat(lambda.invocations("coordinator")).isEqualTo(3);
      // the function saw "last" before it answered: the mapping counts the batch once the answer
      // is in (a CI run read 0 delivered here)
      awaitTrue("the last batch's answer counted", () -> esm.progress().recordsDelivered() == 3);
      KinesisMappingProgress progress = esm.progress();
      assertThat(progress.functionErrors()).isEqualTo(1);
      assertThat(progress.invocations()).isEqualTo(3);
      assertThat(progress.recordsDelivered()).isEqualTo(3);
      esm.close();
    }
  }

  @Test
  void checkpointsEachShardInTheLeaseTable() {
    String stream = newStream(1);
    List<PutRecordsResultEntry> sent =
        client
            .putRecords(r -> r.streamName(stream).records(entry("k", "one"), entry("k", "two")))
            .records();
    RecordingFunction function = new RecordingFunction();
    KinesisEventSourceMapping esm = start(stream, MappingSettings.defaults("f"), function);
    String last = sent.get(1).sequenceNumber();
    awaitTrue(
        "the lease of " + sent.get(1).shardId() + " checkpointed at " + last,
        () -> last.equals(leaseCheckpoint(esm, sent.get(1).shardId())));
    assertThat(function.deliveredTexts()).containsExactly("one", "two");
  }

  @Test
  void batchSizeCutsTheBacklogIntoBatches() {
    String stream = newStream(1);
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      entries.add(entry("k" + i, "r" + i));
    }
    client.putRecords(r -> r.streamName(stream).records(entries));
    RecordingFunction function = new RecordingFunction();
    start(stream, MappingSettings.defaults("f").withBatchSize(10), function);

    awaitTrue("35 records delivered", () -> function.deliveredTexts().size() >= 35);
    List<RecordingFunction.Invocation> invocations = function.invocations();
    assertThat(invocations).allSatisfy(i -> assertThat(i.records()).hasSizeBetween(1, 10));
    assertThat(invocations.get(0).records()).hasSize(10);
    assertThat(function.deliveredTexts())
        .containsExactlyElementsOf(entries.stream().map(e -> e.data().asUtf8String()).toList());
  }

  @Test
  void theBatchingWindowGathersRecordsOfSeveralReads() {
    String stream = newStream(1);
    RecordingFunction function = new RecordingFunction();
    // long enough to cover putting and polling w2 on a slow machine
    MappingSettings settings = settings("f", 100, Duration.ofSeconds(20), -1, null, false, true, 1);
    KinesisEventSourceMapping esm = start(stream, settings, function);
    awaitTrue("the shard started", () -> !esm.progress().shards().isEmpty());
    for (int i = 0; i < 3; i++) {
      String text = "w" + i;
      client.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes(text)));
      sleep(400); // two polls apart
    }
    awaitTrue("the window closed", () -> !function.invocations().isEmpty());
    assertThat(function.invocations())
        .singleElement()
        .satisfies(i -> assertThat(i.texts()).containsExactly("w0", "w1", "w2"));
  }

  @Test
  void aFullBatchDoesNotWaitForTheWindow() {
    String stream = newStream(1);
    RecordingFunction function = new RecordingFunction();
    // the longest window AWS allows; the test gives up long before it passes
    MappingSettings settings = settings("f", 3, Duration.ofSeconds(300), -1, null, false, true, 1);
    start(stream, settings, function);
    client.putRecords(
        r -> r.streamName(stream).records(entry("k", "a"), entry("k", "b"), entry("k", "c")));
    awaitTrue("a full batch", () -> !function.invocations().isEmpty());
    assertThat(function.invocations().get(0).texts()).containsExactly("a", "b", "c");
  }

  @Test
  void latestStartsWithRecordsWrittenAfterTheMappingStarted() {
    String stream = newStream(1);
    client.putRecords(
        r -> r.streamName(stream).records(entry("k", "before-1"), entry("k", "before-2")));
    RecordingFunction function = new RecordingFunction();
    MappingSettings settings =
        new MappingSettings(
            "f",
            100,
            Duration.ZERO,
            MappingSettings.StartingPosition.LATEST,
            null,
            -1,
            null,
            false,
            true,
            1);
    KinesisEventSourceMapping esm = start(stream, settings, function);
    awaitTrue("the shard started", () -> !esm.progress().shards().isEmpty());
    client.putRecords(
        r -> r.streamName(stream).records(entry("k", "after-1"), entry("k", "after-2")));
    awaitTrue("the new records delivered", () -> function.deliveredTexts().size() >= 2);
    client.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes("after-3")));
    awaitTrue("the last record delivered", () -> function.deliveredTexts().contains("after-3"));
    assertThat(function.deliveredTexts()).containsExactly("after-1", "after-2", "after-3");
  }

  @Test
  void atTimestampStartsWithTheFirstRecordAtOrAfterTheTime() {
    String stream = newStream(1);
    client.putRecords(r -> r.streamName(stream).records(entry("k", "old-1"), entry("k", "old-2")));
    String shardId = client.listShards(r -> r.streamName(stream)).shards().get(0).shardId();
    List<Record> old = readAll(stream, shardId);
    Instant lastOld = old.get(old.size() - 1).approximateArrivalTimestamp();
    Instant from = lastOld.plusMillis(1);
    awaitTrue("the clock passed " + from, () -> Instant.now().isAfter(from.plusMillis(20)));
    client.putRecords(r -> r.streamName(stream).records(entry("k", "new-1"), entry("k", "new-2")));
    List<Record> all = readAll(stream, shardId);
    assertThat(all.get(2).approximateArrivalTimestamp()).isAfterOrEqualTo(from);

    RecordingFunction function = new RecordingFunction();
    MappingSettings settings =
        new MappingSettings(
            "f",
            100,
            Duration.ZERO,
            MappingSettings.StartingPosition.AT_TIMESTAMP,
            from,
            -1,
            null,
            false,
            true,
            1);
    start(stream, settings, function);
    awaitTrue("the records from the time delivered", () -> function.deliveredTexts().size() >= 2);
    client.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes("new-3")));
    awaitTrue("the last record delivered", () -> function.deliveredTexts().contains("new-3"));
    assertThat(function.deliveredTexts()).containsExactly("new-1", "new-2", "new-3");
  }

  @Test
  void aPartialFailureResumesFromTheReportedRecord() {
    String stream = newStream(1);
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      entries.add(entry("k", "p" + i));
    }
    List<PutRecordsResultEntry> sent =
        client.putRecords(r -> r.streamName(stream).records(entries)).records();
    AtomicInteger calls = new AtomicInteger();
    RecordingFunction function =
        new RecordingFunction()
            .answer(
                records ->
                    calls.getAndIncrement() == 0
                        ? RecordingFunction.failFrom(sent.get(4).sequenceNumber())
                        : RecordingFunction.success());
    start(stream, MappingSettings.defaults("f").withBatchSize(10), function);

    awaitTrue("the retry", () -> function.invocations().size() >= 2);
    List<RecordingFunction.Invocation> invocations = function.invocations();
    assertThat(invocations.get(0).texts())
        .containsExactly("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9");
    assertThat(invocations.get(1).texts()).containsExactly("p4", "p5", "p6", "p7", "p8", "p9");
    client.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes("p10")));
    awaitTrue("the next record", () -> function.invocations().size() >= 3);
    assertThat(function.invocations()).hasSize(3);
    assertThat(function.invocations().get(2).texts()).containsExactly("p10");
  }

  @Test
  void anItemIdentifierNotInTheBatchFailsTheWholeBatch() {
    String stream = newStream(1);
    client.putRecords(
        r -> r.streamName(stream).records(entry("k", "u0"), entry("k", "u1"), entry("k", "u2")));
    AtomicInteger calls = new AtomicInteger();
    RecordingFunction function =
        new RecordingFunction()
            .answer(
                records ->
                    calls.getAndIncrement() == 0
                        ? RecordingFunction.failFrom("12345")
                        : RecordingFunction.success());
    start(stream, MappingSettings.defaults("f"), function);
    awaitTrue("the retry", () -> function.invocations().size() >= 2);
    assertThat(function.invocations())
        .extracting(RecordingFunction.Invocation::texts)
        .containsExactly(List.of("u0", "u1", "u2"), List.of("u0", "u1", "u2"));
  }

  @Test
  void aFunctionErrorIsRetriedThenSentToTheOnFailureDestination(@TempDir Path dir)
      throws Exception {
    String stream = newStream(1);
    List<PutRecordsResultEntry> sent =
        client
            .putRecords(
                r ->
                    r.streamName(stream)
                        .records(
                            entry("k", "bad-0"),
                            entry("k", "bad-1"),
                            entry("k", "bad-2"),
                            entry("k", "bad-3")))
            .records();
    RecordingFunction function =
        new RecordingFunction()
            .answer(
                records ->
                    records.stream().anyMatch(r -> RecordingFunction.text(r).startsWith("bad"))
                        ? RecordingFunction.unhandled("boom")
                        : RecordingFunction.success());
    KinesisFailureFile failures = new KinesisFailureFile(dir.resolve("failures/kinesis.jsonl"));
    KinesisEventSourceMapping esm =
        start(
            stream,
            settings("failing", 100, Duration.ZERO, 2, null, false, true, 1),
            function,
            b -> b.onFailure(failures));

    awaitTrue("the on-failure record", () -> !failures.records().isEmpty());
    List<RecordingFunction.Invocation> tries = function.invocations();
    assertThat(tries).hasSize(3); // the first try and two retries
    assertThat(tries)
        .allSatisfy(i -> assertThat(i.texts()).containsExactly("bad-0", "bad-1", "bad-2", "bad-3"));
    KinesisFailureRecord failure = failures.records().get(0);
    assertThat(failure.version()).isEqualTo("1.0");
    assertThat(failure.requestContext().condition()).isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.requestContext().approximateInvokeCount()).isEqualTo(3);
    assertThat(failure.requestContext().functionArn())
        .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:failing");
    assertThat(failure.responseContext().functionError()).isEqualTo("Unhandled");
    assertThat(failure.responseContext().statusCode()).isEqualTo(200);
    KinesisFailureRecord.KinesisBatchInfo info = failure.batchInfo();
    assertThat(info.shardId()).isEqualTo(sent.get(0).shardId());
    assertThat(info.startSequenceNumber()).isEqualTo(sent.get(0).sequenceNumber());
    assertThat(info.endSequenceNumber()).isEqualTo(sent.get(3).sequenceNumber());
    assertThat(info.batchSize()).isEqualTo(4);
    assertThat(info.streamArn()).isEqualTo(esm.streamArn());
    Instant firstArrival =
        tries.get(0).records().get(0).getKinesis().getApproximateArrivalTimestamp().toInstant();
    Instant lastArrival =
        tries.get(0).records().get(3).getKinesis().getApproximateArrivalTimestamp().toInstant();
    assertThat(Instant.parse(info.approximateArrivalOfFirstRecord())).isEqualTo(firstArrival);
    assertThat(Instant.parse(info.approximateArrivalOfLastRecord())).isEqualTo(lastArrival);
    assertThat(info.approximateArrivalOfFirstRecord()).matches(".*T.*\\.\\d{3}Z");

    // the stream moved past the batch
    client.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes("good")));
    awaitTrue("the next record", () -> function.deliveredTexts().contains("good"));
    assertThat(function.invocations()).hasSize(4);
    // the mapping counts a batch once the function's answer is in, after the function saw it
    awaitTrue("the next record's answer counted", () -> esm.progress().recordsDelivered() == 1);
    KinesisMappingProgress progress = esm.progress();
    assertThat(progress.recordsDiscarded()).isEqualTo(4);
    assertThat(progress.recordsDelivered()).isEqualTo(1);
    assertThat(progress.functionErrors()).isEqualTo(3);
    assertThat(progress.invocations()).isEqualTo(4);

    List<String> lines = Files.readAllLines(failures.file());
    assertThat(lines).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(lines.get(0));
    assertThat(json.get("KinesisBatchInfo").get("batchSize").asInt()).isEqualTo(4);
    assertThat(json.get("requestContext").get("condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
  }

  @Test
  void bisectingNarrowsAFailingBatchDownToThePoisonRecord(@TempDir Path dir) {
    String stream = newStream(1);
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      entries.add(entry("k", i == 5 ? "poison" : "r" + i));
    }
    List<PutRecordsResultEntry> sent =
        client.putRecords(r -> r.streamName(stream).records(entries)).records();
    RecordingFunction function =
        new RecordingFunction()
            .answer(
                records ->
                    records.stream().anyMatch(r -> RecordingFunction.text(r).equals("poison"))
                        ? RecordingFunction.unhandled("poison")
                        : RecordingFunction.success());
    KinesisFailureFile failures = new KinesisFailureFile(dir.resolve("f.jsonl"));
    start(
        stream,
        settings("f", 100, Duration.ZERO, 3, null, true, true, 1),
        function,
        b -> b.onFailure(failures));

    awaitTrue("the poison record given up", () -> !failures.records().isEmpty());
    awaitTrue("the rest delivered", () -> function.deliveredTexts().size() >= 7);
    assertThat(function.deliveredTexts()).containsExactly("r0", "r1", "r2", "r3", "r4", "r6", "r7");
    KinesisFailureRecord.KinesisBatchInfo info = failures.records().get(0).batchInfo();
    assertThat(info.batchSize()).isEqualTo(1);
    assertThat(info.startSequenceNumber()).isEqualTo(sent.get(5).sequenceNumber());
    assertThat(info.endSequenceNumber()).isEqualTo(sent.get(5).sequenceNumber());
    assertThat(failures.records()).hasSize(1);
  }

  @Test
  void recordsOlderThanTheMaximumAgeAreGivenUp(@TempDir Path dir) {
    String stream = newStream(1);
    MutableClock clock = new MutableClock();
    client.putRecords(
        r -> r.streamName(stream).records(entry("k", "stale-0"), entry("k", "stale-1")));
    RecordingFunction function =
        new RecordingFunction()
            .answer(
                records -> {
                  if (RecordingFunction.text(records.get(0)).startsWith("stale")) {
                    clock.advance(Duration.ofSeconds(301)); // the downstream is down for a while
                    return RecordingFunction.unhandled("down");
                  }
                  return RecordingFunction.success();
                });
    KinesisFailureFile failures = new KinesisFailureFile(dir.resolve("f.jsonl"));
    KinesisEventSourceMapping esm =
        start(
            stream,
            // real time passes too (clock = system time + offset): the first two tries stay
            // within 600 s for up to 299 s of real time between the put and the retry
            settings("f", 100, Duration.ZERO, -1, Duration.ofSeconds(600), false, true, 1),
            function,
            b -> b.onFailure(failures).clock(clock));

    awaitTrue("the expired batch given up", () -> !failures.records().isEmpty());
    KinesisFailureRecord failure = failures.records().get(0);
    assertThat(failure.requestContext().condition()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.batchInfo().batchSize()).isEqualTo(2);
    // 0 s, 301 s, 602 s: the third try finds the records older than 600 s and does not invoke
    assertThat(function.invocations()).hasSize(2);
    assertThat(failure.requestContext().approximateInvokeCount()).isEqualTo(2);
    assertThat(failure.responseContext().functionError()).isEqualTo("Unhandled");

    clock.reset();
    client.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes("fresh")));
    awaitTrue("the next record", () -> function.deliveredTexts().contains("fresh"));
    assertThat(esm.progress().recordsDiscarded()).isEqualTo(2);
  }

  @Test
  void parallelizationFactorThreeKeepsEachKeyInOrderAndAFailingLaneHoldsOnlyItsKeys()
      throws Exception {
    String stream = newStream(1);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      keys.add("key-" + i);
    }
    String stuck = keys.get(0);
    int stuckLane = Lanes.lane(stuck, 3);
    assertThat(keys.stream().map(k -> Lanes.lane(k, 3)).distinct()).hasSize(3);
    Map<String, List<String>> sentPerKey = new LinkedHashMap<>();
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (String key : keys) {
        String text = key + "/" + round;
        sentPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(text);
        entries.add(entry(key, text));
      }
    }
    client.putRecords(r -> r.streamName(stream).records(entries));

    CountDownLatch twoAtOnce = new CountDownLatch(2);
    AtomicBoolean concurrent = new AtomicBoolean();
    AtomicBoolean released = new AtomicBoolean();
    RecordingFunction function =
        new RecordingFunction()
            .answer(
                records -> {
                  twoAtOnce.countDown();
                  try {
                    if (twoAtOnce.await(30, TimeUnit.SECONDS)) {
                      concurrent.set(true);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  boolean hasStuck =
                      records.stream()
                          .anyMatch(r -> r.getKinesis().getPartitionKey().equals(stuck));
                  return hasStuck && !released.get()
                      ? RecordingFunction.unhandled("the downstream of " + stuck + " is down")
                      : RecordingFunction.success();
                });
    start(stream, settings("parallel", 5, Duration.ZERO, -1, null, false, true, 3), function);

    List<String> otherLanes =
        entries.stream()
            .filter(e -> Lanes.lane(e.partitionKey(), 3) != stuckLane)
            .map(e -> e.data().asUtf8String())
            .toList();
    awaitTrue(
        "the other lanes delivered while " + stuck + "'s lane fails",
        () -> function.deliveredTexts().containsAll(otherLanes));
    assertThat(concurrent).as("two batches of the shard were in the function at once").isTrue();
    assertThat(function.deliveredTexts()).noneMatch(t -> t.startsWith(stuck + "/"));
    released.set(true);
    awaitTrue("every record delivered", () -> function.deliveredTexts().size() >= 240);

    List<String> delivered = function.deliveredTexts();
    assertThat(delivered).hasSize(240).doesNotHaveDuplicates();
    for (Map.Entry<String, List<String>> e : sentPerKey.entrySet()) {
      assertThat(delivered.stream().filter(t -> t.startsWith(e.getKey() + "/")).toList())
          .as("records of %s in order", e.getKey())
          .containsExactlyElementsOf(e.getValue());
    }
    assertThat(function.invocations())
        .allSatisfy(
            i -> {
              assertThat(i.records()).hasSizeLessThanOrEqualTo(5);
              assertThat(
                      i.records().stream()
                          .map(r -> Lanes.lane(r.getKinesis().getPartitionKey(), 3))
                          .distinct())
                  .as("one lane per batch")
                  .hasSize(1);
            });
  }

  @Test
  void aSplitAndAMergeMidRunLoseNothingAndFinishParentsBeforeChildren() {
    String stream = newStream(1);
    List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    Map<String, List<String>> sentPerKey = new LinkedHashMap<>();
    AtomicInteger counter = new AtomicInteger();
    Runnable putRound =
        () -> {
          List<PutRecordsRequestEntry> entries = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            for (String key : keys) {
              String text = key + "/" + counter.getAndIncrement();
              sentPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(text);
              entries.add(entry(key, text));
            }
          }
          client.putRecords(r -> r.streamName(stream).records(entries));
        };
    RecordingFunction function = new RecordingFunction();
    KinesisEventSourceMapping esm =
        start(stream, MappingSettings.defaults("f").withBatchSize(7), function);

    putRound.run();
    Shard parent = client.listShards(r -> r.streamName(stream)).shards().get(0);
    putRound.run();
    client.splitShard(
        r ->
            r.streamName(stream)
                .shardToSplit(parent.shardId())
                .newStartingHashKey(BigInteger.TWO.pow(127).toString()));
    awaitActive(stream);
    putRound.run();
    List<Shard> children =
        client.listShards(r -> r.streamName(stream)).shards().stream()
            .filter(s -> parent.shardId().equals(s.parentShardId()))
            .toList();
    assertThat(children).hasSize(2);
    putRound.run();
    client.mergeShards(
        r ->
            r.streamName(stream)
                .shardToMerge(children.get(0).shardId())
                .adjacentShardToMerge(children.get(1).shardId()));
    awaitActive(stream);
    putRound.run();
    Shard merged =
        client.listShards(r -> r.streamName(stream)).shards().stream()
            .filter(s -> children.get(0).shardId().equals(s.parentShardId()))
            .findFirst()
            .orElseThrow();
    putRound.run();
    int total = counter.get();

    awaitTrue(
        "all " + total + " records delivered", () -> function.deliveredTexts().size() >= total);
    List<String> delivered = function.deliveredTexts();
    assertThat(delivered).hasSize(total).doesNotHaveDuplicates();
    for (Map.Entry<String, List<String>> e : sentPerKey.entrySet()) {
      assertThat(delivered.stream().filter(t -> t.startsWith(e.getKey() + "/")).toList())
          .as("records of %s in order across the parent, children and merged shard", e.getKey())
          .containsExactlyElementsOf(e.getValue());
    }
    Map<String, int[]> orders = new LinkedHashMap<>(); // shard -> first and last invocation
    for (RecordingFunction.Invocation i : function.invocations()) {
      orders.merge(
          i.shardId(),
          new int[] {i.order(), i.order()},
          (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    for (Shard child : children) {
      if (orders.containsKey(child.shardId())) {
        assertThat(orders.get(child.shardId())[0])
            .as("%s starts after its parent finished", child.shardId())
            .isGreaterThan(orders.get(parent.shardId())[1]);
      }
      assertThat(orders.get(merged.shardId())[0])
          .as("the merged shard starts after %s finished", child.shardId())
          .isGreaterThan(orders.getOrDefault(child.shardId(), new int[] {-1, -1})[1]);
    }
    awaitTrue(
        "the parents checkpointed SHARD_END",
        () ->
            "SHARD_END".equals(leaseCheckpoint(esm, parent.shardId()))
                && children.stream()
                    .allMatch(c -> "SHARD_END".equals(leaseCheckpoint(esm, c.shardId()))));
    KinesisMappingProgress progress = esm.progress();
    assertThat(progress.shards().get(parent.shardId()).ended()).isTrue();
    assertThat(progress.shards().get(merged.shardId()).ended()).isFalse();
    assertThat(progress.recordsDelivered()).isEqualTo(total);
  }

  @Test
  void aKplAggregatedRecordArrivesAsOneRecordThatDeaggregatesToTheUserRecords() throws Exception {
    String stream = newStream(1);
    byte[] aggregated = kplAggregate(List.of("user-0", "user-1", "user-2"), List.of("p", "q"));
    PutRecordResponse put =
        client.putRecord(
            r ->
                r.streamName(stream)
                    .partitionKey("outer")
                    .data(SdkBytes.fromByteArray(aggregated)));
    client.putRecord(r -> r.streamName(stream).partitionKey("plain").data(bytes("plain")));
    RecordingFunction function = new RecordingFunction();
    start(stream, MappingSettings.defaults("f"), function);

    awaitTrue("both records delivered", () -> function.deliveredTexts().size() >= 2);
    List<KinesisEvent.KinesisEventRecord> records =
        function.invocations().stream().flatMap(i -> i.records().stream()).toList();
    assertThat(records).hasSize(2);
    KinesisEvent.Record outer = records.get(0).getKinesis();
    assertThat(outer.getSequenceNumber()).isEqualTo(put.sequenceNumber());
    assertThat(outer.getPartitionKey()).isEqualTo("outer");
    byte[] data = new byte[outer.getData().remaining()];
    outer.getData().duplicate().get(data);
    assertThat(data).isEqualTo(aggregated);

    // what the coordinator does with it: KCL's de-aggregator
    List<KinesisClientRecord> users =
        new AggregatorUtil()
            .deaggregate(
                List.of(
                    KinesisClientRecord.builder()
                        .data(outer.getData().duplicate())
                        .partitionKey(outer.getPartitionKey())
                        .sequenceNumber(outer.getSequenceNumber())
                        .approximateArrivalTimestamp(
                            outer.getApproximateArrivalTimestamp().toInstant())
                        .build()));
    assertThat(users)
        .extracting(u -> StandardCharsets.UTF_8.decode(u.data()).toString())
        .containsExactly("user-0", "user-1", "user-2");
    assertThat(users).extracting(KinesisClientRecord::partitionKey).containsExactly("p", "q", "p");
    assertThat(users)
        .extracting(KinesisClientRecord::subSequenceNumber)
        .containsExactly(0L, 1L, 2L);
    assertThat(users).allMatch(KinesisClientRecord::aggregated);
    assertThat(users)
        .extracting(KinesisClientRecord::sequenceNumber)
        .containsOnly(put.sequenceNumber());
    assertThat(RecordingFunction.text(records.get(1))).isEqualTo("plain");
  }

  @Test
  void closeShutsKclDownAndLeavesNoThreads() throws Exception {
    // a first mapping starts the JVM-wide pools every later one shares: KCL's static lease
    // assignment pool, RxJava's and Netty's global schedulers, the test client's SDK scheduler
    runOnce(newStream(1), "warm-up", client);
    String stream = newStream(2);
    prestartLeaseAssignmentPool();
    Set<Thread> before = Thread.getAllStackTraces().keySet();

    KinesisEventSourceMapping esm;
    try (KinesisClient own = kinesisClient()) {
      esm = runOnce(stream, "one", own);
    }
    assertThat(esm.isRunning()).isFalse();
    try {
      awaitTrue("the mapping's threads ended", () -> newThreads(before).isEmpty());
    } catch (AssertionError e) {
      StringBuilder dump = new StringBuilder();
      Thread.getAllStackTraces()
          .forEach(
              (t, stack) -> {
                if (!before.contains(t)) {
                  dump.append(t.getName()).append(t.isDaemon() ? " (daemon)" : "").append('\n');
                  for (StackTraceElement f : stack) {
                    dump.append("  at ").append(f).append('\n');
                  }
                }
              });
      throw new AssertionError(e.getMessage() + "; still running:\n" + dump, e);
    }
    esm.close(); // idempotent
  }

  /** Starts a mapping, waits until it delivered a record, and closes it. */
  private KinesisEventSourceMapping runOnce(String stream, String text, KinesisClient writer) {
    RecordingFunction function = new RecordingFunction();
    KinesisEventSourceMapping esm = start(stream, MappingSettings.defaults("f"), function);
    writer.putRecord(r -> r.streamName(stream).partitionKey("k").data(bytes(text)));
    awaitTrue("a delivery", () -> function.deliveredTexts().contains(text));
    esm.close();
    return esm;
  }

  // ---- helpers

  private KinesisEventSourceMapping start(
      String stream, MappingSettings settings, FunctionInvoker function) {
    return start(stream, settings, function, b -> {});
  }

  private KinesisEventSourceMapping start(
      String stream,
      MappingSettings settings,
      FunctionInvoker function,
      java.util.function.Consumer<KinesisEventSourceMapping.Builder> more) {
    KinesisEventSourceMapping.Builder b =
        KinesisEventSourceMapping.builder()
            .kinesisEndpoint(kinesis.endpoint())
            .dynamoDbEndpoint(dynamoDb.endpoint())
            .streamName(stream)
            .settings(settings)
            .invoker(function);
    more.accept(b);
    long started = System.nanoTime();
    KinesisEventSourceMapping esm = b.start();
    resources.push(esm);
    System.out.printf(
        "mapping %s started in %d ms%n",
        esm.uuid(), Duration.ofNanos(System.nanoTime() - started).toMillis());
    return esm;
  }

  private static String newStream(int shards) {
    String name = "esm-" + UUID.randomUUID().toString().substring(0, 8);
    client.createStream(r -> r.streamName(name).shardCount(shards));
    awaitActive(name);
    return name;
  }

  private static void awaitActive(String stream) {
    KinesisLocal.awaitActive(client, stream, PATIENCE);
  }

  static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting " + PATIENCE.toSeconds() + " s for: " + what);
      }
      sleep(50);
    }
  }

  static <T> T awaitValue(String what, Supplier<T> value) {
    Object[] holder = new Object[1];
    awaitTrue(what, () -> (holder[0] = value.get()) != null);
    @SuppressWarnings("unchecked")
    T t = (T) holder[0];
    return t;
  }

  private static MappingSettings settings(
      String function,
      int batchSize,
      Duration window,
      int retries,
      Duration maxAge,
      boolean bisect,
      boolean reportBatchItemFailures,
      int parallelization) {
    return new MappingSettings(
        function,
        batchSize,
        window,
        MappingSettings.StartingPosition.TRIM_HORIZON,
        null,
        retries,
        maxAge,
        bisect,
        reportBatchItemFailures,
        parallelization);
  }

  /** The lease's checkpoint attribute as KCL wrote it to the lease table. */
  private static String leaseCheckpoint(KinesisEventSourceMapping esm, String shardId) {
    try (DynamoDbClient ddb = LocalClients.client(dynamoDb.endpoint())) {
      Map<String, AttributeValue> item =
          ddb.getItem(
                  b ->
                      b.tableName(esm.leaseTableName())
                          .key(Map.of("leaseKey", AttributeValue.fromS(shardId)))
                          .consistentRead(true))
              .item();
      return item == null || !item.containsKey("checkpoint") ? null : item.get("checkpoint").s();
    }
  }

  private static List<Record> readAll(String stream, String shardId) {
    String iterator =
        client
            .getShardIterator(
                r ->
                    r.streamName(stream)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    return dev.tributary.local.testing.KinesisReads.readFrom(client, iterator);
  }

  private static SdkBytes bytes(String text) {
    return SdkBytes.fromUtf8String(text);
  }

  /** A clock a test moves forward (and back to the system time). */
  static final class MutableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration by) {
      offset = offset.plus(by);
    }

    void reset() {
      offset = Duration.ZERO;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("UTC only");
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }

  /**
   * Threads started since {@code before} that still run, except the JDK's common pool and Netty's
   * global executor (both start threads on demand and end them when idle).
   */
  private static List<String> newThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        .filter(n -> !n.startsWith("ForkJoinPool.commonPool") && !n.equals("Attach Listener"))
        .sorted()
        .toList();
  }

  /** A record as the Kinesis Producer Library aggregates it: magic, protobuf, MD5 of it. */
  static byte[] kplAggregate(List<String> values, List<String> partitionKeys) throws Exception {
    Messages.AggregatedRecord.Builder aggregated = Messages.AggregatedRecord.newBuilder();
    partitionKeys.forEach(aggregated::addPartitionKeyTable);
    for (int i = 0; i < values.size(); i++) {
      aggregated.addRecords(
          Messages.Record.newBuilder()
              .setPartitionKeyIndex(i % partitionKeys.size())
              .setData(ByteString.copyFrom(values.get(i), StandardCharsets.UTF_8)));
    }
    byte[] body = aggregated.build().toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(AggregatorUtil.AGGREGATED_RECORD_MAGIC);
    out.write(body);
    out.write(MessageDigest.getInstance("MD5").digest(body));
    return out.toByteArray();
  }

  private static String lastSequenceOf(List<PutRecordsResultEntry> sent, String shardId) {
    return sent.stream()
        .filter(e -> e.shardId().equals(shardId))
        .map(PutRecordsResultEntry::sequenceNumber)
        .max((a, b) -> new BigInteger(a).compareTo(new BigInteger(b)))
        .orElseThrow();
  }

  private static PutRecordsRequestEntry entry(String partitionKey, String text) {
    return PutRecordsRequestEntry.builder()
        .partitionKey(partitionKey)
        .data(SdkBytes.fromUtf8String(text))
        .build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
