package dev.tributary.local.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.ops.Context;
import dev.tributary.local.dynamodb.internal.ops.Engine;
import dev.tributary.local.dynamodb.internal.ops.IdempotencyCache;
import dev.tributary.local.dynamodb.internal.ops.Snapshots;
import dev.tributary.local.dynamodb.internal.ops.Targets;
import dev.tributary.local.dynamodb.internal.ops.TransactionHooks;
import dev.tributary.local.dynamodb.internal.ops.TtlSweeper;
import dev.tributary.local.dynamodb.internal.storage.Database;
import dev.tributary.local.dynamodb.internal.wire.HttpEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Tributary's embedded DynamoDB-compatible endpoint: the DynamoDB JSON protocol on 127.0.0.1 with
 * tables, secondary indexes, expressions, batch operations, transactions (serializable, with
 * idempotency tokens), capacity accounting, TTL, optional persistence and fault injection. Point
 * the AWS SDK, the AWS CLI or KCL at {@link #endpoint()} with any credentials.
 *
 * <pre>{@code
 * try (DynamoDbLocal local = DynamoDbLocal.builder().build()) {
 *   DynamoDbClient client = DynamoDbClient.builder()
 *       .endpointOverride(local.endpoint())
 *       .region(Region.US_EAST_1)
 *       .credentialsProvider(StaticCredentialsProvider.create(
 *           AwsBasicCredentials.create("local", "local")))
 *       .build();
 *   ...
 * }
 * }</pre>
 */
public final class DynamoDbLocal implements AutoCloseable {
  private final Context context;
  private final Engine engine;
  private final HttpEndpoint endpoint;
  private final Faults faults = new Faults();
  private final Path snapshotFile;
  private final ScheduledExecutorService sweeper;
  private final ThreadLocal<FaultRule> conflictRule = new ThreadLocal<>();
  private boolean closed;

  private DynamoDbLocal(Builder b) {
    TransactionHooks hooks =
        (table, key) -> {
          FaultRule rule = conflictRule.get();
          return rule != null
              && (rule.table() == null || rule.table().equals(table))
              && keyMatches(key, rule.key());
        };
    this.context =
        new Context(new Database(), b.clock, b.region, b.accountId, new IdempotencyCache(), hooks);
    this.engine = new Engine(context);
    this.snapshotFile = b.dataDir == null ? null : b.dataDir.resolve("dynamodb.json");
    if (snapshotFile != null) {
      Snapshots.load(engine, snapshotFile);
    }
    try {
      this.endpoint = new HttpEndpoint(b.port, engine, this::intercept);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot bind the DynamoDB endpoint to 127.0.0.1:"
              + b.port
              + " (is the port in use? use port 0 for any free port)",
          e);
    }
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dynamodb-local-ttl");
              t.setDaemon(true);
              return t;
            });
    long every = b.ttlSweepInterval.toMillis();
    sweeper.scheduleWithFixedDelay(
        () -> TtlSweeper.sweep(context), every, every, TimeUnit.MILLISECONDS);
  }

  /** A builder; {@code builder().build()} starts on a free port. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts an endpoint on a free port with the defaults. */
  public static DynamoDbLocal start() {
    return builder().build();
  }

  /** The endpoint URL, e.g. {@code http://127.0.0.1:43121}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** The port. */
  public int port() {
    return endpoint.port();
  }

  /** The fault-injection rules. */
  public Faults faults() {
    return faults;
  }

  /** Deletes expired items now (the background sweep runs by itself too); returns how many. */
  public int sweepExpiredItems() {
    return TtlSweeper.sweep(context);
  }

  /**
   * How many requests of each operation this endpoint has served since it started (failed ones
   * included), by operation name: what a run costs in round trips.
   */
  public Map<String, Long> operationCounts() {
    return engine.operationCounts();
  }

  /** Writes the snapshot now (it is also written on close when a data directory is set). */
  public void snapshot() {
    if (snapshotFile == null) {
      throw new IllegalStateException(
          "this endpoint has no data directory; build it with dataDir(...) to persist");
    }
    Snapshots.save(context, snapshotFile);
  }

  private JsonNode intercept(String operation, ObjectNode body, Supplier<JsonNode> call) {
    List<Targets.Target> targets = null;
    for (FaultRule rule : faults.rules()) {
      if (!rule.active() || (rule.operation() != null && !rule.operation().equals(operation))) {
        continue;
      }
      if (targets == null) {
        targets = Targets.of(operation, body);
      }
      if (!matches(rule, targets) || !rule.claim()) {
        continue;
      }
      switch (rule.action()) {
        case DELAY -> sleep(rule.delay());
        case APPLY_THEN_DROP_RESPONSE -> {
          try {
            call.get();
          } catch (DynamoException e) {
            // the client sees no answer either way
          }
          return null;
        }
        default -> {
          return fail(rule, operation, call);
        }
      }
    }
    return call.get();
  }

  private JsonNode fail(FaultRule rule, String operation, Supplier<JsonNode> call) {
    switch (rule.error()) {
      case TRANSACTION_CONFLICT -> {
        if (operation.equals("TransactWriteItems")) {
          conflictRule.set(rule);
          try {
            return call.get();
          } finally {
            conflictRule.remove();
          }
        }
        throw new DynamoException(
            "TransactionConflictException", 400, "Transaction is ongoing for the item");
      }
      case PROVISIONED_THROUGHPUT_EXCEEDED ->
          throw new DynamoException(
              "ProvisionedThroughputExceededException",
              400,
              "The level of configured provisioned throughput for the table was exceeded. Consider"
                  + " increasing your provisioning level with the UpdateTable API.");
      case THROTTLING ->
          throw new DynamoException(
              "ThrottlingException", 400, "Rate of requests exceeds the allowed throughput.");
      case REQUEST_LIMIT_EXCEEDED ->
          throw new DynamoException(
              "RequestLimitExceeded",
              400,
              "Throughput exceeds the current throughput limit for your account.");
      case ACCESS_DENIED ->
          throw new DynamoException(
              "AccessDeniedException",
              400,
              "User: arn:aws:iam::"
                  + context.accountId()
                  + ":user/local is not authorized to perform: dynamodb:"
                  + operation
                  + " because no identity-based policy allows the dynamodb:"
                  + operation
                  + " action");
      case TRANSACTION_IN_PROGRESS ->
          throw new DynamoException(
              "TransactionInProgressException",
              400,
              "The transaction with the given request token is already in progress.");
      default -> throw new DynamoException("InternalServerError", 500, "Internal server error");
    }
  }

  private static boolean matches(FaultRule rule, List<Targets.Target> targets) {
    if (rule.table() == null && rule.key().isEmpty()) {
      return true;
    }
    for (Targets.Target t : targets) {
      if ((rule.table() == null || rule.table().equals(t.table()))
          && Targets.keyMatches(t.key(), rule.key())) {
        return true;
      }
    }
    return false;
  }

  private static boolean keyMatches(Map<String, Value> key, Map<String, String> expected) {
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Value v = key.get(e.getKey());
      String text = v instanceof Value.S s ? s.value() : v instanceof Value.N n ? n.text() : null;
      if (!e.getValue().equals(text)) {
        return false;
      }
    }
    return true;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops serving, frees the port and, with a data directory, writes the snapshot. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    sweeper.shutdownNow();
    endpoint.close();
    if (snapshotFile != null) {
      Snapshots.save(context, snapshotFile);
    }
  }

  /** Settings of a {@link DynamoDbLocal}. */
  public static final class Builder {
    private int port;
    private Path dataDir;
    private Duration ttlSweepInterval = Duration.ofSeconds(30);
    private LongSupplier clock = System::currentTimeMillis;
    private String region = "us-east-1";
    private String accountId = "000000000000";

    private Builder() {}

    /** The port on 127.0.0.1 (default 0: any free port). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "port is " + port + "; use 0 to 65535 (0 = any free port)");
      }
      this.port = port;
      return this;
    }

    /** Loads {@code dir/dynamodb.json} at start and writes it on close. */
    public Builder dataDir(Path dir) {
      this.dataDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** How often expired TTL items are deleted (default 30 s). */
    public Builder ttlSweepInterval(Duration interval) {
      if (interval == null || interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException(
            "ttlSweepInterval is " + interval + "; it must be positive");
      }
      this.ttlSweepInterval = interval;
      return this;
    }

    /** The clock for TTL and idempotency windows (default: system time). */
    public Builder clock(LongSupplier epochMillis) {
      this.clock = Objects.requireNonNull(epochMillis, "clock");
      return this;
    }

    /** The region in ARNs (default us-east-1). */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** The account id in ARNs (default 000000000000). */
    public Builder accountId(String accountId) {
      this.accountId = Objects.requireNonNull(accountId, "accountId");
      return this;
    }

    /** Starts the endpoint. */
    public DynamoDbLocal build() {
      return new DynamoDbLocal(this);
    }
  }
}
