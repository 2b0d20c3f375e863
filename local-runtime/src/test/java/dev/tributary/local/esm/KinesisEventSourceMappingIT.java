package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.kinesis.KinesisLocal;
import dev.tributary.local.testing.Dynalite;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

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
    client =
        KinesisClient.builder()
            .endpointOverride(kinesis.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.builder().build())
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .apiCallAttemptTimeout(Duration.ofSeconds(10))
                    .build())
            .build();
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
        resources.pop().close();
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
    KinesisEventSourceMapping esm =
        start(stream, MappingSettings.defaults("counter").withBatchSize(25), function);

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
    awaitTrue(
        stream + " ACTIVE",
        () ->
            client
                    .describeStreamSummary(r -> r.streamName(stream))
                    .streamDescriptionSummary()
                    .streamStatus()
                == StreamStatus.ACTIVE);
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
