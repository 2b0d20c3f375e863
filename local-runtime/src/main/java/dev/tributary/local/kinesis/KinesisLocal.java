package dev.tributary.local.kinesis;

import dev.tributary.local.process.LocalProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The local Kinesis endpoint: <a href="https://github.com/etspaceman/kinesis-mock">kinesis-mock</a>
 * (the engine LocalStack uses; npm package {@code kinesis-local}, MIT) run with Node.js as a child
 * process on 127.0.0.1, for the AWS SDK v2 {@code KinesisClient} and KCL.
 *
 * <p>{@code scripts/install-tools.sh} installs the package (version {@value #VERSION}) into {@code
 * <repo>/.tools/node/node_modules/kinesis-local}; the Maven build runs it before the tests.
 *
 * <pre>{@code
 * try (KinesisLocal kinesis = KinesisLocal.start(Path.of(".tools"))) {
 *   KinesisClient client = KinesisClient.builder()
 *       .endpointOverride(kinesis.endpoint())           // plain HTTP
 *       .region(Region.US_EAST_1)
 *       .credentialsProvider(StaticCredentialsProvider.create(
 *           AwsBasicCredentials.create("local", "local")))
 *       .build();
 * }
 * }</pre>
 *
 * <p>How it runs: {@code node --require loopback-only.cjs main.js} in the package directory (the
 * server reads its TLS certificate {@code server.json} from there), with {@code
 * KINESIS_MOCK_PLAIN_PORT} and {@code KINESIS_MOCK_TLS_PORT} set to free ports, every {@code
 * *_DURATION} (how long a stream stays CREATING, UPDATING after a split, merge or resharding, and
 * so on; 500 ms by default in kinesis-mock) set to {@link Builder#operationDuration 100 ms}, {@code
 * LOG_LEVEL=WARN}, region {@code us-east-1}, account {@code 000000000000} and persistence off.
 * kinesis-mock always listens on all interfaces; the preloaded {@code loopback-only.cjs} makes it
 * listen on 127.0.0.1 only. {@code start} returns once {@code GET /healthcheck} answers 200 on the
 * plain port (about 1.5 to 3 s). {@link #close()} stops the process by its pid (and any
 * descendants; node does not fork here), and a shutdown hook does so if the JVM exits first.
 *
 * <p>CBOR: the SDK v2 Kinesis client speaks CBOR by default ({@code aws.cborEnabled}). kinesis-mock
 * answers CBOR requests too, and the SDK works with it as is over plain HTTP; {@code
 * aws.cborEnabled=false} (or {@code CBOR_ENABLED=false}) is not needed. See {@code
 * docs/local-runtime.md}.
 */
public final class KinesisLocal implements AutoCloseable {
  /** The kinesis-local version {@code scripts/install-tools.sh} installs and this class runs. */
  public static final String VERSION = "0.6.2";

  /** The npm package name. */
  public static final String PACKAGE = "kinesis-local";

  /** The region the endpoint defaults to. */
  public static final String REGION = "us-east-1";

  /** The account the endpoint's ARNs use. */
  public static final String ACCOUNT_ID = "000000000000";

  private static final String[] DURATION_SETTINGS = {
    "CREATE_STREAM_DURATION",
    "DELETE_STREAM_DURATION",
    "REGISTER_STREAM_CONSUMER_DURATION",
    "DEREGISTER_STREAM_CONSUMER_DURATION",
    "START_STREAM_ENCRYPTION_DURATION",
    "STOP_STREAM_ENCRYPTION_DURATION",
    "MERGE_SHARDS_DURATION",
    "SPLIT_SHARD_DURATION",
    "UPDATE_SHARD_COUNT_DURATION",
    "UPDATE_STREAM_MODE_DURATION",
  };

  private static final int PORT_ATTEMPTS = 3;
  private static final Duration STOP_GRACE = Duration.ofSeconds(1);
  private static Path preload;

  private final LocalProcess process;
  private final Path packageDir;
  private final int port;
  private final int tlsPort;
  private final Duration startupTime;

  private KinesisLocal(
      LocalProcess process, Path packageDir, int port, int tlsPort, Duration startupTime) {
    this.process = process;
    this.packageDir = packageDir;
    this.port = port;
    this.tlsPort = tlsPort;
    this.startupTime = startupTime;
  }

  /**
   * Starts kinesis-local from {@code toolsDir} (the project's {@code .tools} directory, its {@code
   * node} directory or the package directory itself) on free ports with the default settings.
   *
   * @throws IllegalArgumentException if the package is not installed there
   * @throws IllegalStateException if node is missing or the server does not start
   */
  public static KinesisLocal start(Path toolsDir) {
    return builder().toolsDir(toolsDir).start();
  }

  /** A builder with the default settings; set {@link Builder#toolsDir} or packageDir. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The kinesis-local package directory under {@code toolsDir}: {@code toolsDir} itself if it holds
   * the package ({@code main.js} and {@code server.json}), else {@code
   * toolsDir/node_modules/kinesis-local}, else {@code toolsDir/node/node_modules/kinesis-local}
   * (for {@code <repo>/.tools}); empty if none holds it.
   */
  public static Optional<Path> findPackageDir(Path toolsDir) {
    for (Path candidate : candidates(toolsDir)) {
      if (isPackage(candidate)) {
        return Optional.of(candidate.toAbsolutePath().normalize());
      }
    }
    return Optional.empty();
  }

  /**
   * Why kinesis-local cannot start from {@code toolsDir} (node not on the PATH, or the package not
   * installed), or empty if it can; for tests that skip instead of failing.
   */
  public static Optional<String> unavailableReason(Path toolsDir) {
    if (LocalProcess.onPath("node").isEmpty()) {
      return Optional.of(
          "node is not on the PATH; KinesisLocal needs Node.js 20 or newer (or Builder.node(path))");
    }
    if (findPackageDir(toolsDir).isEmpty()) {
      return Optional.of(notInstalled(toolsDir));
    }
    return Optional.empty();
  }

  private static List<Path> candidates(Path toolsDir) {
    Path dir = toolsDir.toAbsolutePath().normalize();
    return List.of(
        dir,
        dir.resolve("node_modules").resolve(PACKAGE),
        dir.resolve("node/node_modules/" + PACKAGE));
  }

  private static boolean isPackage(Path dir) {
    return Files.isRegularFile(dir.resolve("main.js"))
        && Files.isRegularFile(dir.resolve("server.json"));
  }

  private static String notInstalled(Path toolsDir) {
    return "kinesis-local is not installed under "
        + toolsDir.toAbsolutePath().normalize()
        + " (looked for main.js and server.json in "
        + candidates(toolsDir)
        + "); run scripts/install-tools.sh (it needs npm) to install kinesis-local@"
        + VERSION
        + " into <repo>/.tools/node, and pass <repo>/.tools";
  }

  /** The plain HTTP endpoint, for {@code KinesisClient.builder().endpointOverride(...)}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /**
   * The HTTPS endpoint (HTTP/1.1 and HTTP/2) with kinesis-mock's self-signed certificate: clients
   * must trust all certificates ({@code SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES}). The
   * Netty client needs it for {@code SubscribeToShard} (HTTP/2).
   */
  public URI tlsEndpoint() {
    return URI.create("https://127.0.0.1:" + tlsPort);
  }

  /** The plain HTTP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The HTTPS port on 127.0.0.1. */
  public int tlsPort() {
    return tlsPort;
  }

  /** The node process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the node process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The package directory the server runs from. */
  public Path packageDir() {
    return packageDir;
  }

  /** How long the start took, from launching node until the health check answered. */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Waits until {@code stream} is ACTIVE (after CreateStream, a shard split or merge), polling
   * every 20 ms; fails after {@code timeout} naming the status it was left in.
   */
  public static void awaitActive(KinesisClient kinesis, String stream, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    StreamStatus status = null;
    while (System.nanoTime() < deadline) {
      status =
          kinesis
              .describeStreamSummary(r -> r.streamName(stream))
              .streamDescriptionSummary()
              .streamStatus();
      if (status == StreamStatus.ACTIVE) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for stream " + stream, e);
      }
    }
    throw new IllegalStateException(
        "stream " + stream + " is still " + status + " after " + timeout.toSeconds() + " s");
  }

  /** The server's output so far (warnings and errors with LOG_LEVEL=WARN). */
  public String output() {
    return process.output();
  }

  /**
   * At JVM exit, waits up to {@code grace} for {@link #close()} before the process's own shutdown
   * hook stops it: for an owner that persists the streams and, on Ctrl-C, still needs the server
   * while its own hook stops everything in order ({@link LocalProcess#awaitOwnerOnExit}).
   */
  public void awaitOwnerOnExit(Duration grace) {
    process.awaitOwnerOnExit(grace);
  }

  /**
   * Stops the server by its pid (TERM, then KILL after 1 s) and waits until it is gone. The streams
   * are lost (persistence is off). Idempotent. The grace is short on purpose: kinesis-mock exits on
   * TERM in about 0.3 s, unless a client still holds a keep-alive connection (the SDK's HTTP
   * clients do), in which case its HTTP server waits up to 30 s for it.
   */
  @Override
  public void close() {
    try {
      process.close(STOP_GRACE);
    } finally {
      if (!process.isAlive()) {
        try {
          Files.deleteIfExists(process.log());
        } catch (IOException ignored) {
          // a temporary file
        }
      }
    }
  }

  @Override
  public String toString() {
    return "KinesisLocal(" + endpoint() + ", pid " + pid() + ")";
  }

  private static synchronized Path preload() {
    if (preload == null) {
      try (InputStream in = KinesisLocal.class.getResourceAsStream("loopback-only.cjs")) {
        if (in == null) {
          throw new IllegalStateException(
              "dev/tributary/local/kinesis/loopback-only.cjs is missing from the classpath;"
                  + " rebuild local-runtime");
        }
        Path file = Files.createTempFile("tributary-loopback-only-", ".cjs");
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        preload = file;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the loopback-only preload script", e);
      }
    }
    return preload;
  }

  /** Settings of a {@link KinesisLocal}; {@link #start()} runs it. */
  public static final class Builder {
    private Path toolsDir;
    private Path packageDir;
    private String node = "node";
    private int port;
    private int tlsPort;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration operationDuration = Duration.ofMillis(100);
    private String logLevel = "WARN";
    private final Map<String, String> environment = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Where to find the package: {@code <repo>/.tools} (or its {@code node} directory, or the
     * package directory itself), see {@link KinesisLocal#findPackageDir}.
     */
    public Builder toolsDir(Path toolsDir) {
      this.toolsDir = Objects.requireNonNull(toolsDir, "toolsDir");
      return this;
    }

    /** The kinesis-local package directory itself (holding main.js and server.json). */
    public Builder packageDir(Path packageDir) {
      this.packageDir = Objects.requireNonNull(packageDir, "packageDir");
      return this;
    }

    /** The node executable (a name on the PATH or a path); default {@code node}. */
    public Builder node(String node) {
      this.node = Objects.requireNonNull(node, "node");
      return this;
    }

    /** The plain HTTP port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = checkPort("port", port);
      return this;
    }

    /** The HTTPS port; 0 (the default) picks a free one. */
    public Builder tlsPort(int tlsPort) {
      this.tlsPort = checkPort("tlsPort", tlsPort);
      return this;
    }

    /** How long {@link #start()} waits for the health check; default 60 s. */
    public Builder startTimeout(Duration startTimeout) {
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException(
            "startTimeout must be positive, was " + startTimeout + "; pass e.g. 60 s");
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * How long stream operations take (CREATING, DELETING, UPDATING after split, merge, resharding,
     * stream mode, encryption, consumer registration): every {@code *_DURATION}; default 100 ms
     * (kinesis-mock's own default is 500 ms).
     */
    public Builder operationDuration(Duration operationDuration) {
      if (operationDuration.isNegative()) {
        throw new IllegalArgumentException(
            "operationDuration must not be negative, was "
                + operationDuration
                + "; pass e.g. 100 ms");
      }
      this.operationDuration = operationDuration;
      return this;
    }

    /** kinesis-mock's LOG_LEVEL: ERROR, WARN (the default), INFO, DEBUG or TRACE (bodies). */
    public Builder logLevel(String logLevel) {
      if (!List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(logLevel)) {
        throw new IllegalArgumentException(
            "logLevel " + logLevel + " is not one of ERROR, WARN, INFO, DEBUG, TRACE");
      }
      this.logLevel = logLevel;
      return this;
    }

    /**
     * Another kinesis-mock setting (e.g. {@code SHARD_LIMIT}, {@code INITIALIZE_STREAMS}), applied
     * after the defaults; a {@code null} value removes the variable.
     */
    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), value);
      return this;
    }

    private static int checkPort(String what, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            what + " " + port + " is not a TCP port; pass 1-65535, or 0 for a free one");
      }
      return port;
    }

    /**
     * Starts the server and waits until it answers.
     *
     * @throws IllegalArgumentException if the package is not installed where the builder points
     * @throws IllegalStateException if node cannot be run, or the server exits or does not answer
     *     within the start timeout (the message holds its output)
     */
    public KinesisLocal start() {
      Path dir = resolvePackageDir();
      String nodeCommand = node;
      if (!nodeCommand.contains("/") && LocalProcess.onPath(nodeCommand).isEmpty()) {
        throw new IllegalStateException(
            "node ("
                + nodeCommand
                + ") is not on the PATH; install Node.js 20 or newer, or pass its path with"
                + " KinesisLocal.builder().node(...)");
      }
      IllegalStateException last = null;
      int attempts = port == 0 || tlsPort == 0 ? PORT_ATTEMPTS : 1;
      for (int attempt = 0; attempt < attempts; attempt++) {
        int plain = port == 0 ? LocalProcess.freePort() : port;
        int tls = tlsPort == 0 ? freePortOtherThan(plain) : tlsPort;
        try {
          return launch(dir, nodeCommand, plain, tls);
        } catch (IllegalStateException e) {
          last = e;
          if (!String.valueOf(e.getMessage()).contains("EADDRINUSE")) {
            throw e;
          }
        }
      }
      throw last;
    }

    private Path resolvePackageDir() {
      if (packageDir != null) {
        if (!isPackage(packageDir)) {
          throw new IllegalArgumentException(
              "packageDir "
                  + packageDir
                  + " does not hold kinesis-local (main.js and server.json); run"
                  + " scripts/install-tools.sh and pass <repo>/.tools/node/node_modules/kinesis-local");
        }
        return packageDir.toAbsolutePath().normalize();
      }
      if (toolsDir == null) {
        throw new IllegalArgumentException(
            "neither toolsDir nor packageDir is set; pass <repo>/.tools to"
                + " KinesisLocal.builder().toolsDir(...)");
      }
      return findPackageDir(toolsDir)
          .orElseThrow(() -> new IllegalArgumentException(notInstalled(toolsDir)));
    }

    private static int freePortOtherThan(int taken) {
      int candidate = LocalProcess.freePort();
      while (candidate == taken) {
        candidate = LocalProcess.freePort();
      }
      return candidate;
    }

    private KinesisLocal launch(Path dir, String nodeCommand, int plain, int tls) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("KINESIS_MOCK_PLAIN_PORT", String.valueOf(plain));
      env.put("KINESIS_MOCK_TLS_PORT", String.valueOf(tls));
      env.put("KINESIS_MOCK_CERT_PATH", dir.resolve("server.json").toString());
      String duration = operationDuration.toMillis() + "ms";
      for (String setting : DURATION_SETTINGS) {
        env.put(setting, duration);
      }
      env.put("LOG_LEVEL", logLevel);
      env.put("AWS_REGION", REGION);
      env.put("AWS_ACCOUNT_ID", ACCOUNT_ID);
      env.put("SHOULD_PERSIST_DATA", "false");
      env.put("LOAD_DATA_IF_EXISTS", "false");
      env.put("INITIALIZE_STREAMS", null); // not inherited from this JVM's environment
      env.putAll(environment);
      List<String> command = new ArrayList<>();
      command.add(nodeCommand);
      command.add("--require");
      command.add(preload().toString());
      command.add(dir.resolve("main.js").toString());
      URI health = URI.create("http://127.0.0.1:" + plain + "/healthcheck");
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofMillis(250))
              .build();
      long started = System.nanoTime();
      LocalProcess process =
          LocalProcess.start(
              "kinesis-local", command, dir, env, () -> healthy(http, health), startTimeout);
      Duration startup = Duration.ofNanos(System.nanoTime() - started);
      return new KinesisLocal(process, dir, plain, tls, startup);
    }

    private static boolean healthy(HttpClient http, URI health) {
      try {
        HttpRequest request = HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException notYet) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for kinesis-local to start", e);
      }
    }
  }
}
