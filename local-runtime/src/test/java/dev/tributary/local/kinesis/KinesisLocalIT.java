package dev.tributary.local.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.local.dynamodb.LocalClients;
import dev.tributary.local.testing.Dynalite;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * {@link KinesisLocal} with the AWS SDK v2 {@code KinesisClient}: lifecycle (startup time, loopback
 * only, stop by pid), records and every iterator type, partition-key routing, split and merge with
 * shard lineage, and CBOR on and off. One server for the class (plus one started and stopped by the
 * lifecycle test), a fresh small stream per test. Skipped when node or the package is missing.
 *
 * <p>Startup measured on the build machine (Node.js 20, kinesis-local 0.6.2): 1.5 to 3 s from
 * launching node to the first 200 of /healthcheck (the 8.9 MB Scala.js bundle is parsed first);
 * printed by {@link #startsOnLoopbackOnlyAndStopsByPid()}.
 */
class KinesisLocalIT {
  private static final Path TOOLS = Dynalite.projectRoot().resolve(".tools");
  private static final String SHARD_END_SENTINEL = String.valueOf(Long.MAX_VALUE);
  private static final BigInteger MAX_HASH = BigInteger.TWO.pow(128).subtract(BigInteger.ONE);

  private static KinesisLocal kinesis;
  private static KinesisClient client;

  @BeforeAll
  static void start() {
    Optional<String> unavailable = KinesisLocal.unavailableReason(TOOLS);
    Assumptions.assumeTrue(
        unavailable.isEmpty(),
        () -> "skipping KinesisLocalIT: " + unavailable.orElse("") + " (npm missing?)");
    kinesis = KinesisLocal.start(TOOLS);
    client = client(kinesis);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (kinesis != null) {
      kinesis.close();
    }
  }

  static KinesisClient client(KinesisLocal local) {
    return LocalClients.kinesis(local.endpoint());
  }

  static KinesisClient client(KinesisLocal local, List<ExecutionInterceptor> interceptors) {
    return LocalClients.kinesis(local.endpoint(), interceptors);
  }

  @Test
  void startsOnLoopbackOnlyAndStopsByPid() throws Exception {
    KinesisLocal local = KinesisLocal.start(TOOLS);
    long pid = local.pid();
    try {
      System.out.println("kinesis-local startup: " + local.startupTime().toMillis() + " ms");
      assertThat(local.startupTime()).isLessThan(Duration.ofSeconds(30));
      assertThat(local.endpoint().toString()).isEqualTo("http://127.0.0.1:" + local.port());
      assertThat(local.packageDir())
          .isEqualTo(TOOLS.resolve("node/node_modules/kinesis-local").toAbsolutePath().normalize());
      assertThat(ProcessHandle.of(pid)).get().matches(ProcessHandle::isAlive);
      assertThat(accepts(InetAddress.getLoopbackAddress(), local.port())).isTrue();
      assertThat(accepts(InetAddress.getLoopbackAddress(), local.tlsPort())).isTrue();
      for (InetAddress other : nonLoopbackAddresses()) {
        assertThat(accepts(other, local.port())).as("plain port on %s", other).isFalse();
        assertThat(accepts(other, local.tlsPort())).as("TLS port on %s", other).isFalse();
      }
      try (KinesisClient own = client(local)) {
        assertThat(own.listStreams().streamNames()).isEmpty();
      }
    } finally {
      local.close();
    }
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(local.isAlive()).isFalse();
    assertThat(accepts(InetAddress.getLoopbackAddress(), local.port())).isFalse();
    local.close(); // idempotent
  }

  @Test
  void closeStopsTheProcessAlsoWhenTheThreadIsInterrupted() {
    KinesisLocal local = KinesisLocal.start(TOOLS);
    long pid = local.pid();
    Thread.currentThread().interrupt();
    try {
      local.close();
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  @Test
  void theShutdownHookStopsTheProcessWhenTheJvmIsTerminated() throws Exception {
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    Process jvm =
        new ProcessBuilder(
                javaCommand,
                "-cp",
                System.getProperty("java.class.path"),
                HoldOpen.class.getName(),
                TOOLS.toString())
            .redirectErrorStream(true)
            .start();
    long nodePid;
    try (var out =
        new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("the child JVM's first line").startsWith("pid ");
      nodePid = Long.parseLong(line.substring(4).trim());
      assertThat(ProcessHandle.of(nodePid)).get().matches(ProcessHandle::isAlive);
      jvm.destroy(); // SIGTERM: the JVM runs its shutdown hooks
      assertThat(jvm.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      jvm.destroyForcibly();
    }
    assertThat(ProcessHandle.of(nodePid).filter(ProcessHandle::isAlive)).isEmpty();
  }

  /** Started in a child JVM: starts kinesis-local, prints its pid, waits to be terminated. */
  public static final class HoldOpen {
    private HoldOpen() {}

    /** Starts kinesis-local from the tools directory in {@code args[0]} and never closes it. */
    public static void main(String[] args) throws InterruptedException {
      KinesisLocal local = KinesisLocal.start(Path.of(args[0]));
      System.out.println("pid " + local.pid());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void aMissingPackageIsNamedWithTheFix() {
    Path nowhere = Path.of("/nonexistent/tools");
    assertThat(KinesisLocal.unavailableReason(nowhere))
        .get(InstanceOfAssertFactories.STRING)
        .satisfiesAnyOf(
            reason -> assertThat(reason).contains("scripts/install-tools.sh", "/nonexistent"),
            reason -> assertThat(reason).contains("node is not on the PATH"));
    assertThatThrownBy(() -> KinesisLocal.start(nowhere))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/nonexistent/tools")
        .hasMessageContaining("run scripts/install-tools.sh");
  }

  @Test
  void putRecordsAndReadWithEveryIteratorType() throws Exception {
    String stream = newStream(1);
    String shardId = client.listShards(r -> r.streamName(stream)).shards().get(0).shardId();

    List<PutRecordResponse> first = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      first.add(
          client.putRecord(
              r -> r.streamName(stream).partitionKey("key-" + n).data(bytes("first-" + n))));
    }
    assertThat(first).allSatisfy(r -> assertThat(r.shardId()).isEqualTo(shardId));
    assertThat(first.stream().map(r -> new BigInteger(r.sequenceNumber())).toList())
        .isSorted()
        .doesNotHaveDuplicates();

    Thread.sleep(20); // AT_TIMESTAMP needs a later arrival time than the first batch
    PutRecordsResponse second =
        client.putRecords(
            r ->
                r.streamName(stream)
                    .records(
                        entry("p-a", "second-0"),
                        entry("p-b", "second-1"),
                        entry("p-c", "second-2")));
    assertThat(second.failedRecordCount()).isZero();
    assertThat(second.records()).extracting(PutRecordsResultEntry::shardId).containsOnly(shardId);

    List<Record> all = readAll(stream, shardId, ShardIteratorType.TRIM_HORIZON, null, null);
    assertThat(all)
        .extracting(KinesisLocalIT::text)
        .containsExactly("first-0", "first-1", "first-2", "second-0", "second-1", "second-2");
    assertThat(all)
        .extracting(Record::partitionKey)
        .containsExactly("key-0", "key-1", "key-2", "p-a", "p-b", "p-c");
    assertThat(all.get(1).sequenceNumber()).isEqualTo(first.get(1).sequenceNumber());
    assertThat(all).allSatisfy(r -> assertThat(r.approximateArrivalTimestamp()).isNotNull());

    String atSecond = first.get(1).sequenceNumber();
    assertThat(readAll(stream, shardId, ShardIteratorType.AT_SEQUENCE_NUMBER, atSecond, null))
        .extracting(KinesisLocalIT::text)
        .containsExactly("first-1", "first-2", "second-0", "second-1", "second-2");
    assertThat(readAll(stream, shardId, ShardIteratorType.AFTER_SEQUENCE_NUMBER, atSecond, null))
        .extracting(KinesisLocalIT::text)
        .containsExactly("first-2", "second-0", "second-1", "second-2");

    Instant secondBatch = all.get(3).approximateArrivalTimestamp();
    assertThat(secondBatch).isAfter(all.get(2).approximateArrivalTimestamp());
    assertThat(readAll(stream, shardId, ShardIteratorType.AT_TIMESTAMP, null, secondBatch))
        .extracting(KinesisLocalIT::text)
        .containsExactly("second-0", "second-1", "second-2");

    String latest =
        client
            .getShardIterator(
                r ->
                    r.streamName(stream)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.LATEST))
            .shardIterator();
    GetRecordsResponse nothingYet = client.getRecords(r -> r.shardIterator(latest));
    assertThat(nothingYet.records()).isEmpty();
    assertThat(nothingYet.millisBehindLatest()).isZero();
    client.putRecord(r -> r.streamName(stream).partitionKey("late").data(bytes("after-latest")));
    GetRecordsResponse afterLatest =
        client.getRecords(r -> r.shardIterator(nothingYet.nextShardIterator()));
    assertThat(afterLatest.records())
        .extracting(KinesisLocalIT::text)
        .containsExactly("after-latest");

    StreamDescriptionSummary summary =
        client.describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary();
    assertThat(summary.streamName()).isEqualTo(stream);
    assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(summary.openShardCount()).isEqualTo(1);
    assertThat(summary.retentionPeriodHours()).isEqualTo(24);
    assertThat(summary.streamARN())
        .isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/" + stream);
  }

  @Test
  void partitionKeysAndExplicitHashKeysRouteByMd5HashRange() {
    String stream = newStream(3);
    List<Shard> shards = client.listShards(r -> r.streamName(stream)).shards();
    assertThat(shards).hasSize(3);
    assertThat(new BigInteger(shards.get(0).hashKeyRange().startingHashKey())).isZero();
    assertThat(new BigInteger(shards.get(2).hashKeyRange().endingHashKey())).isEqualTo(MAX_HASH);

    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      entries.add(entry("user-" + i, "v" + i));
    }
    entries.add(
        PutRecordsRequestEntry.builder()
            .partitionKey("ignored-for-routing")
            .explicitHashKey(MAX_HASH.toString())
            .data(bytes("explicit"))
            .build());
    PutRecordsResponse put = client.putRecords(r -> r.streamName(stream).records(entries));
    assertThat(put.failedRecordCount()).isZero();
    for (int i = 0; i < entries.size(); i++) {
      PutRecordsRequestEntry sent = entries.get(i);
      BigInteger hash =
          sent.explicitHashKey() != null
              ? new BigInteger(sent.explicitHashKey())
              : md5(sent.partitionKey());
      assertThat(put.records().get(i).shardId())
          .as("shard of %s", sent.partitionKey())
          .isEqualTo(owner(shards, hash).shardId());
    }
    Map<String, Long> perShard =
        put.records().stream()
            .collect(Collectors.groupingBy(PutRecordsResultEntry::shardId, Collectors.counting()));
    for (Shard shard : shards) {
      List<Record> stored =
          readAll(stream, shard.shardId(), ShardIteratorType.TRIM_HORIZON, null, null);
      assertThat((long) stored.size()).isEqualTo(perShard.getOrDefault(shard.shardId(), 0L));
    }
  }

  @Test
  void splitAndMergeKeepShardLineage() throws Exception {
    String stream = newStream(1);
    Shard parent = client.listShards(r -> r.streamName(stream)).shards().get(0);
    assertThat(parent.sequenceNumberRange().endingSequenceNumber()).isNull();
    PutRecordResponse beforeSplit =
        client.putRecord(r -> r.streamName(stream).partitionKey("a").data(bytes("before-split")));

    BigInteger middle = MAX_HASH.add(BigInteger.ONE).shiftRight(1);
    client.splitShard(
        r ->
            r.streamName(stream)
                .shardToSplit(parent.shardId())
                .newStartingHashKey(middle.toString()));
    awaitActive(stream);

    Map<String, Shard> afterSplit = shardsById(stream);
    assertThat(afterSplit).hasSize(3);
    Shard closedParent = afterSplit.get(parent.shardId());
    String parentEnd = closedParent.sequenceNumberRange().endingSequenceNumber();
    assertThat(parentEnd).as("the parent's range ends at the split").isNotNull();
    // AWS ends the range with a real sequence number (>= the shard's last record); kinesis-mock
    // 0.6.2 writes the sentinel 2^63-1 (SequenceNumber.shardEnd), smaller than any real one.
    // "closed" (an ending number is present) is all KCL looks at.
    assertThat(parentEnd).isEqualTo(SHARD_END_SENTINEL);
    assertThat(closedParent.parentShardId()).isNull();
    List<Shard> children =
        afterSplit.values().stream()
            .filter(s -> !s.shardId().equals(parent.shardId()))
            .sorted(
                (a, b) ->
                    new BigInteger(a.hashKeyRange().startingHashKey())
                        .compareTo(new BigInteger(b.hashKeyRange().startingHashKey())))
            .toList();
    assertThat(children)
        .allSatisfy(
            c -> {
              assertThat(c.parentShardId()).isEqualTo(parent.shardId());
              assertThat(c.adjacentParentShardId()).isNull();
              assertThat(c.sequenceNumberRange().endingSequenceNumber()).isNull();
              assertThat(c.sequenceNumberRange().startingSequenceNumber()).isNotNull();
            });
    assertThat(children.get(0).hashKeyRange().startingHashKey()).isEqualTo("0");
    assertThat(new BigInteger(children.get(0).hashKeyRange().endingHashKey()))
        .isEqualTo(middle.subtract(BigInteger.ONE));
    assertThat(children.get(1).hashKeyRange().startingHashKey()).isEqualTo(middle.toString());
    assertThat(new BigInteger(children.get(1).hashKeyRange().endingHashKey())).isEqualTo(MAX_HASH);
    assertThat(
            client
                .listShards(
                    r -> r.streamName(stream).shardFilter(f -> f.type(ShardFilterType.AT_LATEST)))
                .shards())
        .extracting(Shard::shardId)
        .containsExactlyInAnyOrderElementsOf(children.stream().map(Shard::shardId).toList());

    // the closed parent's records end with the split; its last GetRecords names the children
    GetRecordsResponse parentEndPage = lastPage(stream, parent.shardId());
    assertThat(parentEndPage.nextShardIterator()).as("a closed shard's iterator ends").isNull();
    assertThat(parentEndPage.childShards())
        .extracting(ChildShard::shardId)
        .containsExactlyInAnyOrderElementsOf(children.stream().map(Shard::shardId).toList());
    assertThat(parentEndPage.childShards())
        .allSatisfy(c -> assertThat(c.parentShards()).containsExactly(parent.shardId()));

    PutRecordResponse toLow =
        client.putRecord(
            r ->
                r.streamName(stream)
                    .partitionKey("x")
                    .explicitHashKey("1")
                    .data(bytes("after-split")));
    assertThat(toLow.shardId()).isEqualTo(children.get(0).shardId());

    client.mergeShards(
        r ->
            r.streamName(stream)
                .shardToMerge(children.get(0).shardId())
                .adjacentShardToMerge(children.get(1).shardId()));
    awaitActive(stream);

    Map<String, Shard> afterMerge = shardsById(stream);
    assertThat(afterMerge).hasSize(4);
    Shard merged =
        afterMerge.values().stream()
            .filter(s -> !afterSplit.containsKey(s.shardId()))
            .findFirst()
            .orElseThrow();
    assertThat(merged.parentShardId()).isEqualTo(children.get(0).shardId());
    assertThat(merged.adjacentParentShardId()).isEqualTo(children.get(1).shardId());
    assertThat(merged.hashKeyRange().startingHashKey()).isEqualTo("0");
    assertThat(new BigInteger(merged.hashKeyRange().endingHashKey())).isEqualTo(MAX_HASH);
    assertThat(merged.sequenceNumberRange().endingSequenceNumber()).isNull();
    for (Shard child : children) {
      String end = afterMerge.get(child.shardId()).sequenceNumberRange().endingSequenceNumber();
      assertThat(end).as("%s ends at the merge", child.shardId()).isEqualTo(SHARD_END_SENTINEL);
    }
    // sequence numbers order records within a shard only; across shards they do not compare
    assertThat(merged.sequenceNumberRange().startingSequenceNumber()).isNotNull();
    assertThat(lastPage(stream, children.get(0).shardId()).childShards())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.shardId()).isEqualTo(merged.shardId());
              assertThat(c.parentShards())
                  .containsExactlyInAnyOrder(children.get(0).shardId(), children.get(1).shardId());
            });
    assertThat(
            readAll(stream, children.get(0).shardId(), ShardIteratorType.TRIM_HORIZON, null, null))
        .extracting(KinesisLocalIT::text)
        .containsExactly("after-split");
    List<Record> parentRecords =
        readAll(stream, parent.shardId(), ShardIteratorType.TRIM_HORIZON, null, null);
    assertThat(parentRecords).extracting(KinesisLocalIT::text).containsExactly("before-split");
    assertThat(parentRecords.get(0).sequenceNumber()).isEqualTo(beforeSplit.sequenceNumber());

    StreamDescriptionSummary summary =
        client.describeStreamSummary(r -> r.streamName(stream)).streamDescriptionSummary();
    assertThat(summary.openShardCount()).isEqualTo(1);
    assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void cborAndJsonClientsBothWork() throws Exception {
    String stream = newStream(1);
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    List<String> cborTypes = Collections.synchronizedList(new ArrayList<>());
    List<String> jsonTypes = Collections.synchronizedList(new ArrayList<>());
    KinesisClient cbor = client(kinesis, List.of(contentTypes(cborTypes)));
    KinesisClient json;
    String before = System.getProperty("aws.cborEnabled");
    System.setProperty("aws.cborEnabled", "false"); // read when a client is built
    try {
      json = client(kinesis, List.of(contentTypes(jsonTypes)));
    } finally {
      if (before == null) {
        System.clearProperty("aws.cborEnabled");
      } else {
        System.setProperty("aws.cborEnabled", before);
      }
    }
    try (cbor;
        json) {
      cbor.putRecord(
          r -> r.streamName(stream).partitionKey("cbor").data(SdkBytes.fromByteArray(binary)));
      json.putRecord(
          r -> r.streamName(stream).partitionKey("json").data(SdkBytes.fromByteArray(binary)));
      String shardId = client.listShards(r -> r.streamName(stream)).shards().get(0).shardId();
      for (KinesisClient reader : List.of(cbor, json)) {
        String iterator =
            reader
                .getShardIterator(
                    r ->
                        r.streamName(stream)
                            .shardId(shardId)
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .shardIterator();
        List<Record> records = reader.getRecords(r -> r.shardIterator(iterator)).records();
        assertThat(records).extracting(Record::partitionKey).containsExactly("cbor", "json");
        assertThat(records)
            .allSatisfy(
                r -> {
                  assertThat(r.data().asByteArray()).isEqualTo(binary);
                  assertThat(r.approximateArrivalTimestamp())
                      .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
                });
      }
      assertThatThrownBy(() -> json.describeStreamSummary(r -> r.streamName("no-such-stream")))
          .isInstanceOf(ResourceNotFoundException.class);
      assertThatThrownBy(() -> cbor.describeStreamSummary(r -> r.streamName("no-such-stream")))
          .isInstanceOf(ResourceNotFoundException.class);
    }
    // the default client really spoke CBOR both ways, the other JSON
    assertThat(cborTypes)
        .isNotEmpty()
        .allMatch(t -> t.equals("application/x-amz-cbor-1.1 -> application/x-amz-cbor-1.1"));
    assertThat(jsonTypes)
        .isNotEmpty()
        .allMatch(t -> t.equals("application/x-amz-json-1.1 -> application/x-amz-json-1.1"));
  }

  /** Records "request Content-Type -> response Content-Type" of every call. */
  private static ExecutionInterceptor contentTypes(List<String> seen) {
    return new ExecutionInterceptor() {
      @Override
      public void afterTransmission(
          Context.AfterTransmission context, ExecutionAttributes attributes) {
        seen.add(
            context.httpRequest().firstMatchingHeader("Content-Type").orElse("none")
                + " -> "
                + context.httpResponse().firstMatchingHeader("Content-Type").orElse("none"));
      }
    };
  }

  // --- helpers

  private static String newStream(int shards) {
    String name = "s-" + UUID.randomUUID().toString().substring(0, 8);
    client.createStream(r -> r.streamName(name).shardCount(shards));
    awaitActive(name);
    return name;
  }

  private static void awaitActive(String stream) {
    KinesisLocal.awaitActive(client, stream, Duration.ofSeconds(90));
  }

  private static Map<String, Shard> shardsById(String stream) {
    return client.listShards(r -> r.streamName(stream)).shards().stream()
        .collect(Collectors.toMap(Shard::shardId, Function.identity()));
  }

  private static List<Record> readAll(
      String stream, String shardId, ShardIteratorType type, String sequence, Instant timestamp) {
    String iterator =
        client
            .getShardIterator(
                r ->
                    r.streamName(stream)
                        .shardId(shardId)
                        .shardIteratorType(type)
                        .startingSequenceNumber(sequence)
                        .timestamp(timestamp))
            .shardIterator();
    return dev.tributary.local.testing.KinesisReads.readFrom(client, iterator);
  }

  /** Reads a closed shard to its end: the page without a next iterator. */
  private static GetRecordsResponse lastPage(String stream, String shardId) {
    String iterator =
        client
            .getShardIterator(
                r ->
                    r.streamName(stream)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    for (int page = 0; page < 20; page++) {
      String current = iterator;
      GetRecordsResponse response = client.getRecords(r -> r.shardIterator(current));
      if (response.nextShardIterator() == null) {
        return response;
      }
      iterator = response.nextShardIterator();
    }
    throw new AssertionError(shardId + " did not end after 20 pages; is it closed?");
  }

  private static Shard owner(List<Shard> shards, BigInteger hash) {
    return shards.stream()
        .filter(
            s ->
                hash.compareTo(new BigInteger(s.hashKeyRange().startingHashKey())) >= 0
                    && hash.compareTo(new BigInteger(s.hashKeyRange().endingHashKey())) <= 0)
        .findFirst()
        .orElseThrow();
  }

  private static BigInteger md5(String partitionKey) {
    try {
      return new BigInteger(
          1,
          MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PutRecordsRequestEntry entry(String partitionKey, String data) {
    return PutRecordsRequestEntry.builder().partitionKey(partitionKey).data(bytes(data)).build();
  }

  private static SdkBytes bytes(String text) {
    return SdkBytes.fromUtf8String(text);
  }

  private static String text(Record record) {
    return record.data().asUtf8String();
  }

  private static boolean accepts(InetAddress address, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static List<InetAddress> nonLoopbackAddresses() throws SocketException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(addresses::add);
      }
    }
    return addresses;
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
