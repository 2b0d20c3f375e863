package dev.tributary.cli;

import dev.tributary.coordinator.KafkaHandler;
import dev.tributary.local.esm.FunctionInvoker;
import dev.tributary.local.esm.KafkaEventSourceMapping;
import dev.tributary.local.esm.MappingSettings;
import dev.tributary.local.kafka.KafkaLocal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A Kafka topic on the embedded KRaft broker. */
final class KafkaSource implements StreamSource {
  final KafkaLocal broker;
  final String topic;
  final int partitions;

  private KafkaSource(KafkaLocal broker, String topic, int partitions) {
    this.broker = broker;
    this.topic = topic;
    this.partitions = partitions;
  }

  static KafkaSource start(LocalStack.Builder options) {
    KafkaLocal.Builder builder = KafkaLocal.builder();
    if (options.dataDir != null) {
      builder.dataDir(options.dataDir.resolve("kafka"));
    }
    KafkaLocal broker = builder.build();
    try {
      try (var admin =
          org.apache.kafka.clients.admin.Admin.create(
              Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        if (!admin.listTopics().names().get().contains(options.streamName)) {
          broker.createTopic(options.streamName, options.shards);
        }
      }
      return new KafkaSource(broker, options.streamName, options.shards);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      broker.close();
      throw new IllegalStateException("interrupted while creating topic " + options.streamName);
    } catch (ExecutionException | RuntimeException e) {
      broker.close();
      throw new IllegalStateException("cannot create topic " + options.streamName, e);
    }
  }

  @Override
  public void produce(Iterator<Workload.Event> events) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new StringSerializer(),
            new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      while (events.hasNext()) {
        Workload.Event e = events.next();
        sent.add(producer.send(new ProducerRecord<>(topic, e.key(), e.payload())));
        if (sent.size() >= 10_000) {
          await(sent);
        }
      }
      producer.flush();
      await(sent);
    }
  }

  private static void await(List<Future<RecordMetadata>> sent) {
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
      sent.clear();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("producing to Kafka failed", e.getCause());
    }
  }

  @Override
  public Stored stored() {
    List<Workload.Event> out = new ArrayList<>();
    Map<String, BigInteger> last = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      Map<TopicPartition, Long> end = consumer.endOffsets(all);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (all.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "reading back topic " + topic + " took over 2 minutes; positions " + end);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new Workload.Event(r.key(), r.value()));
          last.put(KafkaHandler.splitName(topic, r.partition()), BigInteger.valueOf(r.offset()));
        }
      }
    }
    return new Stored(out, last);
  }

  @Override
  public List<String> splits() {
    List<String> out = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      out.add(KafkaHandler.splitName(topic, p));
    }
    return out;
  }

  /**
   * A partition's fetch: a batch's worth of ~128-byte records over the partitions, 64 KB or more.
   */
  private int fetchBytes(int batchSize) {
    return Math.max(64 * 1024, batchSize / partitions * 128);
  }

  @Override
  public List<Long> childPids() {
    return List.of();
  }

  @Override
  public void close() {
    broker.close();
  }

  @Override
  public SourceMapping map(
      MappingSettings settings,
      FunctionInvoker invoker,
      java.net.URI dynamoDb,
      LocalStack.Builder options) {
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    KafkaEventSourceMapping esm =
        KafkaEventSourceMapping.builder()
            .bootstrapServers(broker.bootstrapServers())
            .topic(topic)
            // one group per mapping, named after the topic so that a restarted stack resumes
            .consumerGroupId("tributary-" + topic)
            .settings(settings)
            .invoker(invoker)
            .onFailure(record -> failures.add(record.toJson()))
            // fetches per partition about one batch's share, so that every batch round covers
            // all partitions and none falls idle while another one's backlog is drained
            .consumerConfig("max.partition.fetch.bytes", fetchBytes(settings.batchSize()))
            .pollers(options.kafkaPollers, options.kafkaMaxPollers)
            .scalingInterval(options.kafkaScalingInterval)
            .selfManaged()
            .build();
    // each partition's last known lag: one between pollers during a rebalance (the mapping
    // reports the partitions owned now) keeps its place in the progress line
    Map<String, String> lag = new java.util.concurrent.ConcurrentSkipListMap<>();
    return SourceMapping.of(
        () -> {
          KafkaEventSourceMapping.Progress p = esm.progress();
          p.partitions()
              .forEach(
                  (split, partition) ->
                      lag.put(
                          split, String.format(java.util.Locale.ROOT, "%,drec", partition.lag())));
          return new MappingProgress(
              p.recordsDelivered(),
              p.invocations(),
              p.functionErrors(),
              failures.size(),
              new java.util.TreeMap<>(lag));
        },
        failures,
        esm::close);
  }
}
