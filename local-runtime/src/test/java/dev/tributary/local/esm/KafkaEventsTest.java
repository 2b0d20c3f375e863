package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.tributary.local.esm.KafkaEvents.InvalidAnswer;
import dev.tributary.local.esm.KafkaEvents.PartialFailure;
import dev.tributary.local.esm.KafkaEvents.Success;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaEventsTest {
  private static final KafkaEvents.Source SELF =
      new KafkaEvents.Source(KafkaEvents.SELF_MANAGED, null, "127.0.0.1:9092,127.0.0.1:9093");
  private static final String CLUSTER =
      "arn:aws:kafka:us-east-1:123456789012:cluster/words/4e2a1b3c-0000-1111-2222-333344445555-1";
  private static final KafkaEvents.Source MSK =
      new KafkaEvents.Source(KafkaEvents.MSK, CLUSTER, "b-1.words:9098");

  private static ConsumerRecord<byte[], byte[]> withHeaders() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", "xyz".getBytes(StandardCharsets.UTF_8));
    headers.add("café", "é".getBytes(StandardCharsets.UTF_8)); // 0xC3 0xA9: signed -61, -87
    return new ConsumerRecord<>(
        "orders",
        3,
        42,
        1_767_225_600_000L,
        TimestampType.CREATE_TIME,
        1,
        7,
        "k".getBytes(StandardCharsets.UTF_8),
        "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
        headers,
        Optional.empty());
  }

  private static String json(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void aSelfManagedEventHasLambdasShapeWithSignedHeaderBytes() {
    String event = json(KafkaEvents.event(SELF, List.of(withHeaders())));
    assertThat(event)
        .isEqualTo(
            "{\"eventSource\":\"SelfManagedKafka\","
                + "\"bootstrapServers\":\"127.0.0.1:9092,127.0.0.1:9093\","
                + "\"records\":{\"orders-3\":[{\"topic\":\"orders\",\"partition\":3,"
                + "\"offset\":42,\"timestamp\":1767225600000,\"timestampType\":\"CREATE_TIME\","
                + "\"key\":\"aw==\",\"value\":\"eyJhIjoxfQ==\","
                + "\"headers\":[{\"trace\":[120,121,122]},{\"café\":[-61,-87]}]}]}}");
  }

  @Test
  void anMskEventNamesTheClusterArn() {
    String event = json(KafkaEvents.event(MSK, KafkaRecords.records("words", 0, 15, 16)));
    assertThat(event)
        .startsWith(
            "{\"eventSource\":\"aws:kafka\",\"eventSourceArn\":\""
                + CLUSTER
                + "\",\"bootstrapServers\":\"b-1.words:9098\",\"records\":{\"words-0\":[");
  }

  @Test
  void theLambdaJavaRuntimeReadsTheEventIntoKafkaEvent() throws Exception {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(withHeaders());
    records.addAll(KafkaRecords.records("orders", 3, 43, 45));
    records.add(KafkaRecords.record("orders", 0, 7, 5, null, "no key"));
    byte[] event = KafkaEvents.event(MSK, records);

    KafkaEvent parsed =
        LambdaEventSerializers.serializerFor(KafkaEvent.class, getClass().getClassLoader())
            .fromJson(new ByteArrayInputStream(event));

    assertThat(parsed.getEventSource()).isEqualTo("aws:kafka");
    assertThat(parsed.getEventSourceArn()).isEqualTo(CLUSTER);
    assertThat(parsed.getBootstrapServers()).isEqualTo("b-1.words:9098");
    assertThat(parsed.getRecords()).containsOnlyKeys("orders-3", "orders-0");
    List<KafkaEvent.KafkaEventRecord> p3 = parsed.getRecords().get("orders-3");
    assertThat(p3)
        .extracting(KafkaEvent.KafkaEventRecord::getOffset)
        .containsExactly(42L, 43L, 44L);
    KafkaEvent.KafkaEventRecord first = p3.get(0);
    assertThat(first.getTopic()).isEqualTo("orders");
    assertThat(first.getPartition()).isEqualTo(3);
    assertThat(first.getTimestamp()).isEqualTo(1_767_225_600_000L);
    assertThat(first.getTimestampType()).isEqualTo("CREATE_TIME");
    assertThat(Base64.getDecoder().decode(first.getKey())).isEqualTo("k".getBytes());
    assertThat(json(Base64.getDecoder().decode(first.getValue()))).isEqualTo("{\"a\":1}");
    assertThat(first.getHeaders()).hasSize(2);
    assertThat(first.getHeaders().get(0).get("trace")).isEqualTo("xyz".getBytes());
    assertThat(new String(first.getHeaders().get(1).get("café"), StandardCharsets.UTF_8))
        .isEqualTo("é");
    KafkaEvent.KafkaEventRecord keyless = parsed.getRecords().get("orders-0").get(0);
    assertThat(keyless.getKey()).isNull();
    assertThat(json(Base64.getDecoder().decode(keyless.getValue()))).isEqualTo("no key");
    assertThat(keyless.getHeaders()).isEmpty();
  }

  @Test
  void aNullKeyValueOrHeaderValueIsLeftOutOrEmpty() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("empty", null);
    ConsumerRecord<byte[], byte[]> tombstone =
        new ConsumerRecord<>(
            "t",
            0,
            1,
            9,
            TimestampType.LOG_APPEND_TIME,
            -1,
            -1,
            null,
            null,
            headers,
            Optional.empty());
    assertThat(json(KafkaEvents.event(SELF, List.of(tombstone))))
        .contains(
            "{\"topic\":\"t\",\"partition\":0,\"offset\":1,\"timestamp\":9,"
                + "\"timestampType\":\"LOG_APPEND_TIME\",\"headers\":[{\"empty\":[]}]}");
  }

  @Test
  void eachRecordsJsonIsWrittenOnceAndReusedVerbatim() {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.addAll(KafkaRecords.records("t", 1, 0, 2));
    records.addAll(KafkaRecords.records("t", 0, 5, 6));
    Map<ConsumerRecord<byte[], byte[]>, byte[]> written = new java.util.IdentityHashMap<>();
    records.forEach(r -> written.put(r, KafkaEvents.recordJson(r)));
    List<ConsumerRecord<byte[], byte[]>> asked = new ArrayList<>();

    byte[] event =
        KafkaEvents.event(
            SELF,
            records,
            r -> {
              asked.add(r);
              return written.get(r);
            });

    assertThat(asked).containsExactlyElementsOf(records); // each once, none written again
    assertThat(json(event)).isEqualTo(json(KafkaEvents.event(SELF, records)));
    assertThat(json(event))
        .contains(
            "\"records\":{\"t-1\":["
                + json(written.get(records.get(0)))
                + ","
                + json(written.get(records.get(1)))
                + "],\"t-0\":["
                + json(written.get(records.get(2)))
                + "]}}");
  }

  @Test
  void anEventWithoutRecordsHasAnEmptyRecordsObject() {
    assertThat(json(KafkaEvents.event(SELF, List.of())))
        .isEqualTo(
            "{\"eventSource\":\"SelfManagedKafka\","
                + "\"bootstrapServers\":\"127.0.0.1:9092,127.0.0.1:9093\",\"records\":{}}");
  }

  @Test
  void sizesAddUpToTheEventsSize() {
    List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.records("t", 0, 0, 3);
    int estimate =
        KafkaEvents.envelopeSize(SELF) + KafkaEvents.partitionEntrySize(new TopicPartition("t", 0));
    for (ConsumerRecord<byte[], byte[]> r : records) {
      estimate += KafkaEvents.recordSize(r) + 1;
    }
    int actual = KafkaEvents.event(SELF, records).length;
    assertThat(estimate).isBetween(actual, actual + 8);
  }

  @Test
  void noAnswerNullAnEmptyObjectOrAnEmptyListAreSuccess() {
    for (String answer :
        new String[] {
          "", "  ", "null", "{}", "{\"batchItemFailures\":[]}", "{\"batchItemFailures\":null}"
        }) {
      assertThat(KafkaEvents.answer(answer.getBytes(StandardCharsets.UTF_8)))
          .as(answer)
          .isInstanceOf(Success.class);
    }
    assertThat(KafkaEvents.answer(null)).isInstanceOf(Success.class);
  }

  @Test
  void failuresNameTheLowestOffsetPerPartition() {
    String answer =
        "{\"batchItemFailures\":["
            + "{\"itemIdentifier\":{\"partition\":\"my-topic-1\",\"offset\":12}},"
            + "{\"itemIdentifier\":{\"partition\":\"other-0\",\"offset\":3}},"
            + "{\"itemIdentifier\":{\"partition\":\"my-topic-1\",\"offset\":10}}]}";
    assertThat(KafkaEvents.answer(answer.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(
            new PartialFailure(
                Map.of(
                    new TopicPartition("my-topic", 1), 10L, new TopicPartition("other", 0), 3L)));
  }

  @Test
  void malformedAnswersFailTheBatchAndSayWhatIsWrong() {
    assertInvalid("not json", "not JSON");
    assertInvalid("\"ok\"", "must be an object");
    assertInvalid("{\"batchItemFailures\":{}}", "batchItemFailures is {}");
    assertInvalid("{\"batchItemFailures\":[{}]}", "batchItemFailures[0].itemIdentifier is null");
    assertInvalid(
        "{\"batchItemFailures\":[{\"itemIdentifier\":\"15\"}]}",
        "{\"partition\":\"topic-N\",\"offset\":N}");
    assertInvalid(
        "{\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\"nodash\",\"offset\":1}}]}",
        "partition is \"nodash\"");
    assertInvalid(
        "{\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\"t-0\",\"offset\":\"1\"}}]}",
        "offset is \"1\"");
  }

  private static void assertInvalid(String answer, String message) {
    assertThat(KafkaEvents.answer(answer.getBytes(StandardCharsets.UTF_8)))
        .as(answer)
        .isInstanceOfSatisfying(
            InvalidAnswer.class, i -> assertThat(i.message()).contains(message));
  }

  @Test
  void partitionKeysSplitAtTheLastDash() {
    assertThat(KafkaEvents.topicPartition("my-topic-12"))
        .isEqualTo(new TopicPartition("my-topic", 12));
    assertThat(KafkaEvents.topicPartition("t-0")).isEqualTo(new TopicPartition("t", 0));
    assertThat(KafkaEvents.topicPartition("nodash")).isNull();
    assertThat(KafkaEvents.topicPartition("t-")).isNull();
    assertThat(KafkaEvents.topicPartition("-1")).isNull();
    assertThat(KafkaEvents.topicPartition("t-x")).isNull();
  }
}
