package dev.tributary.local.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.SharedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.ServerSocketFactory;
import org.apache.kafka.server.fault.LoggingFaultHandler;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Tributary's embedded Kafka: one KRaft node that is broker and controller at once, in this JVM, on
 * 127.0.0.1. It is Apache Kafka's own server (the classes {@code kafka-server-start} runs),
 * formatted and started in code, so producers, consumer groups, transactions and the admin API
 * behave as on a real broker. Point any Kafka client at {@link #bootstrapServers()}.
 *
 * <pre>{@code
 * try (KafkaLocal kafka = KafkaLocal.builder().build()) {   // any free port, a temp log dir
 *   kafka.createTopic("events", 4);
 *   Map<String, Object> props = Map.of(
 *       ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ...);
 *   ...
 * }
 * }</pre>
 *
 * <p>Settings for a single node: every internal topic has replication factor 1 (and min ISR 1),
 * {@code group.initial.rebalance.delay.ms=0}, topics are never created on first use (call {@link
 * #createTopic}), and the internal offsets and transaction topics have one partition each (they are
 * created on first use, which then takes milliseconds instead of seconds). Without a data directory
 * the log lives in a temporary directory that {@link #close()} deletes; with {@link
 * Builder#dataDir(Path)} it lives in {@code dataDir/kafka} and survives, so the next start resumes
 * its topics, records and committed offsets.
 *
 * <p>The broker's own loggers ({@code kafka.*}, the server packages of {@code org.apache.kafka} and
 * the few shared ones the broker fills at INFO) are set to WARN on the logging backend found,
 * unless your logging configuration names them; see {@link Builder#quietLogs(boolean)}. While a
 * broker runs, Kafka's requests to exit or halt the JVM (on a fatal broker error) are logged and
 * refused instead of stopping the JVM.
 */
public final class KafkaLocal implements AutoCloseable {
  private static final int NODE_ID = 1;
  private static final String HOST = "127.0.0.1";
  private static final ListenerName BROKER_LISTENER = ListenerName.normalised("PLAINTEXT");
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  /** Keys that {@link Builder#config} must not set: the builder sets them. */
  private static final Set<String> RESERVED =
      Set.of(
          "process.roles",
          "node.id",
          "broker.id",
          "listeners",
          "advertised.listeners",
          "listener.security.protocol.map",
          "inter.broker.listener.name",
          "controller.listener.names",
          "controller.quorum.voters",
          "controller.quorum.bootstrap.servers",
          "log.dirs",
          "log.dir",
          "metadata.log.dir",
          "server.max.startup.time.ms");

  private final Path logDir;
  private final boolean deleteOnClose;
  private final Metrics metrics;
  private final SharedServer shared;
  private final ControllerServer controller;
  private final BrokerServer broker;
  private final String clusterId;
  private final int port;
  private final int controllerPort;
  private final Duration startupTime;
  private Admin admin;
  private boolean closed;

  private KafkaLocal(Builder b) {
    long started = System.nanoTime();
    BrokerLogging.prepare(b.quietLogs);
    Path dir;
    boolean temporary = b.dataDir == null;
    try {
      if (temporary) {
        dir = Files.createTempDirectory("tributary-kafka-");
      } else {
        dir = b.dataDir.resolve("kafka");
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the Kafka log directory "
              + (temporary
                  ? "in java.io.tmpdir " + System.getProperty("java.io.tmpdir")
                  : b.dataDir.resolve("kafka").toString())
              + "; make it writable or pass another dataDir(...)",
          e);
    }
    this.logDir = dir;
    this.deleteOnClose = temporary;

    KafkaConfig config;
    try {
      config = new KafkaConfig(brokerProperties(b, dir), false);
    } catch (RuntimeException e) {
      deleteQuietly();
      throw new IllegalArgumentException(
          "Kafka refused the broker settings: "
              + e.getMessage()
              + "; check the values passed to KafkaLocal.Builder.config(...)",
          e);
    }

    ExitGuard.acquire();
    Metrics createdMetrics = null;
    SharedServer createdShared = null;
    ControllerServer createdController = null;
    BrokerServer createdBroker = null;
    try {
      format(dir);
      Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> dirs =
          KafkaRaftServer.initializeLogDirs(
              config, LoggerFactory.getLogger(KafkaLocal.class), "[KafkaLocal] ");
      this.clusterId = dirs._1().clusterId().orElseThrow();
      // The controller binds an ephemeral port first; the quorum (this one node) learns it then.
      CompletableFuture<Map<Integer, InetSocketAddress>> voters = new CompletableFuture<>();
      createdMetrics = new Metrics();
      createdShared =
          new SharedServer(
              config,
              dirs._1(),
              Time.SYSTEM,
              createdMetrics,
              voters,
              List.of(),
              // never Kafka's process-terminating handler: this JVM is the caller's
              (name, fatal, action) -> new LoggingFaultHandler(name, action),
              ServerSocketFactory.INSTANCE);
      createdController =
          new ControllerServer(createdShared, KafkaRaftServer.configSchema(), dirs._2());
      createdController
          .socketServerFirstBoundPortFuture()
          .whenComplete(
              (p, e) -> {
                if (e != null) {
                  voters.completeExceptionally(e);
                } else {
                  voters.complete(Map.of(NODE_ID, new InetSocketAddress(HOST, p)));
                }
              });
      createdBroker = new BrokerServer(createdShared);
      // Controller and broker start side by side, as KafkaClusterTestKit does: the broker waits
      // for the quorum by itself, and the two overlap their class loading.
      ControllerServer c = createdController;
      CompletableFuture<Void> controllerStarted = new CompletableFuture<>();
      Thread starter =
          new Thread(
              () -> {
                try {
                  c.startup();
                  controllerStarted.complete(null);
                } catch (Throwable t) {
                  voters.completeExceptionally(t);
                  controllerStarted.completeExceptionally(t);
                }
              },
              "kafka-local-controller-start");
      starter.setDaemon(true);
      starter.start();
      createdBroker.startup();
      controllerStarted.get(b.startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
      this.port = createdBroker.boundPort(BROKER_LISTENER);
      this.controllerPort = createdController.socketServerFirstBoundPortFuture().getNow(-1);
    } catch (Throwable t) {
      stop(createdBroker, createdController, createdMetrics);
      ExitGuard.release();
      deleteQuietly();
      throw startFailure(b, dir, t);
    }
    this.metrics = createdMetrics;
    this.shared = createdShared;
    this.controller = createdController;
    this.broker = createdBroker;
    this.startupTime = Duration.ofNanos(System.nanoTime() - started);
  }

  /** A builder; {@code builder().build()} starts a broker on a free port with a temp log dir. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts a broker on a free port with a temporary log directory. */
  public static KafkaLocal start() {
    return builder().build();
  }

  /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:41234}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** The broker's port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The KRaft controller's port on 127.0.0.1 (for {@code bootstrap.controllers}). */
  public int controllerPort() {
    return controllerPort;
  }

  /** The cluster id written to {@code meta.properties} when the log directory was formatted. */
  public String clusterId() {
    return clusterId;
  }

  /** The log directory (a temporary one, or {@code dataDir/kafka}). */
  public Path logDir() {
    return logDir;
  }

  /** How long {@link Builder#build()} took, from formatting to an unfenced broker. */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Creates topic {@code name} with {@code partitions} partitions (replication factor 1) and waits
   * until every partition has its leader, so clients can use it at once.
   *
   * @throws IllegalArgumentException if the name is not a legal topic name or partitions < 1
   * @throws IllegalStateException if the topic exists already or the broker is closed
   */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /**
   * Creates topic {@code name} with topic-level settings ({@code cleanup.policy}, {@code
   * retention.ms}, ...) and waits until every partition has its leader.
   *
   * @throws IllegalArgumentException if the name, the partition count or a setting is not valid
   * @throws IllegalStateException if the topic exists already or the broker is closed
   */
  public void createTopic(String name, int partitions, Map<String, String> configs) {
    Objects.requireNonNull(name, "topic name");
    Objects.requireNonNull(configs, "topic configs");
    try {
      Topic.validate(name);
    } catch (InvalidTopicException e) {
      throw new IllegalArgumentException(
          "topic name '"
              + name
              + "' is not valid: "
              + e.getMessage()
              + "; use 1 to 249 characters of [a-zA-Z0-9._-], not '.' or '..'",
          e);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "partitions is " + partitions + " for topic '" + name + "'; use 1 or more");
    }
    Admin client = admin();
    try {
      client
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
      awaitLeaders(client, name, partitions);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TopicExistsException) {
        throw new IllegalStateException(
            "topic '" + name + "' exists already; pick another name or use the existing topic",
            cause);
      }
      throw new IllegalArgumentException(
          "the broker refused to create topic '"
              + name
              + "' with "
              + partitions
              + " partitions and settings "
              + configs
              + ": "
              + cause.getMessage(),
          cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "topic '" + name + "' was not ready within 30 s; is the broker overloaded?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
    }
  }

  private static void awaitLeaders(Admin client, String name, int partitions)
      throws ExecutionException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      TopicDescription d;
      try {
        d =
            client
                .describeTopics(List.of(name))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(name);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        d = null; // created, but not yet in the broker's metadata: wait as for a leader
      }
      if (d != null
          && d.partitions().size() == partitions
          && d.partitions().stream().map(TopicPartitionInfo::leader).allMatch(Objects::nonNull)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + name + " have no leader yet");
      }
      Thread.sleep(10);
    }
  }

  private synchronized Admin admin() {
    if (closed) {
      throw new IllegalStateException("this KafkaLocal is closed; start a new one");
    }
    if (admin == null) {
      Map<String, Object> props = new HashMap<>();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-local-admin");
      admin = Admin.create(props);
    }
    return admin;
  }

  /**
   * Stops the broker and the controller (a controlled shutdown, so a restart with the same data
   * directory recovers nothing), ends their threads, frees the ports and deletes a temporary log
   * directory. Idempotent.
   */
  @Override
  public void close() {
    Admin a;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      a = admin;
      admin = null;
    }
    if (a != null) {
      a.close(Duration.ofSeconds(5));
    }
    stop(broker, controller, metrics);
    ExitGuard.release();
    deleteQuietly();
  }

  private static void stop(BrokerServer broker, ControllerServer controller, Metrics metrics) {
    // as KafkaRaftServer.shutdown: the broker first, while the controller can still answer it
    if (broker != null) {
      swallow(broker::shutdown);
    }
    if (controller != null) {
      swallow(controller::shutdown);
    }
    if (broker != null) {
      swallow(broker::awaitShutdown);
    }
    if (controller != null) {
      swallow(controller::awaitShutdown);
    }
    if (metrics != null) {
      swallow(metrics::close);
    }
  }

  private static void swallow(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(KafkaLocal.class).warn("error while stopping the local Kafka", e);
    }
  }

  private void deleteQuietly() {
    if (deleteOnClose && logDir != null) {
      try {
        Utils.delete(logDir.toFile());
      } catch (IOException e) {
        LoggerFactory.getLogger(KafkaLocal.class)
            .warn("cannot delete the temporary Kafka log directory {}", logDir, e);
      }
    }
  }

  /**
   * Formats an empty log directory as {@code kafka-storage format} does (a new cluster id, {@code
   * meta.properties} with node id 1, the bootstrap metadata checkpoint at the latest production
   * metadata version); a formatted one is left as it is.
   */
  private static void format(Path dir) throws Exception {
    if (Files.exists(dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
      return; // formatted before: resume
    }
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setMetadataLogDirectory(dir.toString())
        .addDirectory(dir.toString())
        .run();
  }

  private static Map<String, Object> brokerProperties(Builder b, Path dir) {
    Map<String, Object> p = new LinkedHashMap<>();
    // a single combined node in KRaft mode
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + b.port + "," + CONTROLLER_LISTENER + "://" + HOST + ":0");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    // a placeholder: the real address follows from the controller's bound port (see the voters)
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":0");
    p.put("log.dirs", dir.toString());
    p.put("server.max.startup.time.ms", Long.toString(b.startupTimeout.toMillis()));
    // one node: everything has one replica
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    // quick and small for local use
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("num.partitions", "1");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("background.threads", "4");
    p.put("group.coordinator.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.putAll(b.overrides);
    return p;
  }

  private static RuntimeException startFailure(Builder b, Path dir, Throwable t) {
    if (t instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new IllegalStateException("interrupted while starting the local Kafka", t);
    }
    Throwable cause = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    // Kafka wraps the reason in a few layers: classify by the whole chain, report the deepest
    StringBuilder chain = new StringBuilder();
    boolean bind = false;
    boolean timeout = false;
    Throwable root = cause;
    for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
      chain.append(' ').append(c.getMessage());
      bind |= c instanceof java.net.BindException;
      timeout |= c instanceof TimeoutException;
      root = c;
    }
    String text = chain.toString();
    String hint;
    if (bind || text.contains("Address already in use")) {
      hint =
          "port "
              + b.port
              + " on "
              + HOST
              + " is in use; stop what holds it or use port 0 for any free port";
    } else if (text.contains("Failed to acquire lock")) {
      hint =
          "the log directory "
              + dir
              + " is in use by another broker; close that KafkaLocal first or use another dataDir";
    } else if (timeout) {
      hint =
          "the broker was not ready within startupTimeout "
              + b.startupTimeout
              + "; raise it with startupTimeout(...) on a busy machine";
    } else if (b.dataDir != null) {
      hint =
          "if "
              + dir
              + " was written by another Kafka cluster or version, use an empty dataDir; otherwise"
              + " see the cause";
    } else {
      hint = "see the cause";
    }
    return new IllegalStateException(
        "cannot start the local Kafka: " + root.getMessage() + "; " + hint, cause);
  }

  /** Settings of a {@link KafkaLocal}. */
  public static final class Builder {
    private int port;
    private Path dataDir;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private boolean quietLogs = true;
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {}

    /** The broker's port on 127.0.0.1 (default 0: any free port). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "port is " + port + "; use 0 to 65535 (0 = any free port)");
      }
      this.port = port;
      return this;
    }

    /**
     * Keeps the log in {@code dir/kafka} (created if missing, formatted on first use, never
     * deleted), so a later broker on the same directory resumes its topics, records and offsets.
     * Default: a temporary directory deleted on close.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = Objects.requireNonNull(dir, "dataDir");
      return this;
    }

    /** How long {@link #build()} may wait for the broker to be ready (default 60 s). */
    public Builder startupTimeout(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException(
            "startupTimeout is " + timeout + "; it must be positive, e.g. Duration.ofSeconds(60)");
      }
      this.startupTimeout = timeout;
      return this;
    }

    /**
     * Whether the broker's loggers are set to WARN where your logging configuration does not name
     * them (default true). False leaves them to your configuration (Kafka logs a lot at INFO).
     */
    public Builder quietLogs(boolean quiet) {
      this.quietLogs = quiet;
      return this;
    }

    /**
     * Sets (or overrides) a broker setting, e.g. {@code config("log.retention.ms", "60000")}. The
     * node's identity, listeners and directories are the builder's: use {@link #port(int)} and
     * {@link #dataDir(Path)} for those.
     */
    public Builder config(String key, String value) {
      Objects.requireNonNull(key, "config key");
      Objects.requireNonNull(value, "value of config " + key);
      if (RESERVED.contains(key)) {
        throw new IllegalArgumentException(
            "config "
                + key
                + " is set by KafkaLocal itself; use port(...) or dataDir(...) instead, or leave"
                + " it out");
      }
      overrides.put(key, value);
      return this;
    }

    /** Formats the log directory if needed and starts the broker; returns once it is ready. */
    public KafkaLocal build() {
      return new KafkaLocal(this);
    }
  }
}
