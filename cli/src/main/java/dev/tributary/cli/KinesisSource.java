package dev.tributary.cli;

import dev.tributary.coordinator.KinesisHandler;
import dev.tributary.local.esm.KinesisEventSourceMapping;
import dev.tributary.local.esm.KinesisFailureFile;
import dev.tributary.local.esm.KinesisMappingProgress;
import dev.tributary.local.kinesis.KinesisLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A Kinesis stream on kinesis-local, started from the project's tools directory (with a data
 * directory, kinesis-mock persists its streams there every second and loads them at start).
 */
public final class KinesisSource implements StreamSource {
  /** PutRecords takes at most 500 records and 5 MB per call. */
  private static final int PUT_RECORDS = 500;

  private static final int PUT_BYTES = 4_500_000;

  final KinesisLocal local;
  final KinesisClient client;
  final String stream;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private Path persisted;
  private java.util.Optional<java.time.Instant> restored = java.util.Optional.empty();

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** kinesis-mock's file of streams under its persist path. */
  private static final String DATA_FILE = "kinesis-data.json";

  /** The copy of the last complete file, taken at close. */
  private static final String GOOD_COPY = "kinesis-data.json.complete";

  /**
   * kinesis-mock rewrites its file every second, and a stop can cut a write short; such a torn file
   * stops it from starting. Before a start, a file that is not whole JSON is replaced by the copy
   * of the last complete one, which {@link #close()} keeps.
   */
  static java.util.Optional<java.time.Instant> restoreIfTorn(Path dir) {
    Path file = dir.resolve(DATA_FILE);
    Path good = dir.resolve(GOOD_COPY);
    try {
      if (Files.exists(file) && !wholeJson(file)) {
        if (!Files.exists(good)) {
          throw new IllegalStateException(
              "kinesis-local's stream file "
                  + file
                  + " was cut short when it stopped, and there is no complete copy of it ("
                  + GOOD_COPY
                  + "); the stream cannot be loaded. Delete "
                  + dir.getParent()
                  + " to start over");
        }
        Files.copy(good, file, StandardCopyOption.REPLACE_EXISTING);
        return java.util.Optional.of(Files.getLastModifiedTime(good).toInstant());
      }
      return java.util.Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore kinesis-local's data in " + dir, e);
    }
  }

  private static boolean wholeJson(Path file) {
    try {
      // an empty file reads as a missing node, not an error
      return JSON.readTree(file.toFile()).isObject();
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits (up to 5 s) for a complete write of the data file after now, and keeps a copy of it. */
  private void keepCompleteCopy() {
    Path file = persisted.resolve(DATA_FILE);
    long since = System.currentTimeMillis();
    long deadline = since + 5_000;
    while (System.currentTimeMillis() < deadline) {
      if (copyIfWhole(since)) {
        return;
      }
      LocalStack.sleep(100);
    }
  }

  /**
   * Copies the data file to {@link #GOOD_COPY} (atomically) if it was written after {@code since}
   * and is whole JSON; answers whether it did.
   */
  private boolean copyIfWhole(long since) {
    Path file = persisted.resolve(DATA_FILE);
    Path good = persisted.resolve(GOOD_COPY);
    try {
      if (!Files.exists(file) || Files.getLastModifiedTime(file).toMillis() <= since) {
        return false;
      }
      Path copy = persisted.resolve(GOOD_COPY + ".tmp");
      Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
      // the copy, not the file kinesis-local may be rewriting, is checked and moved in place
      if (!wholeJson(copy)) {
        return false;
      }
      Files.move(copy, good, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep a copy of kinesis-local's data " + file, e);
    }
  }

  /**
   * Keeps a complete copy of the data file every 2 s while the stream runs, so that a stop that
   * cuts a write short (a kill, a crash) loses at most the last seconds, not the stream.
   */
  private void keepCopiesWhileRunning() {
    java.util.concurrent.ScheduledExecutorService copier =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tributary-kinesis-data-copy");
              t.setDaemon(true);
              return t;
            });
    long[] copied = {0};
    copier.scheduleWithFixedDelay(
        () -> {
          try {
            long now = System.currentTimeMillis();
            if (copyIfWhole(copied[0])) {
              copied[0] = now;
            }
          } catch (RuntimeException e) {
            // the next round tries again; close() keeps the final copy
          }
        },
        2,
        2,
        java.util.concurrent.TimeUnit.SECONDS);
    parts.add(
        () -> {
          copier.shutdownNow();
          copier.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        });
  }

  private KinesisSource(KinesisLocal local, KinesisClient client, String stream) {
    this.local = local;
    this.client = client;
    this.stream = stream;
  }

  /** The Kinesis client of the stream's kinesis-local endpoint. */
  public KinesisClient client() {
    return client;
  }

  static KinesisSource start(LocalStack.Builder options) {
    KinesisLocal.unavailableReason(options.toolsDir)
        .ifPresent(
            reason -> {
              throw new IllegalStateException(reason);
            });
    KinesisLocal.Builder builder = KinesisLocal.builder().toolsDir(options.toolsDir);
    Path persisted = null;
    java.util.Optional<java.time.Instant> restored = java.util.Optional.empty();
    if (options.dataDir != null) {
      // kinesis-mock writes its streams to a file every second and loads it at start
      persisted = options.dataDir.resolve("kinesis").toAbsolutePath();
      restored = restoreIfTorn(persisted);
      builder
          .environment("SHOULD_PERSIST_DATA", "true")
          .environment("LOAD_DATA_IF_EXISTS", "true")
          .environment(
              "PERSIST_PATH", options.dataDir.resolve("kinesis").toAbsolutePath().toString())
          .environment("PERSIST_INTERVAL", "1s");
    }
    KinesisLocal local = builder.start();
    try {
      KinesisClient client = client(local);
      KinesisSource source = new KinesisSource(local, client, options.streamName);
      source.persisted = persisted;
      source.restored = restored;
      if (persisted != null) {
        source.keepCopiesWhileRunning();
        // on Ctrl-C the stack's own hook closes the mapping and keeps the streams' last complete
        // write before kinesis-local stops; its process hook waits for that
        local.awaitOwnerOnExit(Duration.ofSeconds(30));
      }
      if (!client.listStreams().streamNames().contains(options.streamName)) {
        client.createStream(r -> r.streamName(options.streamName).shardCount(options.shards));
      }
      KinesisLocal.awaitActive(client, options.streamName, Duration.ofSeconds(30));
      return source;
    } catch (RuntimeException e) {
      local.close();
      throw e;
    }
  }

  static KinesisClient client(KinesisLocal local) {
    return KinesisClient.builder()
        .endpointOverride(local.endpoint())
        .region(Region.of(KinesisLocal.REGION))
        .credentialsProvider(LocalStack.credentials())
        .httpClient(ApacheHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
        .build();
  }

  /** The stream's ARN, as kinesis-local reports it. */
  String arn() {
    return client
        .describeStreamSummary(r -> r.streamName(stream))
        .streamDescriptionSummary()
        .streamARN();
  }

  @Override
  public void produce(Iterator<Workload.Event> events) {
    List<PutRecordsRequestEntry> batch = new ArrayList<>(PUT_RECORDS);
    int bytes = 0;
    while (events.hasNext()) {
      Workload.Event e = events.next();
      int size = e.payload().length + e.key().length();
      if (batch.size() == PUT_RECORDS || bytes + size > PUT_BYTES) {
        put(batch);
        batch = new ArrayList<>(PUT_RECORDS);
        bytes = 0;
      }
      batch.add(
          PutRecordsRequestEntry.builder()
              .partitionKey(e.key())
              .data(SdkBytes.fromByteArrayUnsafe(e.payload()))
              .build());
      bytes += size;
    }
    if (!batch.isEmpty()) {
      put(batch);
    }
  }

  /**
   * Puts {@code batch}, putting the refused entries again (throttled ones) until all are stored.
   * One call is in flight at a time and a batch's refused entries are stored before the next batch,
   * so only within one batch can an entry put again land after a later one of its key (a click then
   * late for its window goes to the job's late side output, which the run's check counts).
   */
  private void put(List<PutRecordsRequestEntry> batch) {
    putAll(client, stream, batch);
  }

  /**
   * Puts {@code batch} on {@code stream}, putting refused entries again (see above), and returns
   * where each entry was stored, in the order of {@code batch}. Only the refused entries are put
   * again: the others are stored already, and putting them again would store them twice.
   */
  static List<PutRecordsResultEntry> putAll(
      KinesisClient client, String stream, List<PutRecordsRequestEntry> batch) {
    PutRecordsResultEntry[] stored = new PutRecordsResultEntry[batch.size()];
    List<Integer> pending = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      pending.add(i);
    }
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      if (attempt == 20) {
        throw new IllegalStateException(
            pending.size() + " records were still refused by PutRecords after 20 attempts");
      }
      if (attempt > 0) {
        LocalStack.sleep(50L * attempt);
      }
      List<PutRecordsRequestEntry> current = new ArrayList<>(pending.size());
      for (int i : pending) {
        current.add(batch.get(i));
      }
      List<PutRecordsResultEntry> results =
          client.putRecords(r -> r.streamName(stream).records(current)).records();
      List<Integer> refused = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        PutRecordsResultEntry result = results.get(i);
        if (result.errorCode() == null) {
          stored[pending.get(i)] = result;
        } else {
          refused.add(pending.get(i));
        }
      }
      pending = refused;
    }
    return List.of(stored);
  }

  /**
   * Splits the first open shard in two at the middle of its hash key range (SplitShard), as a
   * resharding in the middle of a run does; waits until the stream is active again.
   */
  public void splitShard() {
    Shard shard = openShards().get(0);
    java.math.BigInteger start = new java.math.BigInteger(shard.hashKeyRange().startingHashKey());
    java.math.BigInteger end = new java.math.BigInteger(shard.hashKeyRange().endingHashKey());
    String middle = start.add(end).shiftRight(1).add(java.math.BigInteger.ONE).toString();
    client.splitShard(
        r -> r.streamName(stream).shardToSplit(shard.shardId()).newStartingHashKey(middle));
    KinesisLocal.awaitActive(client, stream, Duration.ofSeconds(30));
  }

  /** Merges the first two adjacent open shards (MergeShards); waits until the stream is active. */
  public void mergeShards() {
    List<Shard> open = new ArrayList<>(openShards());
    open.sort(
        java.util.Comparator.comparing(
            (Shard s) -> new java.math.BigInteger(s.hashKeyRange().startingHashKey())));
    for (int i = 0; i + 1 < open.size(); i++) {
      Shard a = open.get(i);
      Shard b = open.get(i + 1);
      if (new java.math.BigInteger(a.hashKeyRange().endingHashKey())
          .add(java.math.BigInteger.ONE)
          .equals(new java.math.BigInteger(b.hashKeyRange().startingHashKey()))) {
        client.mergeShards(
            r -> r.streamName(stream).shardToMerge(a.shardId()).adjacentShardToMerge(b.shardId()));
        KinesisLocal.awaitActive(client, stream, Duration.ofSeconds(30));
        return;
      }
    }
    throw new IllegalStateException("stream " + stream + " has no two adjacent open shards");
  }

  private List<Shard> openShards() {
    List<Shard> open = new ArrayList<>();
    for (Shard shard : client.listShards(r -> r.streamName(stream)).shards()) {
      if (shard.sequenceNumberRange().endingSequenceNumber() == null) {
        open.add(shard);
      }
    }
    return open;
  }

  @Override
  public List<String> warnings() {
    return restored
        .map(
            at ->
                List.of(
                    "kinesis-local's stream file was cut short when it last stopped (the process"
                        + " was killed), so its copy from "
                        + at
                        + " was restored: records written after that are gone from the stream and"
                        + " are produced again (a run that resumes checks first that the job had"
                        + " not committed any of them)"))
        .orElse(List.of());
  }

  @Override
  public Stored stored() {
    List<Workload.Event> out = new ArrayList<>();
    Map<String, BigInteger> last = new HashMap<>();
    for (Shard shard : client.listShards(r -> r.streamName(stream)).shards()) {
      String split = KinesisHandler.splitName(stream, shard.shardId());
      String iterator =
          client
              .getShardIterator(
                  r ->
                      r.streamName(stream)
                          .shardId(shard.shardId())
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      while (iterator != null) {
        String at = iterator;
        GetRecordsResponse page = client.getRecords(r -> r.shardIterator(at).limit(10_000));
        for (Record r : page.records()) {
          out.add(new Workload.Event(r.partitionKey(), r.data().asByteArray()));
          last.put(split, new BigInteger(r.sequenceNumber()));
        }
        Long behind = page.millisBehindLatest();
        if (page.records().isEmpty() && (behind == null || behind == 0)) {
          break; // the open shard's tip
        }
        iterator = page.nextShardIterator(); // null past a closed shard's end
      }
    }
    return new Stored(out, last);
  }

  @Override
  public List<String> splits() {
    List<String> out = new ArrayList<>();
    for (Shard shard : client.listShards(r -> r.streamName(stream)).shards()) {
      out.add(KinesisHandler.splitName(stream, shard.shardId()));
    }
    return out;
  }

  @Override
  public List<Long> childPids() {
    return List.of(local.pid());
  }

  void onClose(AutoCloseable part) {
    parts.add(part);
  }

  @Override
  public void close() {
    try {
      for (int i = parts.size() - 1; i >= 0; i--) {
        try {
          parts.get(i).close();
        } catch (Exception e) {
          // the emulator stops below anyway
        }
      }
      client.close();
      if (persisted != null) {
        keepCompleteCopy();
      }
    } finally {
      local.close();
    }
  }

  @Override
  public SourceMapping map(
      dev.tributary.local.esm.MappingSettings settings,
      dev.tributary.local.esm.FunctionInvoker invoker,
      java.net.URI dynamoDb,
      LocalStack.Builder options) {
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    KinesisEventSourceMapping esm =
        KinesisEventSourceMapping.builder()
            .kinesisEndpoint(local.endpoint())
            .dynamoDbEndpoint(dynamoDb)
            .region(Region.of(KinesisLocal.REGION))
            .credentials(LocalStack.credentials())
            .streamName(stream)
            .settings(settings)
            .invoker(invoker)
            .onFailure(record -> failures.add(KinesisFailureFile.json(record)))
            // a stable id names the lease table, so that a restarted stack resumes from its leases
            .uuid("tributary-" + stream)
            .start();
    return SourceMapping.of(
        () -> {
          KinesisMappingProgress p = esm.progress();
          java.util.Map<String, String> lag = new java.util.TreeMap<>();
          p.shards()
              .forEach(
                  (id, shard) -> {
                    if (!shard.ended()) {
                      lag.put(
                          stream + "/" + id,
                          shard.millisBehindLatest() == null
                              ? "?"
                              : shard.millisBehindLatest() + "ms");
                    }
                  });
          return new MappingProgress(
              p.recordsDelivered(), p.invocations(), p.functionErrors(), failures.size(), lag);
        },
        failures,
        esm::close);
  }
}
