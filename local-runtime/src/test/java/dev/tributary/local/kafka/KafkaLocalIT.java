package dev.tributary.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded KRaft broker with the real Kafka clients: produce and consume, consumer groups with
 * committed offsets, transactions under read_committed, restarts on a data directory, and what
 * close() leaves behind. The first group shares one broker; the lifecycle group runs after it has
 * closed, so its thread check sees no other broker.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class KafkaLocalIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Nested
  @Order(1)
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OneBroker {
    private KafkaLocal kafka;

    @BeforeAll
    void start() {
      kafka = KafkaLocal.builder().build();
      System.out.println("KafkaLocal started in " + kafka.startupTime().toMillis() + " ms");
      assertThat(kafka.startupTime()).isLessThan(Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() {
      kafka.close();
    }

    @Test
    void producesAndConsumes() throws Exception {
      kafka.createTopic("plain", 3);
      try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
        for (int i = 0; i < 30; i++) {
          producer.send(new ProducerRecord<>("plain", "k" + i, "v" + i)).get();
        }
      }
      List<ConsumerRecord<String, String>> read;
      try (KafkaConsumer<String, String> consumer = consumer(kafka, Map.of())) {
        consumer.assign(partitions(kafka, "plain"));
        consumer.seekToBeginning(consumer.assignment());
        read = poll(consumer, 30);
      }
      assertThat(read).extracting(ConsumerRecord::value).hasSize(30);
      Map<String, String> byKey =
          read.stream().collect(Collectors.toMap(ConsumerRecord::key, ConsumerRecord::value));
      assertThat(byKey).containsEntry("k0", "v0").containsEntry("k29", "v29");
      // one key always lands in one partition
      assertThat(read.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()))
          .hasSizeGreaterThan(1);
    }

    @Test
    void consumerGroupCommitsOffsetsAndResumes() throws Exception {
      kafka.createTopic("grouped", 2);
      produce(kafka, "grouped", 0, 10);
      Map<String, Object> group =
          Map.of(
              ConsumerConfig.GROUP_ID_CONFIG, "g1",
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      try (KafkaConsumer<String, String> consumer = consumer(kafka, group)) {
        consumer.subscribe(List.of("grouped"));
        assertThat(poll(consumer, 10)).hasSize(10);
        consumer.commitSync();
      }
      try (Admin admin = admin(kafka)) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets("g1").partitionsToOffsetAndMetadata().get();
        assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
            .isEqualTo(10);
      }
      produce(kafka, "grouped", 10, 5);
      try (KafkaConsumer<String, String> consumer = consumer(kafka, group)) {
        consumer.subscribe(List.of("grouped"));
        List<ConsumerRecord<String, String>> rest = poll(consumer, 5);
        assertThat(rest)
            .extracting(ConsumerRecord::value)
            .containsExactlyInAnyOrder("v10", "v11", "v12", "v13", "v14");
        // nothing more: the first ten were committed
        assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
      }
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() throws Exception {
      kafka.createTopic("txn", 2);
      Map<String, Object> tx =
          Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1", ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> producer = producer(kafka, tx)) {
        producer.initTransactions();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        producer.beginTransaction();
        for (int i = 0; i < 3; i++) {
          sent.add(producer.send(new ProducerRecord<>("txn", "k" + i, "committed-" + i)));
        }
        producer.commitTransaction();

        producer.beginTransaction();
        for (int i = 0; i < 3; i++) {
          sent.add(producer.send(new ProducerRecord<>("txn", "k" + i, "aborted-" + i)));
        }
        // every aborted record reached the log (read_uncommitted sees it below): flushed and
        // checked before the abort, which would fail the futures of records not sent yet
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
          f.get();
        }
        producer.abortTransaction();

        producer.beginTransaction();
        Future<RecordMetadata> last =
            producer.send(new ProducerRecord<>("txn", "k9", "committed-9"));
        producer.commitTransaction();
        last.get();
      }

      List<String> committed;
      try (KafkaConsumer<String, String> consumer =
          consumer(kafka, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
        consumer.assign(partitions(kafka, "txn"));
        consumer.seekToBeginning(consumer.assignment());
        committed = values(poll(consumer, 4));
        assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
      }
      assertThat(committed)
          .containsExactlyInAnyOrder("committed-0", "committed-1", "committed-2", "committed-9");

      // the aborted records are in the log: read_uncommitted sees them
      try (KafkaConsumer<String, String> consumer =
          consumer(kafka, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"))) {
        consumer.assign(partitions(kafka, "txn"));
        consumer.seekToBeginning(consumer.assignment());
        assertThat(values(poll(consumer, 7)))
            .contains("aborted-0", "aborted-1", "aborted-2")
            .hasSize(7);
      }
    }

    @Test
    void topicsAreNotCreatedOnFirstUse() throws Exception {
      try (Admin admin = admin(kafka)) {
        try (KafkaConsumer<String, String> consumer = consumer(kafka, Map.of())) {
          consumer.listTopics(Duration.ofSeconds(30));
          assertThat(consumer.partitionsFor("never-created", Duration.ofSeconds(30))).isEmpty();
        }
        assertThat(admin.listTopics().names().get()).doesNotContain("never-created");
      }
    }

    @Test
    void createTopicWaitsForLeadersAndExplainsMistakes() throws Exception {
      kafka.createTopic("compacted", 4, Map.of("cleanup.policy", "compact"));
      try (Admin admin = admin(kafka)) {
        TopicDescription d =
            admin.describeTopics(List.of("compacted")).allTopicNames().get().get("compacted");
        assertThat(d.partitions()).hasSize(4).allSatisfy(p -> assertThat(p.leader()).isNotNull());
      }
      assertThatThrownBy(() -> kafka.createTopic("compacted", 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'compacted' exists already");
      assertThatThrownBy(() -> kafka.createTopic("bad name!", 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'bad name!'")
          .hasMessageContaining("[a-zA-Z0-9._-]");
      assertThatThrownBy(() -> kafka.createTopic("zero", 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("partitions is 0");
      assertThatThrownBy(() -> kafka.createTopic("badconfig", 1, Map.of("cleanup.policy", "nope")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("badconfig");
    }

    @Test
    void builderRefusesWhatItSetsItself() {
      assertThatThrownBy(() -> KafkaLocal.builder().config("listeners", "PLAINTEXT://:9092"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("listeners")
          .hasMessageContaining("port(...)");
      assertThatThrownBy(() -> KafkaLocal.builder().port(70000))
          .hasMessageContaining("port is 70000");
      assertThatThrownBy(() -> KafkaLocal.builder().startupTimeout(Duration.ZERO))
          .hasMessageContaining("startupTimeout is PT0S");
    }

    @Test
    void aTakenPortIsNamedInTheError() {
      assertThatThrownBy(() -> KafkaLocal.builder().port(kafka.port()).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + kafka.port())
          .hasMessageContaining("port 0");
    }
  }

  @Nested
  @Order(2)
  class Lifecycle {

    @Test
    void restartOnADataDirKeepsTopicsRecordsAndOffsets(@TempDir Path data) throws Exception {
      String clusterId;
      Map<String, Object> group =
          Map.of(
              ConsumerConfig.GROUP_ID_CONFIG, "resumer",
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      try (KafkaLocal first = KafkaLocal.builder().dataDir(data).build()) {
        clusterId = first.clusterId();
        assertThat(first.logDir()).isEqualTo(data.resolve("kafka"));
        first.createTopic("kept", 2);
        produce(first, "kept", 0, 6);
        try (KafkaConsumer<String, String> consumer = consumer(first, group)) {
          consumer.subscribe(List.of("kept"));
          assertThat(poll(consumer, 6)).hasSize(6);
          consumer.commitSync();
        }
      }
      assertThat(data.resolve("kafka/meta.properties")).exists();

      try (KafkaLocal second = KafkaLocal.builder().dataDir(data).build()) {
        System.out.println("KafkaLocal restarted in " + second.startupTime().toMillis() + " ms");
        assertThat(second.clusterId()).isEqualTo(clusterId);
        assertThatThrownBy(() -> second.createTopic("kept", 2))
            .hasMessageContaining("exists already");
        try (Admin admin = admin(second)) {
          assertThat(admin.listTopics().names().get()).contains("kept");
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets("resumer").partitionsToOffsetAndMetadata().get();
          assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
              .isEqualTo(6);
        }
        try (KafkaConsumer<String, String> consumer = consumer(second, Map.of())) {
          consumer.assign(partitions(second, "kept"));
          consumer.seekToBeginning(consumer.assignment());
          assertThat(values(poll(consumer, 6)))
              .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5");
        }
        produce(second, "kept", 6, 2);
        try (KafkaConsumer<String, String> consumer = consumer(second, group)) {
          consumer.subscribe(List.of("kept"));
          assertThat(values(poll(consumer, 2))).containsExactlyInAnyOrder("v6", "v7");
        }
      }
    }

    @Test
    void closeFreesThePortsAndLeavesNoKafkaThreads() throws Exception {
      Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
      KafkaLocal kafka = KafkaLocal.builder().build();
      int port = kafka.port();
      int controllerPort = kafka.controllerPort();
      Path logDir = kafka.logDir();
      kafka.createTopic("t", 1);
      produce(kafka, "t", 0, 3);
      try (KafkaConsumer<String, String> consumer =
          consumer(kafka, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "closing"))) {
        consumer.subscribe(List.of("t"));
        assertThat(poll(consumer, 3)).hasSize(3);
        consumer.commitSync();
      }
      List<String> kafkaThreads = nonDaemonThreadsSince(before);
      assertThat(kafkaThreads).isNotEmpty(); // the check below has something to check

      kafka.close();
      kafka.close(); // idempotent

      assertThat(logDir).doesNotExist();
      for (int p : new int[] {port, controllerPort}) {
        try (ServerSocket socket = new ServerSocket()) {
          socket.setReuseAddress(true);
          socket.bind(new InetSocketAddress("127.0.0.1", p));
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<String> left = nonDaemonThreadsSince(before);
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
        left = nonDaemonThreadsSince(before);
      }
      assertThat(left).as("non-daemon threads left by the broker").isEmpty();
      assertThatThrownBy(() -> kafka.createTopic("late", 1)).hasMessageContaining("closed");
    }

    @Test
    void twoBrokersOnOneDataDirAreRefusedClearly(@TempDir Path data) {
      try (KafkaLocal first = KafkaLocal.builder().dataDir(data).build()) {
        assertThatThrownBy(() -> KafkaLocal.builder().dataDir(data).build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(data.resolve("kafka").toString());
        first.createTopic("still-fine", 1);
      }
    }
  }

  private static List<String> nonDaemonThreadsSince(Set<Thread> before) {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !t.isDaemon() && !before.contains(t)) {
        names.add(t.getName());
      }
    }
    return names;
  }

  private static void produce(KafkaLocal kafka, String topic, int from, int count)
      throws Exception {
    try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
      for (int i = from; i < from + count; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
      }
    }
  }

  private static KafkaProducer<String, String> producer(
      KafkaLocal kafka, Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // outlast a stalled broker on a loaded machine (the defaults would expire a batch)
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
    return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(
      KafkaLocal kafka, Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
  }

  private static Admin admin(KafkaLocal kafka) {
    return Admin.create(
        Map.<String, Object>of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static List<TopicPartition> partitions(KafkaLocal kafka, String topic) throws Exception {
    try (Admin admin = admin(kafka)) {
      int n =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      return IntStream.range(0, n).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }
  }

  /** Polls until {@code expected} records arrived (or fails after 30 s). */
  private static List<ConsumerRecord<String, String>> poll(
      KafkaConsumer<String, String> consumer, int expected) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (records.size() < expected && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(records::add);
    }
    assertThat(records).as("records polled within " + WAIT).hasSize(expected);
    return records;
  }

  private static List<String> values(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(ConsumerRecord::value).toList();
  }
}
