package dev.tributary.cli;

import dev.tributary.JobProvider;
import dev.tributary.coordinator.KinesisHandler;
import dev.tributary.local.esm.MappingSettings;
import dev.tributary.local.kinesis.KinesisLocal;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.state.dynamodb.Checkpoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * The job deployed to a running LocalStack (the endpoint in {@code AWS_ENDPOINT_URL}): the runner
 * creates the Kinesis stream, the job's DynamoDB tables, the coordinator, tick and operator
 * functions from the job's Lambda jar (java21, the same handlers as on AWS), and a Kinesis event
 * source mapping with {@code ReportBatchItemFailures}; it invokes the tick every interval, as the
 * EventBridge rule of a real deployment does. Inside LocalStack's Lambda containers the functions
 * reach LocalStack through the {@code AWS_ENDPOINT_URL} LocalStack sets there. {@link #close()}
 * deletes everything it created.
 *
 * <p>Kinesis only: LocalStack's Kafka (MSK) event source mappings need its paid edition.
 */
public final class LocalStackDeployment implements JobStack {
  private final URI endpoint;
  private final DynamoDbClient dynamo;
  private final KinesisClient kinesis;
  private final LambdaClient lambda;
  private final RuntimeSettings settings;
  private final String stream;
  private final List<AutoCloseable> undo = new ArrayList<>();
  private final Map<String, Long> invocations = new HashMap<>();
  private final CommittedRecords produced = new CommittedRecords();
  // read and written by the progress loop's thread only
  private long lastCount = -1;
  private long lastCounted;

  private LocalStackDeployment(
      URI endpoint, Region region, String stream, RuntimeSettings settings) {
    this.endpoint = endpoint;
    this.stream = stream;
    this.settings = settings;
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(
                env("AWS_ACCESS_KEY_ID").orElse("test"),
                env("AWS_SECRET_ACCESS_KEY").orElse("test")));
    dynamo =
        DynamoDbClient.builder()
            .endpointOverride(endpoint)
            .region(region)
            .credentialsProvider(credentials)
            .httpClient(ApacheHttpClient.builder().build())
            .build();
    kinesis =
        KinesisClient.builder()
            .endpointOverride(endpoint)
            .region(region)
            .credentialsProvider(credentials)
            .httpClient(ApacheHttpClient.builder().build())
            .build();
    lambda =
        LambdaClient.builder()
            .endpointOverride(endpoint)
            .region(region)
            .credentialsProvider(credentials)
            .httpClient(ApacheHttpClient.builder().socketTimeout(Duration.ofMinutes(5)).build())
            .build();
  }

  /**
   * The LocalStack endpoint from {@code AWS_ENDPOINT_URL}, if it is set and accepts connections;
   * otherwise empty, with the reason in {@link #unavailableReason()}.
   */
  public static Optional<URI> endpoint() {
    return unavailableReason().isPresent()
        ? Optional.empty()
        : Optional.of(URI.create(env("AWS_ENDPOINT_URL").orElseThrow()));
  }

  /** Why LocalStack mode cannot run here, or empty when it can. */
  public static Optional<String> unavailableReason() {
    Optional<String> url = env("AWS_ENDPOINT_URL");
    if (url.isEmpty()) {
      return Optional.of(
          "AWS_ENDPOINT_URL is not set; start LocalStack (e.g. `localstack start`) and set"
              + " AWS_ENDPOINT_URL=http://localhost:4566 to run against it");
    }
    URI uri;
    try {
      uri = URI.create(url.get());
    } catch (IllegalArgumentException e) {
      return Optional.of("AWS_ENDPOINT_URL is '" + url.get() + "', which is not a URL");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), 1_000);
    } catch (IOException e) {
      return Optional.of(
          "AWS_ENDPOINT_URL is "
              + url.get()
              + " but nothing accepts connections there ("
              + e
              + "); start LocalStack or unset the variable");
    }
    return notLocalStack(uri);
  }

  /**
   * Why the endpoint at {@code uri} is not LocalStack, or empty when it is: LocalStack answers
   * {@code GET /_localstack/health} with the state of its services. AWS_ENDPOINT_URL is a standard
   * SDK variable that other tools use too, and LocalStack mode creates tables, a stream and
   * functions with the environment's credentials: it deploys only where LocalStack says it runs.
   */
  static Optional<String> notLocalStack(URI uri) {
    URI health = uri.resolve("/_localstack/health");
    try {
      java.net.http.HttpResponse<String> answer =
          java.net.http.HttpClient.newBuilder()
              .version(java.net.http.HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(
                  java.net.http.HttpRequest.newBuilder(health)
                      .timeout(Duration.ofSeconds(5))
                      .GET()
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      com.fasterxml.jackson.databind.JsonNode services =
          answer.statusCode() == 200 ? servicesOf(answer.body()) : null;
      if (services != null) {
        List<String> missing = new ArrayList<>();
        for (String service : List.of("dynamodb", "kinesis", "lambda")) {
          String status = services.path(service).asText("");
          if (!status.equals("available") && !status.equals("running")) {
            missing.add(service + (status.isEmpty() ? "" : " (" + status + ")"));
          }
        }
        if (missing.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(
            "the LocalStack at "
                + uri
                + " does not serve "
                + String.join(", ", missing)
                + "; LocalStack mode needs DynamoDB, Kinesis and Lambda (start LocalStack without"
                + " a SERVICES list that leaves them out)");
      }
      return Optional.of(
          "AWS_ENDPOINT_URL is "
              + uri
              + " but it is not LocalStack: GET "
              + health
              + " answered "
              + answer.statusCode()
              + " without LocalStack's service list. LocalStack mode deploys only to LocalStack;"
              + " unset AWS_ENDPOINT_URL to run on the embedded local stack");
    } catch (IOException e) {
      return Optional.of(
          "AWS_ENDPOINT_URL is "
              + uri
              + " but GET "
              + health
              + " failed ("
              + e
              + "); LocalStack mode deploys only to LocalStack: start it, or unset the variable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while asking " + health + " whether LocalStack runs there");
    }
  }

  /** The {@code services} object of a health answer, or null when it has none. */
  private static com.fasterxml.jackson.databind.JsonNode servicesOf(String body) {
    try {
      com.fasterxml.jackson.databind.JsonNode services =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("services");
      return services != null && services.isObject() ? services : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The functions' architecture: the host's, since LocalStack runs a function's container on the
   * platform its architecture names (arm64 on an x86_64 host needs emulation, and without it the
   * container does not start) and the job's jar is plain Java, fine on either.
   */
  static Architecture architecture(String osArch) {
    return osArch.equals("aarch64") || osArch.equals("arm64")
        ? Architecture.ARM64
        : Architecture.X86_64;
  }

  /**
   * Deploys {@code job} from {@code jar} to the LocalStack at {@code endpoint}: stream {@code
   * stream} with {@code shards} shards, tables with {@code tablePrefix}, three functions and the
   * mapping; ticks every {@code tick}.
   */
  public static LocalStackDeployment deploy(
      URI endpoint,
      Class<? extends JobProvider> job,
      Path jar,
      String stream,
      int shards,
      int slots,
      String tablePrefix,
      MappingSettings mapping,
      Duration tick) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          "the job's Lambda jar "
              + jar
              + " does not exist; build it with `mvn -pl examples-lambda -am package -DskipTests`"
              + " (or pass your own shaded job jar)");
    }
    Map<String, String> env = new HashMap<>();
    env.put(RuntimeSettings.JOB_CLASS, job.getName());
    env.put(RuntimeSettings.TABLE_PREFIX, tablePrefix);
    env.put(RuntimeSettings.SLOTS, Integer.toString(slots));
    env.put(RuntimeSettings.OPERATOR_FUNCTION, LocalStack.OPERATOR);
    env.put(RuntimeSettings.FAN_OUT, "lambda");
    // a short idle timeout, so that the tick closes the last windows soon after the workload ends
    env.put(RuntimeSettings.IDLE_TIMEOUT, "PT5S");
    env.put(
        RuntimeSettings.PARALLELIZATION_FACTOR, Integer.toString(mapping.parallelizationFactor()));
    // a new stream's shards are shardId-000000000000 and up: each holds the watermark until it
    // delivers, so that no shard finds its first records late
    List<String> splits = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      splits.add(
          KinesisHandler.splitName(
              stream, String.format(java.util.Locale.ROOT, "shardId-%012d", i)));
    }
    env.put(RuntimeSettings.SPLITS, String.join(",", splits));
    RuntimeSettings settings = RuntimeSettings.from(env);
    Region region =
        Region.of(env("AWS_REGION").orElse(env("AWS_DEFAULT_REGION").orElse("us-east-1")));
    LocalStackDeployment d = new LocalStackDeployment(endpoint, region, stream, settings);
    try {
      d.create(jar, shards, env, mapping, tick);
      return d;
    } catch (RuntimeException e) {
      try {
        d.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void create(
      Path jar, int shards, Map<String, String> env, MappingSettings mapping, Duration tick) {
    settings.tables().createIfMissing(dynamo);
    undo.add(
        () -> {
          for (String table : settings.tables().names()) {
            dynamo.deleteTable(b -> b.tableName(table));
          }
        });
    try {
      kinesis.createStream(b -> b.streamName(stream).shardCount(shards));
    } catch (software.amazon.awssdk.services.kinesis.model.ResourceInUseException e) {
      throw leftOver(
          "Kinesis stream", stream, "aws kinesis delete-stream --stream-name " + stream, e);
    }
    undo.add(() -> kinesis.deleteStream(b -> b.streamName(stream).enforceConsumerDeletion(true)));
    KinesisLocal.awaitActive(kinesis, stream, Duration.ofSeconds(30));
    String streamArn =
        kinesis
            .describeStreamSummary(b -> b.streamName(stream))
            .streamDescriptionSummary()
            .streamARN();

    SdkBytes code;
    try {
      code = SdkBytes.fromByteArray(Files.readAllBytes(jar));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the job's jar " + jar, e);
    }
    function(
        LocalStack.OPERATOR, "dev.tributary.operator.OperatorHandler::handleRequest", code, env);
    function(
        LocalStack.COORDINATOR,
        "dev.tributary.coordinator.KinesisHandler::handleRequest",
        code,
        env);
    function(LocalStack.TICK, "dev.tributary.coordinator.TickHandler::handleRequest", code, env);

    String uuid =
        lambda
            .createEventSourceMapping(
                b ->
                    b.functionName(LocalStack.COORDINATOR)
                        .eventSourceArn(streamArn)
                        .startingPosition(
                            EventSourcePosition.fromValue(mapping.startingPosition().name()))
                        .batchSize(mapping.batchSize())
                        .maximumBatchingWindowInSeconds(
                            (int) mapping.maximumBatchingWindow().toSeconds())
                        .parallelizationFactor(mapping.parallelizationFactor())
                        .maximumRetryAttempts(mapping.maximumRetryAttempts())
                        .bisectBatchOnFunctionError(mapping.bisectBatchOnFunctionError())
                        .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES))
            .uuid();
    undo.add(() -> lambda.deleteEventSourceMapping(b -> b.uuid(uuid)));

    if (!tick.isZero()) {
      undo.add(TickSchedule.start("tributary-localstack-tick", tick, this::tick));
    }
  }

  private void function(String name, String handler, SdkBytes code, Map<String, String> env) {
    try {
      lambda.createFunction(
          b ->
              b.functionName(name)
                  .runtime(Runtime.JAVA21)
                  .architectures(architecture(System.getProperty("os.arch")))
                  .handler(handler)
                  .role("arn:aws:iam::000000000000:role/tributary-local")
                  .memorySize(1024)
                  .timeout(120)
                  .code(c -> c.zipFile(code))
                  .environment(e -> e.variables(env)));
    } catch (software.amazon.awssdk.services.lambda.model.ResourceConflictException e) {
      throw leftOver("function", name, "aws lambda delete-function --function-name " + name, e);
    }
    undo.add(
        () -> {
          try {
            lambda.deleteFunction(b -> b.functionName(name));
          } catch (ResourceNotFoundException gone) {
            // deleted already
          }
        });
    lambda.waiter().waitUntilFunctionActiveV2(b -> b.functionName(name));
  }

  /**
   * A resource of this name exists already: left by a run that was killed before it could delete
   * what it created (LocalStack keeps its state while it runs).
   */
  private IllegalStateException leftOver(
      String kind, String name, String deleteCommand, RuntimeException cause) {
    return new IllegalStateException(
        "a "
            + kind
            + " named "
            + name
            + " exists in the LocalStack at "
            + endpoint
            + " already, most likely left by a run that was killed before it cleaned up; delete it"
            + " (`"
            + deleteCommand
            + " --endpoint-url "
            + endpoint
            + "`) or restart LocalStack, then run again",
        cause);
  }

  private void tick() {
    String event = TickSchedule.event("localstack-tick");
    try {
      lambda.invoke(
          b ->
              b.functionName(LocalStack.TICK)
                  .invocationType(InvocationType.REQUEST_RESPONSE)
                  .payload(SdkBytes.fromString(event, StandardCharsets.UTF_8)));
      synchronized (invocations) {
        invocations.merge(LocalStack.TICK, 1L, Long::sum);
      }
    } catch (RuntimeException e) {
      // the next tick tries again, as the schedule would
    }
  }

  /** The LocalStack endpoint. */
  public URI endpointUri() {
    return endpoint;
  }

  @Override
  public DynamoDbClient dynamo() {
    return dynamo;
  }

  @Override
  public RuntimeSettings settings() {
    return settings;
  }

  @Override
  public void produce(Iterator<Workload.Event> events) {
    List<software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry> batch =
        new ArrayList<>();
    while (events.hasNext()) {
      Workload.Event e = events.next();
      batch.add(
          software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry.builder()
              .partitionKey(e.key())
              .data(SdkBytes.fromByteArrayUnsafe(e.payload()))
              .build());
      if (batch.size() == 500 || !events.hasNext()) {
        List<software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry> stored =
            KinesisSource.putAll(kinesis, stream, batch);
        for (int i = 0; i < batch.size(); i++) {
          produced.add(
              stream + "/" + stored.get(i).shardId(),
              stored.get(i).sequenceNumber(),
              batch.get(i).partitionKey());
        }
        batch = new ArrayList<>();
      }
    }
  }

  /**
   * LocalStack does not report its mapping's counters, so the records delivered are counted from
   * the job's checkpoints ({@link CommittedRecords}): records committed, read at most every 5 s (a
   * Scan of the state table). Invocations and errors are unknown (-1).
   */
  @Override
  public MappingProgress progress() {
    long now = System.nanoTime();
    if (lastCount < 0 || now - lastCounted >= java.time.Duration.ofSeconds(5).toNanos()) {
      lastCounted = now;
      try {
        // the Scan runs while the producer goes on: only the count takes the records' lock
        lastCount =
            produced.committed(
                new Checkpoints(dynamo, settings.tables(), settings.graph().jobName()).furthest());
      } catch (RuntimeException e) {
        // a failed reading keeps the last count; the next one comes in 5 s
        lastCount = Math.max(lastCount, 0);
      }
    }
    return new MappingProgress(lastCount, -1, -1, -1, Map.of());
  }

  @Override
  public List<String> splits() {
    List<String> out = new ArrayList<>();
    for (Shard shard : kinesis.listShards(b -> b.streamName(stream)).shards()) {
      out.add(stream + "/" + shard.shardId());
    }
    return out;
  }

  @Override
  public long invocations(String function) {
    synchronized (invocations) {
      return invocations.getOrDefault(function, -1L);
    }
  }

  /** Deletes the mapping, the functions, the stream and the tables, in reverse order. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = undo.size() - 1; i >= 0; i--) {
      try {
        undo.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("cleaning up the LocalStack deployment failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    undo.clear();
    lambda.close();
    kinesis.close();
    dynamo.close();
    if (failure != null) {
      throw failure;
    }
  }

  private static Optional<String> env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }
}
