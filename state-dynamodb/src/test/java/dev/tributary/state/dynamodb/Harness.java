package dev.tributary.state.dynamodb;

import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.SinkSpec;
import dev.tributary.internal.exec.ExchangeListener;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.state.dynamodb.internal.TimerIndexCache;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * A keyed stage against the embedded DynamoDB endpoint: starts the endpoint, creates the job's
 * tables, turns source records into keyed records (running the job's stateless prefix), cuts them
 * into per-slot batches, and reads back the outbox and the state.
 */
final class Harness implements AutoCloseable {
  private static final AtomicInteger TABLES = new AtomicInteger();

  final DynamoDbLocal local;
  private final boolean ownsLocal;
  final DynamoDbClient client;
  final StateTables tables;
  final JobGraph graph;
  final int exchange;
  private final Serde<Object> keySerde;

  @SuppressWarnings("unchecked")
  private Harness(JobProvider job, DynamoDbLocal shared) {
    this.graph = JobGraph.of(job);
    this.ownsLocal = shared == null;
    this.local = shared == null ? DynamoDbLocal.builder().build() : shared;
    this.client = client(local.endpoint(), null, true);
    this.tables = StateTables.withPrefix("t" + TABLES.incrementAndGet());
    tables.createIfMissing(client);
    GraphNode keyBy = graph.exchanges().get(0);
    this.exchange = keyBy.id();
    this.keySerde = (Serde<Object>) ((KeyBySpec) keyBy.spec()).keySerde();
  }

  /** A harness with its own endpoint. */
  static Harness start(JobProvider job) {
    return new Harness(job, null);
  }

  /** A harness with fresh tables on a shared endpoint (closing it leaves the endpoint running). */
  static Harness on(DynamoDbLocal local, JobProvider job) {
    return new Harness(job, local);
  }

  /**
   * A client for {@code endpoint}, with {@code interceptor} (or none), without the SDK's retries
   * when {@code sdkRetries} is false (then every fault reaches the runner). Its socket and attempt
   * timeouts (60 s) outlast a stalled endpoint on a loaded machine, so a timeout neither adds a
   * retry the tests count nor repeats a non-idempotent write.
   */
  static DynamoDbClient client(
      URI endpoint,
      software.amazon.awssdk.core.interceptor.ExecutionInterceptor interceptor,
      boolean sdkRetries) {
    ClientOverrideConfiguration.Builder config =
        ClientOverrideConfiguration.builder().apiCallAttemptTimeout(Duration.ofSeconds(60));
    if (interceptor != null) {
      config.addExecutionInterceptor(interceptor);
    }
    if (!sdkRetries) {
      config.retryStrategy(b -> b.maxAttempts(1));
    }
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        // the Apache client sends headers and body in one write; the URL-connection client's two
        // writes wait for a delayed ACK on loopback (about 1.3 ms a call)
        .httpClient(
            ApacheHttpClient.builder()
                .socketTimeout(Duration.ofSeconds(60))
                .maxConnections(16)
                .build())
        .overrideConfiguration(config.build())
        .build();
  }

  KeyedStageRunner runner() {
    return new KeyedStageRunner(client, tables, graph, 50, 8, Duration.ofMillis(2));
  }

  /**
   * A client of this harness's endpoint with {@code interceptor} and the SDK's retries on or off.
   */
  DynamoDbClient client(
      software.amazon.awssdk.core.interceptor.ExecutionInterceptor interceptor,
      boolean sdkRetries) {
    return client(local.endpoint(), interceptor, sdkRetries);
  }

  KeyedStageRunner runner(DynamoDbClient other) {
    return new KeyedStageRunner(other, tables, graph, 50, 8, Duration.ofMillis(2));
  }

  /**
   * Runs {@code batch} with a client that, just before its {@code n}-th request matching {@code
   * when}, runs {@code other} (once, on the same thread: another split's work on the harness's own
   * client); checks that {@code other} ran and returns the batch's report.
   */
  RunReport runWithOtherBefore(
      Batch batch, java.util.function.Predicate<SdkRequest> when, int n, Runnable other) {
    int[] seen = {0};
    DynamoDbClient interrupted =
        client(
            new ExecutionInterceptor() {
              @Override
              public void beforeExecution(
                  Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (when.test(context.request()) && ++seen[0] == n) {
                  other.run();
                }
              }
            },
            false);
    try (interrupted) {
      RunReport report = runner(interrupted).run(batch);
      if (seen[0] < n) {
        throw new AssertionError(
            "the other work never ran: " + seen[0] + " matching requests, not " + n);
      }
      return report;
    }
  }

  /**
   * Runs {@code batch} with a client whose invocation dies (a {@link Calls.Crash}) right after its
   * {@code n}-th commit; checks that it died there.
   */
  void crashAfterCommit(Batch batch, int n) {
    org.assertj.core.api.Assertions.assertThat(crashesAfterCommit(batch, n))
        .as("the run died after commit %d", n)
        .isTrue();
  }

  /**
   * Runs {@code batch} with a client whose invocation dies right after its {@code n}-th commit;
   * whether it died (false: the run committed fewer times and ended).
   */
  boolean crashesAfterCommit(Batch batch, int n) {
    int[] commits = {0};
    ExecutionInterceptor crash =
        new ExecutionInterceptor() {
          @Override
          public void afterExecution(
              Context.AfterExecution context, ExecutionAttributes attributes) {
            if (context.request()
                    instanceof
                    software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest
                && ++commits[0] == n) {
              throw new Calls.Crash("crashed after commit " + n);
            }
          }
        };
    try (DynamoDbClient crashing = client(crash, true)) {
      runner(crashing).run(batch);
      return false;
    } catch (Calls.Crash e) {
      return true;
    }
  }

  /**
   * Gives operator {@code uid}'s timer item of slot 0 of 1 the floor {@code floor} over every key
   * group (as after a slot-count change from a count that fired that far), with the next version.
   */
  void setFloors(String uid, long floor) {
    List<AttributeValue> kf =
        List.of(0L, (long) graph.maxKeyGroups() - 1, floor).stream()
            .map(n -> AttributeValue.fromN(Long.toString(n)))
            .toList();
    client.updateItem(
        u ->
            u.tableName(tables.state())
                .key(
                    Map.of(
                        StateTables.PK,
                        AttributeValue.fromS(
                            dev.tributary.state.dynamodb.internal.Layout.firedPk(uid)),
                        StateTables.SK,
                        AttributeValue.fromS(
                            dev.tributary.state.dynamodb.internal.Layout.slotSk(1, 0))))
                .updateExpression("SET kf = :kf, v = v + :one")
                .expressionAttributeValues(
                    Map.of(":kf", AttributeValue.fromL(kf), ":one", AttributeValue.fromN("1"))));
  }

  /**
   * Runs the stateless prefix over source records {@code values}, the first at offset {@code
   * firstOffset}: the keyed records, positioned (offset, index within the source record).
   */
  List<KeyedRecord> keyed(String source, List<?> values, long firstOffset) {
    List<KeyedRecord> out = new ArrayList<>();
    long[] offset = {firstOffset};
    int[] sub = {0};
    try (JobExecutor prefix =
        new JobExecutor(graph, new InMemoryStateBackend(), () -> 0L, (s, v, t) -> {})) {
      prefix.setExchangeListener(
          new ExchangeListener() {
            @Override
            public void onKeyedRecord(int exchangeId, Object key, Object value, long timestamp) {
              out.add(
                  new KeyedRecord(
                      exchangeId, key, value, timestamp, Position.of(offset[0], sub[0]++)));
            }
          });
      for (Object value : values) {
        sub[0] = 0;
        prefix.process(source, value, Long.MIN_VALUE);
        offset[0]++;
      }
    }
    return out;
  }

  int slotOf(Object key, int slots) {
    int keyGroup = KeyGroups.keyGroupOf(keySerde.serialize(key), graph.maxKeyGroups());
    return KeyGroups.slotOf(keyGroup, graph.maxKeyGroups(), slots);
  }

  /** One batch per slot holding that slot's records (slots without records get none). */
  List<Batch> batches(
      String split, int slots, List<KeyedRecord> records, long watermark, long processingTime) {
    return batches(split, slots, records, watermark, processingTime, Long.MIN_VALUE);
  }

  /** The same, each batch's records judged against {@code inputWatermark} too. */
  List<Batch> batches(
      String split,
      int slots,
      List<KeyedRecord> records,
      long watermark,
      long processingTime,
      long inputWatermark) {
    Map<Integer, List<KeyedRecord>> bySlot = new HashMap<>();
    for (KeyedRecord r : records) {
      bySlot.computeIfAbsent(slotOf(r.key(), slots), s -> new ArrayList<>()).add(r);
    }
    List<Batch> out = new ArrayList<>();
    for (int slot = 0; slot < slots; slot++) {
      out.add(
          new Batch(
              split,
              slot,
              slots,
              bySlot.getOrDefault(slot, List.of()),
              watermark,
              processingTime,
              inputWatermark));
    }
    return out;
  }

  /**
   * What the mapping delivers again after a run of {@code batch} answered {@code committedThrough}
   * (the coordinator answers the first record after it as the first failure): the batch's records
   * after that position, empty when none is left.
   */
  static Batch rest(Batch batch, Position committedThrough) {
    List<KeyedRecord> rest = new ArrayList<>();
    for (KeyedRecord r : batch.records()) {
      if (r.position().compareTo(committedThrough) > 0) {
        rest.add(r);
      }
    }
    return new Batch(
        batch.split(),
        batch.slot(),
        batch.slots(),
        rest,
        batch.watermark(),
        batch.processingTime(),
        batch.inputWatermark());
  }

  /** Runs every batch with a fresh runner; returns the reports. */
  List<RunReport> runAll(List<Batch> batches) {
    List<RunReport> reports = new ArrayList<>();
    for (Batch b : batches) {
      reports.add(runner().run(b));
    }
    return reports;
  }

  /** Every sink record committed to the outbox as UTF-8 text of its bytes. */
  List<String> outboxText(String sink) {
    List<String> out = new ArrayList<>();
    for (byte[] bytes : outboxBytes(sink)) {
      out.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Every sink record committed to the outbox, per stream in commit order, decoded. */
  @SuppressWarnings("unchecked")
  <T> List<T> outbox(String sink) {
    Serde<Object> serde = null;
    for (GraphNode node : graph.sinks()) {
      SinkSpec spec = (SinkSpec) node.spec();
      if (spec.sinkName().equals(sink)) {
        serde = (Serde<Object>) spec.serde();
      }
    }
    List<T> out = new ArrayList<>();
    for (byte[] bytes : outboxBytes(sink)) {
      out.add((T) serde.deserialize(bytes));
    }
    return out;
  }

  /** Every item of {@code table}, read with strongly consistent scans page by page. */
  List<Map<String, AttributeValue>> scanAll(String table) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> exclusive = start;
      ScanResponse page =
          client.scan(b -> b.tableName(table).consistentRead(true).exclusiveStartKey(exclusive));
      items.addAll(page.items());
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return items;
  }

  /**
   * Puts an item of the state table that is its key alone (a timer index item, by hand: no commit
   * moves the timer item's version, so the process's timer index cache is cleared, as in a process
   * that has not read the index).
   */
  void putKeyOnly(String pk, String sk) {
    TimerIndexCache.SHARED.clear();
    client.putItem(
        b ->
            b.tableName(tables.state())
                .item(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk))));
  }

  private List<byte[]> outboxBytes(String sink) {
    List<Map<String, AttributeValue>> items = scanAll(tables.outbox());
    items.sort(
        Comparator.comparing((Map<String, AttributeValue> i) -> i.get("pk").s())
            .thenComparing(i -> i.get("sk").s()));
    List<byte[]> out = new ArrayList<>();
    for (Map<String, AttributeValue> item : items) {
      for (AttributeValue record : item.get("r").l()) {
        if (record.m().get("s").s().equals(sink)) {
          out.add(record.m().get("v").b().asByteArray());
        }
      }
    }
    return out;
  }

  /** The serialized form of a key of the stage's key-by. */
  byte[] keyBytes(Object key) {
    return keySerde.serialize(key);
  }

  /** The key group of a key of the stage's key-by. */
  int keyGroup(Object key) {
    return KeyGroups.keyGroupOf(keySerde.serialize(key), graph.maxKeyGroups());
  }

  /** How many items the state table holds for {@code key} of operator {@code uid}. */
  int itemsOfKey(String uid, Object key) {
    byte[] bytes = keySerde.serialize(key);
    String pk =
        dev.tributary.state.dynamodb.internal.Layout.keyPk(
            uid, KeyGroups.keyGroupOf(bytes, graph.maxKeyGroups()), bytes);
    int count = 0;
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> exclusive = start;
      var page =
          client.query(
              b ->
                  b.tableName(tables.state())
                      .keyConditionExpression("pk = :pk")
                      .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk)))
                      .exclusiveStartKey(exclusive));
      count += page.count();
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    return count;
  }

  QueryableState state() {
    return new QueryableState(client, tables, graph);
  }

  /** The committed checkpoint of (split, slot): position and epoch, or null. */
  Map<String, AttributeValue> checkpoint(String split, int slots, int slot) {
    var response =
        client.getItem(
            b ->
                b.tableName(tables.state())
                    .consistentRead(true)
                    .key(
                        Map.of(
                            "pk", AttributeValue.fromS("C#" + graph.jobName() + "#" + split),
                            "sk", AttributeValue.fromS(slots + "#" + slot))));
    return response.hasItem() && !response.item().isEmpty() ? response.item() : null;
  }

  @Override
  public void close() {
    client.close();
    if (ownsLocal) {
      local.close();
    }
  }
}
