package dev.tributary.benchmarks.dynamodb;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Tributary's embedded DynamoDB endpoint side by side with dynalite, in one run, through the AWS
 * SDK v2 sync client over loopback: PutItem and GetItem with one and with {@code --threads} client
 * threads, and 10-action TransactWriteItems with {@code --threads} threads (dynalite has no
 * transactions). Local tests and the local stack spend most of their time in these calls, so their
 * speed against the usual open-source stand-in is what this measures.
 *
 * <p>Our endpoint runs in this JVM; dynalite runs as a child process stopped by its pid when the
 * run ends or fails. A first pass runs every row on both endpoints unmeasured (the client's JIT
 * warm-up would otherwise count against whichever endpoint went first); then each row warms up both
 * endpoints again and measures them in alternating slices, so that both see the same share of
 * whatever else a shared machine is doing, which the run reports as well.
 *
 * <p>Options: {@code --seconds N} per measurement (default 10), {@code --warmup N} seconds (default
 * 5), {@code --threads N} (default 4), {@code --slices N} per measurement (default 5), {@code
 * --preload N} items read by GetItem (default 10,000), {@code --dynalite DIR} (default {@code
 * .tools/node/node_modules/dynalite}).
 */
public final class DynamoDbEndpointBenchmark {
  /** The benchmark table on each endpoint. */
  static final String TABLE = "bench";

  private DynamoDbEndpointBenchmark() {}

  /** The command line. */
  record Options(
      int seconds, int warmupSeconds, int threads, int slices, int preload, Path dynaliteDir) {
    static Options parse(String[] args) {
      int seconds = 10;
      int warmup = 5;
      int threads = 4;
      int slices = 5;
      int preload = 10_000;
      Path dynalite = projectRoot().resolve(".tools/node/node_modules/dynalite");
      for (int i = 0; i < args.length; i++) {
        String option = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(option + " needs a value, e.g. " + option + " 10");
        }
        String value = args[++i];
        switch (option) {
          case "--seconds" -> seconds = positive(option, value);
          case "--warmup" -> warmup = nonNegative(option, value);
          case "--threads" -> threads = positive(option, value);
          case "--slices" -> slices = positive(option, value);
          case "--preload" -> preload = positive(option, value);
          case "--dynalite" -> dynalite = Path.of(value).toAbsolutePath();
          default ->
              throw new IllegalArgumentException(
                  "unknown option "
                      + option
                      + "; use --seconds N, --warmup N, --threads N, --slices N, --preload N,"
                      + " --dynalite DIR");
        }
      }
      return new Options(seconds, warmup, threads, slices, preload, dynalite);
    }

    private static int positive(String option, String value) {
      int n = nonNegative(option, value);
      if (n == 0) {
        throw new IllegalArgumentException(option + " is 0; it must be 1 or more");
      }
      return n;
    }

    private static int nonNegative(String option, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n < 0) {
          throw new IllegalArgumentException(option + " is " + n + "; it must not be negative");
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            option + " is '" + value + "'; it takes a whole number, e.g. " + option + " 10", e);
      }
    }
  }

  /** One row of the table. */
  record Row(Operation operation, int threads) {}

  /**
   * The rows: Put and Get with 1 and {@code threads} threads, transactions with {@code threads}.
   */
  static List<Row> rows(int threads) {
    List<Row> rows = new ArrayList<>();
    for (Operation op : List.of(Operation.PUT_ITEM, Operation.GET_ITEM)) {
      rows.add(new Row(op, 1));
      if (threads != 1) {
        rows.add(new Row(op, threads));
      }
    }
    rows.add(new Row(Operation.TRANSACT_WRITE_ITEMS, threads));
    return rows;
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Duration warmup = Duration.ofSeconds(options.warmupSeconds());
    Duration duration = Duration.ofSeconds(options.seconds());
    System.out.printf(
        Locale.ROOT,
        "Tributary DynamoDbLocal (in this JVM) vs dynalite %s (node %s, child process); AWS SDK v2"
            + " sync client (Apache HTTP client), loopback; items ~%d B; %d s per measurement after %d s"
            + " warm-up; Java %s, %d cores%n",
        DynaliteProcess.version(options.dynaliteDir()),
        nodeVersion(),
        Items.TARGET_BYTES,
        options.seconds(),
        options.warmupSeconds(),
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());

    Map<Row, Measurement[]> results = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    double busiest = 0;
    try (DynamoDbLocal local = DynamoDbLocal.start();
        DynaliteProcess dynalite =
            DynaliteProcess.start(options.dynaliteDir(), Duration.ofSeconds(30));
        DynamoDbClient tributaryClient = client(local.endpoint());
        DynamoDbClient dynaliteClient = client(dynalite.endpoint())) {
      System.out.printf(
          Locale.ROOT,
          "  Tributary at %s, dynalite at %s (pid %d)%n",
          local.endpoint(),
          dynalite.endpoint(),
          dynalite.pid());
      Operation.Endpoint[] endpoints = {
        setUp("tributary", tributaryClient, options.preload()),
        setUp("dynalite", dynaliteClient, options.preload())
      };
      boolean[] transactions = new boolean[endpoints.length];
      for (int e = 0; e < endpoints.length; e++) {
        transactions[e] = supportsTransactions(endpoints[e], e == 0);
      }
      // on two cores the JIT needs tens of seconds for the SDK's and the endpoint's code
      if (!warmup.isZero()) {
        System.out.printf(
            Locale.ROOT, "  warming up: every row on both endpoints for %s each%n", warmup);
        for (Row row : rows(options.threads())) {
          for (int e = 0; e < endpoints.length; e++) {
            if (row.operation() != Operation.TRANSACT_WRITE_ITEMS || transactions[e]) {
              LoadRunner.run(endpoints[e], row.operation(), row.threads(), Duration.ZERO, warmup);
            }
          }
        }
      }
      OtherLoad load = OtherLoad.start(dynalite.pid());
      for (Row row : rows(options.threads())) {
        List<Operation.Endpoint> measured = new ArrayList<>();
        for (int e = 0; e < endpoints.length; e++) {
          if (row.operation() != Operation.TRANSACT_WRITE_ITEMS || transactions[e]) {
            measured.add(endpoints[e]);
          }
        }
        load.reset();
        List<Measurement> ms =
            LoadRunner.interleaved(
                measured, row.operation(), row.threads(), warmup, duration, options.slices());
        double others = load.cores();
        busiest = Double.isNaN(others) ? busiest : Math.max(busiest, others);
        Measurement[] pair = new Measurement[endpoints.length];
        for (int i = 0; i < measured.size(); i++) {
          Measurement m = ms.get(i);
          pair[List.of(endpoints).indexOf(measured.get(i))] = m;
          System.out.printf(
              Locale.ROOT,
              "  %-30s %2d threads %-9s %,10.0f ops/s  p50 %s  p99 %s  max %s%s%n",
              row.operation().label(),
              row.threads(),
              measured.get(i).name(),
              m.opsPerSecond(),
              millis(m.p50Nanos()),
              millis(m.p99Nanos()),
              millis(m.maxNanos()),
              m.errors() == 0 ? "" : "  (" + m.errors() + " failed calls)");
          if (m.errors() > 0) {
            warnings.add(
                String.format(
                    Locale.ROOT,
                    "%s, %d threads, %s: %,d failed calls, first: %s",
                    row.operation().label(),
                    row.threads(),
                    measured.get(i).name(),
                    m.errors(),
                    m.firstError()));
          }
        }
        System.out.printf(Locale.ROOT, "  %32s other processes kept %.2f cores busy%n", "", others);
        results.put(row, pair);
      }
    }
    System.out.println();
    System.out.println(
        "| operation | threads | Tributary ops/s | p50 | p99 | dynalite ops/s | p50 | p99 | ratio |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    results.forEach((row, pair) -> System.out.println(tableRow(row, pair[0], pair[1])));
    System.out.println();
    System.out.println(
        "ratio = Tributary ops/s / dynalite ops/s; latencies are per call as the client sees it"
            + " (SDK marshalling, HTTP and server time).");
    System.out.printf(
        Locale.ROOT,
        "Other processes kept at most %.2f of %d cores busy during a row (0 on a quiet machine).%n",
        busiest,
        Runtime.getRuntime().availableProcessors());
    warnings.forEach(w -> System.out.println("WARNING: " + w));
  }

  /** One markdown row; {@code dynalite} null means it does not support the operation. */
  static String tableRow(Row row, Measurement tributary, Measurement dynalite) {
    String ours =
        String.format(
            Locale.ROOT,
            "%,.0f | %s | %s",
            tributary.opsPerSecond(),
            millis(tributary.p50Nanos()),
            millis(tributary.p99Nanos()));
    String theirs =
        dynalite == null
            ? "n/a (unsupported) | n/a | n/a"
            : String.format(
                Locale.ROOT,
                "%,.0f | %s | %s",
                dynalite.opsPerSecond(),
                millis(dynalite.p50Nanos()),
                millis(dynalite.p99Nanos()));
    String ratio =
        dynalite == null || dynalite.opsPerSecond() == 0
            ? "n/a"
            : String.format(
                Locale.ROOT, "%.2fx", tributary.opsPerSecond() / dynalite.opsPerSecond());
    return String.format(
        Locale.ROOT,
        "| %s | %d | %s | %s | %s |",
        row.operation().label(),
        row.threads(),
        ours,
        theirs,
        ratio);
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  /** Creates the table on one endpoint and preloads the items GetItem reads. */
  static Operation.Endpoint setUp(String name, DynamoDbClient client, int preload) {
    createTable(client, TABLE);
    preload(client, TABLE, preload);
    return new Operation.Endpoint(name, client, TABLE, preload);
  }

  /**
   * A sync client for {@code endpoint}: dummy credentials, no retries, a 10 s socket timeout. The
   * Apache HTTP client, because the url-connection client adds about 1.3 ms to every call on
   * loopback (it writes headers and body separately, and the body waits on Nagle's algorithm for
   * the server's delayed ACK), which would hide both endpoints behind the client.
   */
  static DynamoDbClient client(URI endpoint) {
    Duration timeout = Duration.ofSeconds(10);
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(
            ApacheHttpClient.builder()
                .maxConnections(64)
                .connectionTimeout(timeout)
                .socketTimeout(timeout)
                .build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** Creates an on-demand table with a string hash key and waits until it is ACTIVE. */
  static void createTable(DynamoDbClient client, String table) {
    client.createTable(
        b ->
            b.tableName(table)
                .keySchema(
                    KeySchemaElement.builder()
                        .attributeName(Items.KEY)
                        .keyType(KeyType.HASH)
                        .build())
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName(Items.KEY)
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (client.describeTable(b -> b.tableName(table)).table().tableStatus()
        != TableStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("table " + table + " did not become ACTIVE within 30 s");
      }
      sleep(20);
    }
  }

  /** Writes the {@code count} items GetItem reads, 25 per BatchWriteItem. */
  static void preload(DynamoDbClient client, String table, int count) {
    for (int start = 0; start < count; start += 25) {
      List<WriteRequest> batch = new ArrayList<>(25);
      for (int i = start; i < Math.min(count, start + 25); i++) {
        Map<String, AttributeValue> item = Items.item(Items.key(Operation.PRELOAD_PREFIX, 0, i), i);
        batch.add(
            WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
      }
      Map<String, List<WriteRequest>> pending = Map.of(table, batch);
      for (int attempt = 0; !pending.isEmpty(); attempt++) {
        if (attempt == 10) {
          throw new IllegalStateException(
              "preloading " + table + ": items stayed unprocessed after 10 BatchWriteItem calls");
        }
        Map<String, List<WriteRequest>> request = pending;
        BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(request));
        pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
      }
    }
  }

  private static boolean supportsTransactions(Operation.Endpoint endpoint, boolean required) {
    try {
      LoadRunner.probe(endpoint, Operation.TRANSACT_WRITE_ITEMS);
      return true;
    } catch (SdkException e) {
      if (required) {
        throw new IllegalStateException(
            endpoint.name() + " rejected a 10-action TransactWriteItems: " + e.getMessage(), e);
      }
      System.out.println(
          "  "
              + endpoint.name()
              + " does not support TransactWriteItems ("
              + e.getMessage()
              + "); its transaction row shows n/a");
      return false;
    }
  }

  private static String nodeVersion() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return out.startsWith("v") ? out.substring(1) : out;
    } catch (IOException e) {
      return "not found";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /**
   * The directory holding scripts/install-tools.sh, searched upwards from the working directory.
   */
  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/install-tools.sh"))) {
      dir = dir.getParent();
    }
    return dir == null ? Path.of("").toAbsolutePath() : dir;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
