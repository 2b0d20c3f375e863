package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import dev.tributary.operator.protocol.SourceRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The coordinator for an Amazon MSK or self-managed Kafka event source mapping: each
 * topic-partition is a split; values (and keys) arrive base64-encoded; the answer names, per
 * partition not fully committed, the offset to deliver again from.
 */
public final class KafkaHandler implements RequestHandler<KafkaEvent, KafkaBatchResponse> {
  /** Processes one partition's records of a batch. */
  interface Partitions {
    Coordinator.Outcome process(String split, List<SourceRecord> records, long deadline);
  }

  private final Runnable beforeBatch;
  private final Partitions partitions;
  private final BiConsumer<String, RuntimeException> failed;
  private final Consumer<String> deferredPartition;
  private final AtomicInteger rotation = new AtomicInteger();

  /** The handler Lambda creates. */
  public KafkaHandler() {
    this(CoordinatorRuntime.fromEnvironment());
  }

  /** A handler on {@code runtime}. */
  public KafkaHandler(CoordinatorRuntime runtime) {
    this(
        runtime::holdStartForUndeclaredPartitions,
        runtime::process,
        runtime::partitionFailed,
        runtime::partitionDeferred);
  }

  KafkaHandler(
      Runnable beforeBatch,
      Partitions partitions,
      BiConsumer<String, RuntimeException> failed,
      Consumer<String> deferredPartition) {
    this.beforeBatch = beforeBatch;
    this.partitions = partitions;
    this.failed = failed;
    this.deferredPartition = deferredPartition;
  }

  /**
   * Processes each partition of the batch in turn. A partition that fails (every slot's answer
   * lost, DynamoDB unreachable) is answered as a failure from its first record and logged, while
   * the others keep what they committed: failing the whole invocation would make every partition of
   * the batch use up a retry (a Kafka mapping with an on-failure destination retries at most 10
   * times) and be bisected, even those that committed. Only when every partition failed (and none
   * was left for lack of time) does the invocation fail, so that the function's errors show it;
   * otherwise each failed partition counts in {@code PartitionFailures}. Partitions not started by
   * the deadline ({@link CoordinatorRuntime#deadline}) are answered from their first record; each
   * invocation starts at the next partition, so that the same ones are not always left.
   */
  @Override
  public KafkaBatchResponse handleRequest(KafkaEvent event, Context context) {
    beforeBatch.run();
    long deadline = CoordinatorRuntime.deadline(context);
    KafkaBatchResponse response = new KafkaBatchResponse();
    List<Map.Entry<String, List<KafkaEvent.KafkaEventRecord>>> byPartition =
        new ArrayList<>(
            new TreeMap<>(event.getRecords() == null ? Map.of() : event.getRecords()).entrySet());
    // each invocation starts at another partition, so that when time runs short the same ones are
    // not always left for the next delivery
    if (!byPartition.isEmpty()) {
      Collections.rotate(
          byPartition, -Math.floorMod(rotation.getAndIncrement(), byPartition.size()));
    }
    List<Map.Entry<String, RuntimeException>> failedPartitions = new ArrayList<>();
    int attempted = 0;
    int deferred = 0;
    for (Map.Entry<String, List<KafkaEvent.KafkaEventRecord>> e : byPartition) {
      List<KafkaEvent.KafkaEventRecord> kafka = new ArrayList<>(e.getValue());
      kafka.sort((a, b) -> Long.compare(a.getOffset(), b.getOffset()));
      String split =
          kafka.isEmpty()
              ? e.getKey()
              : splitName(kafka.get(0).getTopic(), kafka.get(0).getPartition());
      if (!kafka.isEmpty() && Coordinator.pastDeadline(deadline)) {
        // out of time: delivered again from its first record, rather than the invocation timing
        // out and every partition of the batch counting as failed
        retryFrom(response, split, kafka.get(0));
        deferred++;
        deferredPartition.accept(split);
        continue;
      }
      attempted++;
      Coordinator.Outcome outcome;
      try {
        List<SourceRecord> records = new ArrayList<>();
        for (KafkaEvent.KafkaEventRecord r : kafka) {
          records.add(sourceRecord(r));
        }
        outcome = partitions.process(split, records, deadline);
      } catch (RuntimeException ex) {
        failedPartitions.add(Map.entry(split, ex));
        if (!kafka.isEmpty()) {
          retryFrom(response, split, kafka.get(0));
        }
        continue;
      }
      if (outcome.firstUncommitted() >= 0) {
        retryFrom(response, split, kafka.get(outcome.firstUncommitted()));
      }
    }
    if (!failedPartitions.isEmpty() && failedPartitions.size() == attempted && deferred == 0) {
      // every partition failed: the function's errors show it
      RuntimeException failure = failedPartitions.get(0).getValue();
      failedPartitions
          .subList(1, failedPartitions.size())
          .forEach(f -> failure.addSuppressed(f.getValue()));
      throw failure;
    }
    failedPartitions.forEach(f -> failed.accept(f.getKey(), f.getValue()));
    return response;
  }

  /** Answers that {@code split} is to be delivered again from {@code record} on. */
  private static void retryFrom(
      KafkaBatchResponse response, String split, KafkaEvent.KafkaEventRecord record) {
    response.getBatchItemFailures().add(new KafkaBatchResponse.Failure(split, record.getOffset()));
  }

  /**
   * The name of a Kafka partition as a split, {@code <topic>-<partition>}: the name its checkpoints
   * and watermark are kept under, and the form {@code TRIBUTARY_SPLITS} declares it in.
   */
  public static String splitName(String topic, int partition) {
    return topic + "-" + partition;
  }

  /**
   * Keeps the {@code occurrence}-th header of {@code key} in a record (from 1) as metadata: {@code
   * header.<key>} with its value as text when it is UTF-8 (empty when it has none), else {@code
   * header.<key>.base64} with its bytes in base64; a later occurrence of the key adds {@code
   * #<occurrence>} to the key ({@code header.<key>#2}, {@code header.<key>#2.base64}).
   */
  static void putHeader(Map<String, String> meta, String key, int occurrence, byte[] value) {
    String name = "header." + key + (occurrence > 1 ? "#" + occurrence : "");
    String text = value == null ? "" : utf8(value);
    if (text == null) {
      meta.put(name + ".base64", Base64.getEncoder().encodeToString(value));
    } else {
      meta.put(name, text);
    }
  }

  /** {@code bytes} as UTF-8 text, or null when they are not UTF-8. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static SourceRecord sourceRecord(KafkaEvent.KafkaEventRecord r) {
    String offset = Long.toString(r.getOffset());
    String partition = Integer.toString(r.getPartition());
    Map<String, String> meta;
    if (r.getHeaders() == null || r.getHeaders().isEmpty()) {
      // the usual record: an immutable map at once, which SourceRecord keeps without a copy
      meta =
          r.getKey() == null
              ? Map.of("topic", r.getTopic(), "partition", partition, "offset", offset)
              : Map.of(
                  "topic",
                  r.getTopic(),
                  "partition",
                  partition,
                  "offset",
                  offset,
                  "key",
                  r.getKey());
    } else {
      Map<String, String> all = new HashMap<>();
      all.put("topic", r.getTopic());
      all.put("partition", partition);
      all.put("offset", offset);
      if (r.getKey() != null) {
        all.put("key", r.getKey());
      }
      Map<String, Integer> occurrences = new HashMap<>();
      for (Map<String, byte[]> header : r.getHeaders()) {
        if (header != null) {
          header.forEach((k, v) -> putHeader(all, k, occurrences.merge(k, 1, Integer::sum), v));
        }
      }
      meta = all;
    }
    byte[] value = r.getValue() == null ? new byte[0] : Base64.getDecoder().decode(r.getValue());
    return new SourceRecord(offset, 0, r.getTimestamp(), value, meta);
  }
}
