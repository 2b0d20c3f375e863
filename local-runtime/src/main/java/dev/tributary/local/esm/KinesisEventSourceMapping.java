package dev.tributary.local.esm;

import dev.tributary.local.esm.internal.kinesis.Counters;
import dev.tributary.local.esm.internal.kinesis.KeepAggregated;
import dev.tributary.local.esm.internal.kinesis.KinesisEventJson;
import dev.tributary.local.esm.internal.kinesis.PumpContext;
import dev.tributary.local.esm.internal.kinesis.ShardPump;
import java.lang.reflect.Field;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.arns.Arn;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.util.DefaultSdkAutoConstructList;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.DdbTableConfig;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.common.StreamConfig;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.coordinator.streamInfo.StreamIdCache;
import software.amazon.kinesis.coordinator.streamInfo.StreamIdOnboardingState;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseRefresher;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.leases.dynamodb.TableCreatorCallback;
import software.amazon.kinesis.lifecycle.TaskResult;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.processor.SingleStreamTracker;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * AWS Lambda's Kinesis event source mapping, emulated for the local stack: it reads a stream with
 * the Kinesis Client Library (KCL 3, polling, leases in a DynamoDB table named after the mapping's
 * UUID, shard lineage so a parent shard is finished before its children start), cuts the records of
 * each shard into batches as Lambda does (batch size, 6 MB payload, batching window, one lane per
 * unit of the parallelization factor with the records of a partition key kept in one lane), invokes
 * the function with the event JSON Lambda sends, and handles the answer with {@link Delivery}
 * (retries, bisect, {@code ReportBatchItemFailures}, maximum record age, on-failure destination).
 * Records written by the Kinesis Producer Library reach the function aggregated, as on AWS. The
 * mapping checkpoints a shard after each finished batch and at the shard's end.
 *
 * <pre>{@code
 * try (KinesisEventSourceMapping esm = KinesisEventSourceMapping.builder()
 *     .kinesisEndpoint(kinesis.endpoint())
 *     .dynamoDbEndpoint(dynamoDb.endpoint())
 *     .streamName("clicks")
 *     .settings(MappingSettings.defaults("coordinator"))
 *     .invoker(FunctionInvoker.lambda(lambdaClient))
 *     .onFailure(new KinesisFailureFile(Path.of("failures.jsonl")))
 *     .start()) {
 *   ...
 *   esm.progress();
 * }
 * }</pre>
 *
 * <p>The KCL intervals are short for local runs: GetRecords every 200 ms per shard (KCL's least), a
 * lease duration of 3 s, lease assignment every 500 ms, parent shards polled every 100 ms, and the
 * leases are created before the scheduler starts, so the first batch is delivered about two seconds
 * after {@link Builder#start()}. See {@code docs/local-runtime.md} ("Differences from AWS") for
 * what differs from AWS.
 */
public final class KinesisEventSourceMapping implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KinesisEventSourceMapping.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String uuid;
  private final String streamName;
  private final String streamArn;
  private final Scheduler scheduler;
  private final Thread schedulerThread;
  private final ExecutorService laneThreads;
  private final Counters counters;
  private final Duration shutdownTimeout;
  private final List<AutoCloseable> owned;
  private final SdkEventLoopGroup eventLoop;
  private boolean closed;

  private KinesisEventSourceMapping(Builder b, Resources r) {
    this.uuid = b.uuid;
    this.streamName = r.streamName;
    this.streamArn = r.streamArn;
    this.counters = new Counters();
    this.shutdownTimeout = b.shutdownTimeout;
    this.owned = r.owned;
    this.eventLoop = r.eventLoop;
    this.laneThreads =
        Executors.newCachedThreadPool(
            task -> {
              Thread t =
                  new Thread(task, "tributary-kinesis-esm-lane-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    MappingSettings s = b.settings;
    String region = Arn.fromString(streamArn).region().orElse(b.region.id());
    String account = Arn.fromString(streamArn).accountId().orElse("000000000000");
    String functionArn =
        s.functionName().startsWith("arn:")
            ? s.functionName()
            : "arn:aws:lambda:" + region + ":" + account + ":function:" + s.functionName();
    String identity =
        b.invokeIdentityArn != null
            ? b.invokeIdentityArn
            : "arn:aws:iam::" + account + ":role/tributary-local-event-source-mapping";
    PumpContext context =
        new PumpContext(
            s,
            b.invoker,
            functionArn,
            streamArn,
            new KinesisEventJson(streamArn, region, identity),
            b.onFailure,
            b.clock,
            b.retryDelay,
            shutdownTimeout,
            laneThreads,
            counters);

    ConfigsBuilder configs =
        new ConfigsBuilder(
            new SingleStreamTracker(streamName, initialPosition(s)),
            uuid,
            r.kinesis,
            r.dynamoDb,
            r.cloudWatch,
            "tributary-esm-" + uuid,
            () -> new ShardPump(context));
    var coordinator =
        configs
            .coordinatorConfig()
            .parentShardPollIntervalMillis(100)
            .shardConsumerDispatchPollIntervalMillis(100)
            .schedulerInitializationBackoffTimeMillis(200);
    var leases =
        configs
            .leaseManagementConfig()
            .failoverTimeMillis(3_000)
            .leaseAssignmentIntervalMillis(500L)
            .shardSyncIntervalMillis(100)
            .listShardsBackoffTimeInMillis(200)
            .leasesRecoveryAuditorExecutionFrequencyMillis(5_000)
            .consistentReads(true);
    leases
        .workerUtilizationAwareAssignmentConfig()
        .inMemoryWorkerMetricsCaptureFrequencyMillis(100)
        .workerMetricsReporterFreqInMillis(500);
    var lifecycle =
        configs.lifecycleConfig().aggregatorUtil(new KeepAggregated()).taskBackoffTimeMillis(100);
    var metrics = configs.metricsConfig().metricsFactory(new NullMetricsFactory());
    var processor = configs.processorConfig().callProcessRecordsEvenForEmptyRecordList(true);
    var retrieval =
        configs
            .retrievalConfig()
            .retrievalSpecificConfig(
                new PollingConfig(streamName, r.kinesis).idleTimeBetweenReadsInMillis(200));
    this.scheduler =
        new Scheduler(
            configs.checkpointConfig(),
            coordinator,
            leases,
            lifecycle,
            metrics,
            processor,
            retrieval);
    syncShards(leases, configs.streamTracker().streamConfigList().get(0));
    this.schedulerThread = new Thread(scheduler, "tributary-kinesis-esm-" + uuid);
    schedulerThread.setDaemon(true);
    schedulerThread.start();
    LOG.info(
        "event source mapping {}: {} -> {} ({}, batch {}, window {}, parallelization {})",
        uuid,
        streamArn,
        s.functionName(),
        s.startingPosition(),
        s.batchSize(),
        s.maximumBatchingWindow(),
        s.parallelizationFactor());
  }

  /**
   * Creates the leases up front with KCL's own shard sync (the hierarchical shard syncer a KCL
   * leader runs: leases for the shards to read from the starting position, with their lineage). A
   * KCL worker that finds the lease table empty waits a random 1 to 30 s for another worker to do
   * this, to spread the load of a fleet starting at once; a mapping is one worker, so it does it
   * before the scheduler starts and the scheduler finds the table filled.
   */
  private static void syncShards(LeaseManagementConfig leases, StreamConfig stream) {
    // KCL's JVM-wide stream id cache, which its scheduler initializes on its thread (first caller
    // wins); with stream ids not onboarded (KCL's default, and this mapping's) it is never asked
    StreamIdCache.initialize(null, StreamIdOnboardingState.NOT_ONBOARDED);
    TaskResult result =
        leases
            .leaseManagementFactory()
            .createShardSyncTaskManager(new NullMetricsFactory(), stream, null)
            .callShardSyncTask();
    if (result.getException() != null) {
      throw new IllegalStateException(
          "cannot create the leases of stream "
              + stream.streamIdentifier().streamName()
              + " in the lease table: "
              + result.getException(),
          result.getException());
    }
  }

  private static InitialPositionInStreamExtended initialPosition(MappingSettings s) {
    return switch (s.startingPosition()) {
      case TRIM_HORIZON ->
          InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON);
      case LATEST ->
          InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.LATEST);
      case AT_TIMESTAMP ->
          InitialPositionInStreamExtended.newInitialPositionAtTimestamp(
              Date.from(s.startingPositionTimestamp()));
    };
  }

  /**
   * A builder; set the Kinesis and DynamoDB endpoints (or clients), the stream, the settings and
   * the invoker.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The mapping's UUID, also KCL's application name and the lease table's name. */
  public String uuid() {
    return uuid;
  }

  /** The stream's name. */
  public String streamName() {
    return streamName;
  }

  /** The stream's ARN, as the events' {@code eventSourceARN} carries it. */
  public String streamArn() {
    return streamArn;
  }

  /** The lease table's name (the UUID). */
  public String leaseTableName() {
    return uuid;
  }

  /** What the mapping has done so far. */
  public KinesisMappingProgress progress() {
    return counters.snapshot();
  }

  /** Whether KCL's scheduler still runs. */
  public boolean isRunning() {
    return schedulerThread.isAlive();
  }

  /**
   * Stops the mapping: KCL's graceful shutdown (each shard's in-flight invocation finishes and its
   * checkpoint is written; queued records are left for the next run), bounded by the shutdown
   * timeout after which the scheduler is stopped outright; then the lane threads, the clients the
   * mapping made and their event loop. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    stopLeaseAssignment();
    try {
      scheduler.startGracefulShutdown().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn(
          "event source mapping {}: graceful shutdown did not finish ({}); stopping",
          uuid,
          e.toString());
      scheduler.shutdown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      scheduler.shutdown();
    }
    try {
      schedulerThread.join(
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopLeaseDiscoveryThreads();
    laneThreads.shutdownNow();
    try {
      laneThreads.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        LOG.debug("closing {} failed", owned.get(i), e);
      }
    }
    if (eventLoop != null) {
      eventLoop.eventLoopGroup().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (schedulerThread.isAlive()) {
      LOG.warn("event source mapping {}: KCL's scheduler is still running after close", uuid);
    }
  }

  /**
   * KCL 3.5.1 stops its lease assignment manager by dropping the queued tasks of the pool that
   * loads the lease table for it ({@code shutdownNow}) while an assignment run may be waiting on
   * one of them with an uninterruptible {@code join}: that run's thread ({@code lam-thread}) then
   * never ends. So the mapping first stops the assignment runs itself (no new run; the running one
   * finishes while the clients and the loading pool still work), before KCL's shutdown.
   */
  private void stopLeaseAssignment() {
    try {
      Field initializer = scheduler.getClass().getDeclaredField("migrationComponentsInitializer");
      initializer.setAccessible(true);
      stopPool(initializer.get(scheduler), "lamThreadPool", false, "lease assignment run");
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("event source mapping {}: cannot stop KCL's lease assignment early", uuid, e);
    }
  }

  /**
   * KCL 3.5.1's lease coordinator does not shut its lease discovery pool down when it stops (two
   * core threads stay, non-daemon; fixed upstream in awslabs/amazon-kinesis-client#1815, after
   * 3.5.1), so the mapping does it once the scheduler has stopped.
   */
  private void stopLeaseDiscoveryThreads() {
    stopPool(scheduler.leaseCoordinator(), "leaseDiscoveryThreadPool", true, "lease discovery");
  }

  /**
   * Shuts down the executor in {@code owner}'s field {@code field} ({@code now}: dropping queued
   * tasks and interrupting) and waits for it up to the shutdown timeout; a KCL without the field
   * has nothing to stop.
   */
  private void stopPool(Object owner, String field, boolean now, String what) {
    try {
      Field f = owner.getClass().getDeclaredField(field);
      f.setAccessible(true);
      if (f.get(owner) instanceof ExecutorService pool) {
        if (now) {
          pool.shutdownNow();
        } else {
          pool.shutdown();
        }
        if (!pool.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("event source mapping {}: KCL's {} threads did not stop", uuid, what);
        }
      }
    } catch (NoSuchFieldException e) {
      LOG.debug("this KCL has no {} field; nothing to stop", field, e);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("event source mapping {}: cannot stop KCL's {} threads", uuid, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "KinesisEventSourceMapping(" + uuid + ", " + streamArn + ")";
  }

  /** The clients and facts {@link Builder#start()} gathers before the scheduler starts. */
  private static final class Resources {
    final List<AutoCloseable> owned = new ArrayList<>();
    SdkEventLoopGroup eventLoop;
    SdkAsyncHttpClient http;
    KinesisAsyncClient kinesis;
    DynamoDbAsyncClient dynamoDb;
    CloudWatchAsyncClient cloudWatch;
    String streamName;
    String streamArn;

    void close() {
      for (int i = owned.size() - 1; i >= 0; i--) {
        try {
          owned.get(i).close();
        } catch (Exception ignored) {
          // best effort while failing to start
        }
      }
      if (eventLoop != null) {
        eventLoop.eventLoopGroup().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  /** Settings of a {@link KinesisEventSourceMapping}; {@link #start()} runs it. */
  public static final class Builder {
    private URI kinesisEndpoint;
    private KinesisAsyncClient kinesisClient;
    private URI dynamoDbEndpoint;
    private DynamoDbAsyncClient dynamoDbClient;
    private Region region = Region.US_EAST_1;
    private AwsCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    private String streamName;
    private String streamArn;
    private MappingSettings settings;
    private FunctionInvoker invoker;
    private KinesisOnFailureDestination onFailure = KinesisOnFailureDestination.none();
    private Clock clock = Clock.systemUTC();
    private String uuid = UUID.randomUUID().toString();
    private String invokeIdentityArn;
    private Duration retryDelay = Duration.ofMillis(100);
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * The Kinesis endpoint (e.g. {@code KinesisLocal.endpoint()}); the mapping makes its client.
     */
    public Builder kinesisEndpoint(URI endpoint) {
      this.kinesisEndpoint = Objects.requireNonNull(endpoint, "kinesisEndpoint");
      return this;
    }

    /** A Kinesis client instead of an endpoint; the caller closes it after the mapping. */
    public Builder kinesisClient(KinesisAsyncClient client) {
      this.kinesisClient = Objects.requireNonNull(client, "kinesisClient");
      return this;
    }

    /** The DynamoDB endpoint for the lease table (e.g. {@code DynamoDbLocal.endpoint()}). */
    public Builder dynamoDbEndpoint(URI endpoint) {
      this.dynamoDbEndpoint = Objects.requireNonNull(endpoint, "dynamoDbEndpoint");
      return this;
    }

    /** A DynamoDB client instead of an endpoint; the caller closes it after the mapping. */
    public Builder dynamoDbClient(DynamoDbAsyncClient client) {
      this.dynamoDbClient = Objects.requireNonNull(client, "dynamoDbClient");
      return this;
    }

    /** The region of the clients the mapping makes; default us-east-1. */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** The credentials of the clients the mapping makes; default the dummy local/local. */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** The stream to read, by name. */
    public Builder streamName(String streamName) {
      this.streamName = Objects.requireNonNull(streamName, "streamName");
      return this;
    }

    /** The stream to read, by ARN ({@code arn:aws:kinesis:<region>:<account>:stream/<name>}). */
    public Builder streamArn(String streamArn) {
      Objects.requireNonNull(streamArn, "streamArn");
      int at = streamArn.indexOf(":stream/");
      if (!streamArn.startsWith("arn:") || at < 0) {
        throw new IllegalArgumentException(
            "streamArn "
                + streamArn
                + " is not a Kinesis stream ARN; pass arn:aws:kinesis:<region>:<account>:stream/<name>"
                + " or use streamName(...)");
      }
      this.streamArn = streamArn;
      this.streamName = streamArn.substring(at + ":stream/".length());
      return this;
    }

    /** The mapping's settings (function, batch size, window, starting position, retries ...). */
    public Builder settings(MappingSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** How the function is invoked, e.g. {@link FunctionInvoker#lambda}. */
    public Builder invoker(FunctionInvoker invoker) {
      this.invoker = Objects.requireNonNull(invoker, "invoker");
      return this;
    }

    /** Where given-up batches are reported; default none (they are logged). */
    public Builder onFailure(KinesisOnFailureDestination destination) {
      this.onFailure = Objects.requireNonNull(destination, "onFailure");
      return this;
    }

    /** Now, for the maximum record age and on-failure timestamps; default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The mapping's UUID: KCL's application name and the lease table's name, so a mapping started
     * again with the same UUID resumes from its checkpoints; default a random UUID.
     */
    public Builder uuid(String uuid) {
      Objects.requireNonNull(uuid, "uuid");
      if (!uuid.matches("[A-Za-z0-9_.-]{3,255}")) {
        throw new IllegalArgumentException(
            "uuid "
                + uuid
                + " cannot name a DynamoDB table (3 to 255 of A-Z a-z 0-9 _ - .); pass e.g. a UUID");
      }
      this.uuid = uuid;
      return this;
    }

    /** The events' {@code invokeIdentityArn}; default a role in the stream's account. */
    public Builder invokeIdentityArn(String arn) {
      this.invokeIdentityArn = Objects.requireNonNull(arn, "invokeIdentityArn");
      return this;
    }

    /** The pause before a failed batch is retried; default 100 ms (AWS backs off longer). */
    public Builder retryDelay(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException(
            "retryDelay must not be negative, was " + delay + "; pass e.g. 100 ms");
      }
      this.retryDelay = delay;
      return this;
    }

    /** How long {@link #close()} waits for the graceful shutdown; default 10 s. */
    public Builder shutdownTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(
            "shutdownTimeout must be positive, was " + timeout + "; pass e.g. 10 s");
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Checks the settings, finds the stream, creates the lease table (with KCL's {@code
     * LeaseOwnerToLeaseKeyIndex}) and starts KCL's scheduler on its own thread.
     *
     * @throws IllegalStateException if a required setting is missing, the stream does not exist, or
     *     the lease table cannot be created
     */
    public KinesisEventSourceMapping start() {
      require(kinesisEndpoint != null || kinesisClient != null, "kinesisEndpoint or kinesisClient");
      require(
          dynamoDbEndpoint != null || dynamoDbClient != null, "dynamoDbEndpoint or dynamoDbClient");
      require(streamName != null, "streamName or streamArn");
      require(settings != null, "settings (e.g. MappingSettings.defaults(\"my-function\"))");
      require(invoker != null, "invoker (e.g. FunctionInvoker.lambda(lambdaClient))");
      Resources r = new Resources();
      try {
        clients(r);
        describeStream(r);
        createLeaseTable(r.dynamoDb);
        return new KinesisEventSourceMapping(this, r);
      } catch (RuntimeException e) {
        r.close();
        throw e;
      }
    }

    private static void require(boolean present, String what) {
      if (!present) {
        throw new IllegalStateException(
            "KinesisEventSourceMapping needs " + what + "; set it on the builder before start()");
      }
    }

    private void clients(Resources r) {
      // one event loop the mapping shuts down without Netty's quiet period
      r.eventLoop = SdkEventLoopGroup.builder().numberOfThreads(2).build();
      r.http = NettyNioAsyncHttpClient.builder().eventLoopGroup(r.eventLoop).build();
      r.owned.add(r.http);
      r.kinesis = kinesisClient;
      if (r.kinesis == null) {
        r.kinesis =
            KinesisAsyncClient.builder()
                .endpointOverride(kinesisEndpoint)
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(r.http)
                .build();
        r.owned.add(r.kinesis);
      }
      r.dynamoDb = dynamoDbClient;
      if (r.dynamoDb == null) {
        r.dynamoDb =
            DynamoDbAsyncClient.builder()
                .endpointOverride(dynamoDbEndpoint)
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(r.http)
                .build();
        r.owned.add(r.dynamoDb);
      }
      // KCL wants a CloudWatch client; with the NullMetricsFactory it never calls it
      r.cloudWatch =
          CloudWatchAsyncClient.builder()
              .endpointOverride(URI.create("http://127.0.0.1:9"))
              .region(region)
              .credentialsProvider(credentials)
              .httpClient(r.http)
              .build();
      r.owned.add(r.cloudWatch);
    }

    private void describeStream(Resources r) {
      StreamDescriptionSummary summary;
      try {
        summary =
            r.kinesis
                .describeStreamSummary(b -> b.streamName(streamName))
                .join()
                .streamDescriptionSummary();
      } catch (CompletionException e) {
        if (e.getCause() instanceof ResourceNotFoundException) {
          throw new IllegalStateException(
              "stream "
                  + streamName
                  + " does not exist at the Kinesis endpoint; create it first (CreateStream) or"
                  + " fix streamName",
              e.getCause());
        }
        throw new IllegalStateException(
            "cannot describe stream " + streamName + ": " + e.getCause(), e.getCause());
      }
      r.streamName = streamName;
      r.streamArn = streamArn != null ? streamArn : summary.streamARN();
    }

    private void createLeaseTable(DynamoDbAsyncClient dynamoDb) {
      DynamoDBLeaseRefresher refresher =
          new DynamoDBLeaseRefresher(
              uuid,
              dynamoDb,
              new DynamoDBLeaseSerializer(),
              true,
              TableCreatorCallback.NOOP_TABLE_CREATOR_CALLBACK,
              Duration.ofSeconds(10),
              new DdbTableConfig(),
              false,
              false,
              DefaultSdkAutoConstructList.getInstance());
      try {
        refresher.createLeaseTableIfNotExists();
        if (!refresher.waitUntilLeaseTableExists(1, 30)) {
          throw new IllegalStateException(
              "the lease table " + uuid + " did not become ACTIVE within 30 s");
        }
        refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists();
        if (!refresher.waitUntilLeaseOwnerToLeaseKeyIndexExists(1, 30)) {
          throw new IllegalStateException(
              "the lease table's LeaseOwnerToLeaseKeyIndex did not become ACTIVE within 30 s");
        }
      } catch (software.amazon.kinesis.leases.exceptions.DependencyException
          | software.amazon.kinesis.leases.exceptions.ProvisionedThroughputException e) {
        throw new IllegalStateException(
            "cannot create the lease table "
                + uuid
                + " at the DynamoDB endpoint ("
                + e.getMessage()
                + "); is the endpoint up?",
            e);
      }
    }
  }
}
