package dev.tributary.cli;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.tributary.JobProvider;
import dev.tributary.coordinator.CoordinatorRuntime;
import dev.tributary.coordinator.InProcessInvoker;
import dev.tributary.coordinator.KafkaBatchResponse;
import dev.tributary.coordinator.KafkaHandler;
import dev.tributary.coordinator.KinesisHandler;
import dev.tributary.coordinator.LambdaInvoker;
import dev.tributary.coordinator.ShardLister;
import dev.tributary.coordinator.SlotInvoker;
import dev.tributary.coordinator.TickHandler;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.esm.FunctionInvoker;
import dev.tributary.local.esm.MappingSettings;
import dev.tributary.local.lambda.FunctionConfig;
import dev.tributary.local.lambda.LocalLambda;
import dev.tributary.operator.Functions;
import dev.tributary.operator.OperatorHandler;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.StatelessPrefix;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.spi.Clock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Tributary's whole local stack for one job, started in order and stopped in reverse, child
 * processes by their pid: the DynamoDB-compatible endpoint with the job's tables, a Kinesis stream
 * (kinesis-local) or a Kafka topic (an embedded KRaft broker), a local Lambda Invoke endpoint
 * serving the coordinator ({@code tributary-coordinator}), its tick ({@code tributary-tick}) and
 * the operator function ({@code tributary-operator}) from the job's classes through their real
 * handlers, the event source mapping emulator delivering the stream to the coordinator, and a
 * scheduler invoking the tick (as the EventBridge rule does on AWS).
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().job(new ClickWindowSums()).shards(2).start()) {
 *   stack.produce(events);
 * }
 * }</pre>
 */
public final class LocalStack implements JobStack {
  /** The coordinator function's name. */
  public static final String COORDINATOR = "tributary-coordinator";

  /** The tick function's name (the coordinator's code, its tick handler). */
  public static final String TICK = "tributary-tick";

  /** The operator function's name. */
  public static final String OPERATOR = "tributary-operator";

  /**
   * The coordinator's and the tick's timeout, as the CDK construct deploys them by default ({@code
   * StreamJobProps.coordinatorTimeout}): the coordinator answers before it, as on AWS.
   */
  public static final Duration COORDINATOR_TIMEOUT = Duration.ofSeconds(180);

  /**
   * The operator's timeout, the CDK construct's default ({@code StreamJobProps.operatorTimeout}).
   */
  public static final Duration OPERATOR_TIMEOUT = Duration.ofSeconds(60);

  /** The stream source kinds. */
  public enum Source {
    /** A Kinesis data stream on kinesis-local. */
    KINESIS,
    /** A Kafka topic on the embedded broker. */
    KAFKA
  }

  private final Builder options;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final java.util.concurrent.atomic.LongAdder lateRecordsDropped =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder epochsCommitted =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder conflicts =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder timerItemMerges =
      new java.util.concurrent.atomic.LongAdder();
  private final AtomicLong ticks = new AtomicLong();
  private final AtomicLong tickFailures = new AtomicLong();
  private DynamoDbLocal dynamoLocal;
  private DynamoDbClient dynamo;
  private RuntimeSettings settings;
  private LocalLambda lambda;
  private LambdaClient lambdaClient;
  private StreamSource stream;
  private SourceMapping mapping;
  private Duration startupTime;

  private LocalStack(Builder options) {
    this.options = options;
  }

  /** A builder with the defaults: Kinesis, 2 shards, 4 slots, a tick every second. */
  public static Builder builder() {
    return new Builder();
  }

  private void start() {
    long begin = System.nanoTime();
    DynamoDbLocal.Builder db = DynamoDbLocal.builder();
    if (options.dataDir != null) {
      db.dataDir(options.dataDir.resolve("dynamodb"));
    }
    dynamoLocal = db.build();
    started.add(dynamoLocal);
    dynamo =
        DynamoDbClient.builder()
            .endpointOverride(dynamoLocal.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClient(ApacheHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
            .build();
    started.add(dynamo);
    stream =
        options.source == Source.KINESIS
            ? KinesisSource.start(options)
            : KafkaSource.start(options);
    started.add(stream);
    settings = RuntimeSettings.from(environment());
    settings.tables().createIfMissing(dynamo);

    lambda = LocalLambda.start();
    started.add(lambda);
    lambdaClient =
        LambdaClient.builder()
            .endpointOverride(lambda.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClient(
                ApacheHttpClient.builder()
                    // the mapping waits for the coordinator as long as its timeout lets it run
                    .socketTimeout(COORDINATOR_TIMEOUT.plusSeconds(30))
                    .maxConnections(64)
                    .build())
            // a mapping does not invoke a batch again while it still runs: it reads the
            // answer, and retries (after a function error) itself
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
            .build();
    started.add(lambdaClient);
    LambdaAsyncClient operatorClient =
        LambdaAsyncClient.builder()
            .endpointOverride(lambda.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClientBuilder(LambdaInvoker.httpClient(64))
            .build();
    started.add(operatorClient);
    lambda.register(
        OPERATOR,
        () ->
            options.wrap(
                OPERATOR, new OperatorHandler(Functions.slotExecutor(settings, dynamo))::handle),
        FunctionConfig.defaults().withTimeout(OPERATOR_TIMEOUT));
    lambda.register(
        COORDINATOR,
        () -> {
          CoordinatorRuntime runtime = coordinatorRuntime(operatorClient);
          return options.wrap(
              COORDINATOR,
              options.source == Source.KINESIS
                  ? LambdaAdapter.of(
                      new KinesisHandler(runtime), KinesisEvent.class, StreamsEventResponse.class)
                  : LambdaAdapter.of(
                      new KafkaHandler(runtime), KafkaEvent.class, KafkaBatchResponse.class));
        },
        FunctionConfig.defaults().withTimeout(COORDINATOR_TIMEOUT));
    lambda.register(
        TICK,
        () ->
            LambdaAdapter.of(
                new TickHandler(coordinatorRuntime(operatorClient)),
                ScheduledEvent.class,
                String.class),
        FunctionConfig.defaults().withTimeout(COORDINATOR_TIMEOUT));

    mapping =
        stream.map(
            options.mapping,
            options.mappingInvoker.apply(FunctionInvoker.lambda(lambdaClient)),
            dynamoLocal.endpoint(),
            options);
    started.add(mapping);

    if (!options.tickInterval.isZero()) {
      started.add(TickSchedule.start("tributary-tick-schedule", options.tickInterval, this::tick));
    }
    startupTime = Duration.ofNanos(System.nanoTime() - begin);
  }

  private CoordinatorRuntime coordinatorRuntime(LambdaAsyncClient operatorClient) {
    InProcessInvoker inProcess =
        new InProcessInvoker(
            () -> Functions.slotExecutorUnchecked(settings, dynamo),
            Math.max(1, Math.min(settings.slots(), 4)));
    return new CoordinatorRuntime(
        settings,
        dynamo,
        counting(new LambdaInvoker(operatorClient, OPERATOR, false, inProcess)),
        counting(inProcess),
        Clock.system(),
        stream instanceof KinesisSource kinesis ? ShardLister.kinesis(kinesis::client) : null);
  }

  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put(RuntimeSettings.JOB_CLASS, options.job.getName());
    env.put(RuntimeSettings.TABLE_PREFIX, options.tablePrefix);
    env.put(RuntimeSettings.SLOTS, Integer.toString(options.slots));
    env.put(RuntimeSettings.FAN_OUT, options.fanOut);
    env.put(RuntimeSettings.OPERATOR_FUNCTION, OPERATOR);
    env.put(RuntimeSettings.IDLE_TIMEOUT, options.idleTimeout.toString());
    env.put(
        RuntimeSettings.PARALLELIZATION_FACTOR,
        Integer.toString(options.mapping.parallelizationFactor()));
    env.put(RuntimeSettings.MAX_ATTEMPTS, Integer.toString(options.maxAttempts));
    if (options.source == Source.KAFKA) {
      // Kafka partitions are declared, as the CDK's KafkaSource.withPartitions does; a Kinesis
      // coordinator lists the stream's open shards itself (coordinatorRuntime), as on AWS
      env.put(RuntimeSettings.SPLITS, String.join(",", stream.splits()));
    }
    env.putAll(options.environment);
    return env;
  }

  /** Invokes the tick function once, as the schedule does (an EventBridge scheduled event). */
  public void tick() {
    String event = TickSchedule.event("local-tick-" + ticks.incrementAndGet());
    FunctionInvoker.Result result =
        FunctionInvoker.lambda(lambdaClient).invoke(TICK, event.getBytes(StandardCharsets.UTF_8));
    if (!(result instanceof FunctionInvoker.Returned)) {
      tickFailures.incrementAndGet();
    }
  }

  /** Writes {@code events} to the stream (in order; Kinesis partition key / Kafka key). */
  public void produce(Iterable<Workload.Event> events) {
    stream.produce(events.iterator());
  }

  @Override
  public void produce(java.util.Iterator<Workload.Event> events) {
    stream.produce(events);
  }

  @Override
  public long invocations(String function) {
    return lambda.invocations(function);
  }

  @Override
  public long lateRecordsDropped() {
    return lateRecordsDropped.sum();
  }

  @Override
  public long epochsCommitted() {
    return epochsCommitted.sum();
  }

  @Override
  public long conflicts() {
    return conflicts.sum();
  }

  @Override
  public long timerItemMerges() {
    return timerItemMerges.sum();
  }

  /**
   * {@code slots}, adding up the transactions, conflicts and late records its answers report (in
   * process or through Lambda).
   */
  private SlotInvoker counting(SlotInvoker slots) {
    return new SlotInvoker() {
      @Override
      public java.util.concurrent.CompletableFuture<OperatorResponse> invoke(
          OperatorRequest request) {
        return invoke(request, null);
      }

      // the keyed records go through: an in-process invoker runs the slot on them instead of
      // running the job's stateless prefix (the source's deserializer included) a second time
      @Override
      public java.util.concurrent.CompletableFuture<OperatorResponse> invoke(
          OperatorRequest request, List<StatelessPrefix.Keyed> keyed) {
        return slots
            .invoke(request, keyed)
            .thenApply(
                response -> {
                  lateRecordsDropped.add(response.lateRecordsDropped());
                  epochsCommitted.add(response.epochs());
                  conflicts.add(response.conflicts());
                  timerItemMerges.add(response.timerItemMerges());
                  return response;
                });
      }

      @Override
      public void close() {
        slots.close();
      }
    };
  }

  @Override
  public DynamoDbClient dynamo() {
    return dynamo;
  }

  /** The DynamoDB endpoint. */
  public URI dynamoEndpoint() {
    return dynamoLocal.endpoint();
  }

  /** Requests the DynamoDB endpoint has served, by operation (lease table traffic included). */
  public java.util.Map<String, Long> dynamoOperations() {
    return dynamoLocal.operationCounts();
  }

  @Override
  public RuntimeSettings settings() {
    return settings;
  }

  /** The local Lambda endpoint (invocation counts). */
  public LocalLambda lambda() {
    return lambda;
  }

  @Override
  public MappingProgress progress() {
    return mapping.progress();
  }

  /** What the mapping sent to its on-failure destination (AWS's invocation records, as JSON). */
  public List<String> onFailure() {
    return mapping.onFailure();
  }

  /** How many ticks ran, and how many failed. */
  public long[] ticks() {
    return new long[] {ticks.get(), tickFailures.get()};
  }

  @Override
  public List<String> splits() {
    return stream.splits();
  }

  /** The stream's source (for fault injection in tests: split, merge, restart). */
  public StreamSource stream() {
    return stream;
  }

  /** How long {@link Builder#start()} took. */
  public Duration startupTime() {
    return startupTime;
  }

  /** The pids of child processes the stack started (kinesis-local), for cleanup checks. */
  public List<Long> childPids() {
    return stream.childPids();
  }

  /** Stops everything in reverse order of starting; the first failure is rethrown at the end. */
  @Override
  public synchronized void close() {
    RuntimeException failure = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("stopping the local stack failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    started.clear();
    if (failure != null) {
      throw failure;
    }
  }

  static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
  }

  /** The stack's options. */
  public static final class Builder {
    Source source = Source.KINESIS;
    Class<? extends JobProvider> job;
    Path toolsDir = Path.of(".tools");
    Path dataDir;
    int shards = 2;
    int kafkaPollers = 1;
    int kafkaMaxPollers = 1;
    Duration kafkaScalingInterval = Duration.ofMinutes(1);
    int slots = 4;
    int maxAttempts = 3;
    String fanOut = "auto";
    String tablePrefix = "tributary";
    String streamName = "clicks";
    Duration tickInterval = Duration.ofSeconds(1);
    Duration idleTimeout = Duration.ofSeconds(5);
    MappingSettings mapping =
        MappingSettings.defaults(COORDINATOR).withBatchSize(500).withRetries(-1, false);
    final Map<String, String> environment = new HashMap<>();
    final Map<String, java.util.function.UnaryOperator<LocalLambda.Function>> wrappers =
        new HashMap<>();
    java.util.function.UnaryOperator<FunctionInvoker> mappingInvoker = i -> i;

    private Builder() {}

    LocalLambda.Function wrap(String function, LocalLambda.Function instance) {
      return wrappers.getOrDefault(function, f -> f).apply(instance);
    }

    /**
     * Wraps each instance of function {@code name} ({@link LocalStack#COORDINATOR}, {@link
     * LocalStack#OPERATOR}), for fault injection: a wrapper may fail, delay or repeat invocations.
     */
    public Builder wrapFunction(
        String name, java.util.function.UnaryOperator<LocalLambda.Function> wrapper) {
      wrappers.put(name, Objects.requireNonNull(wrapper, "wrapper"));
      return this;
    }

    /**
     * Wraps how the event source mapping invokes the coordinator, for fault injection: e.g. deliver
     * each batch twice, or lose the function's answer.
     */
    public Builder wrapMappingInvoker(java.util.function.UnaryOperator<FunctionInvoker> wrapper) {
      this.mappingInvoker = Objects.requireNonNull(wrapper, "wrapper");
      return this;
    }

    /** Kinesis (default) or Kafka. */
    public Builder source(Source source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * The job's class (a JobProvider with a public no-arg constructor), as the functions load it.
     */
    public Builder job(Class<? extends JobProvider> job) {
      this.job = Objects.requireNonNull(job, "job");
      return this;
    }

    /** Where scripts/install-tools.sh put kinesis-local ({@code <repo>/.tools}). */
    public Builder toolsDir(Path dir) {
      this.toolsDir = Objects.requireNonNull(dir, "toolsDir");
      return this;
    }

    /**
     * Keep the stack's data (DynamoDB tables, Kafka log) in {@code dir} across restarts; without
     * it, everything is temporary.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** Shards of the stream (Kinesis) or partitions of the topic (Kafka), 1 to 64. */
    public Builder shards(int shards) {
      if (shards < 1 || shards > 64) {
        throw new IllegalArgumentException(
            "shards is " + shards + "; use 1 to 64 for a local stream");
      }
      this.shards = shards;
      return this;
    }

    /**
     * Pollers of the Kafka mapping (default 1): each owns some of the topic's partitions and
     * invokes the coordinator while the others do ({@code
     * KafkaEventSourceMapping.Builder#pollers}).
     */
    public Builder kafkaPollers(int pollers) {
      this.kafkaPollers = pollers;
      this.kafkaMaxPollers = pollers;
      return this;
    }

    /**
     * Provisioned mode for the Kafka mapping: {@code minimum} pollers at the start, more (up to
     * {@code maximum}, at most one per partition) while the offset lag is high, evaluated every
     * {@code interval} (AWS: one minute); see {@code KafkaEventSourceMapping.Builder#pollers(int,
     * int)}.
     */
    public Builder kafkaPollers(int minimum, int maximum, Duration interval) {
      this.kafkaPollers = minimum;
      this.kafkaMaxPollers = maximum;
      this.kafkaScalingInterval = interval;
      return this;
    }

    /** Operator slots (TRIBUTARY_SLOTS). */
    public Builder slots(int slots) {
      this.slots = slots;
      return this;
    }

    /** Attempts before a record is dead-lettered (TRIBUTARY_MAX_ATTEMPTS). */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** How the coordinator runs slots: lambda, in-process or auto (TRIBUTARY_FAN_OUT). */
    public Builder fanOut(String fanOut) {
      this.fanOut = Objects.requireNonNull(fanOut, "fanOut");
      return this;
    }

    /** The tables' prefix (TRIBUTARY_TABLE_PREFIX). */
    public Builder tablePrefix(String prefix) {
      this.tablePrefix = Objects.requireNonNull(prefix, "tablePrefix");
      return this;
    }

    /** The stream's or topic's name. */
    public Builder streamName(String name) {
      this.streamName = Objects.requireNonNull(name, "streamName");
      return this;
    }

    /** How often the tick runs; zero for never (tests call {@link LocalStack#tick()}). */
    public Builder tickInterval(Duration every) {
      this.tickInterval = Objects.requireNonNull(every, "tickInterval");
      return this;
    }

    /** Splits without records this long leave the watermark (TRIBUTARY_IDLE_TIMEOUT). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = Objects.requireNonNull(timeout, "idleTimeout");
      return this;
    }

    /** The event source mapping's settings (its function name is set by the stack). */
    public Builder mapping(MappingSettings settings) {
      this.mapping = Objects.requireNonNull(settings, "mapping");
      return this;
    }

    /** Another function environment variable (overrides the stack's). */
    public Builder environment(String name, String value) {
      this.environment.put(name, value);
      return this;
    }

    /** Starts the stack; on a failure, stops what was started and rethrows. */
    public LocalStack start() {
      if (job == null) {
        throw new IllegalStateException("job is not set; call job(YourJob.class)");
      }
      LocalStack stack = new LocalStack(this);
      try {
        stack.start();
        return stack;
      } catch (RuntimeException | Error e) {
        try {
          stack.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
