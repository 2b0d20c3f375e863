package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import dev.tributary.operator.protocol.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaHandlerTest {
  @Test
  void aKafkaRecordBecomesASourceRecordAtItsOffsetWithKeyAndHeaders() {
    KafkaEvent.KafkaEventRecord r =
        KafkaEvent.KafkaEventRecord.builder()
            .withTopic("orders")
            .withPartition(3)
            .withOffset(42)
            .withTimestamp(1_767_225_600_000L)
            .withKey(Base64.getEncoder().encodeToString("k".getBytes(StandardCharsets.UTF_8)))
            .withValue(
                Base64.getEncoder().encodeToString("{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
            .withHeaders(List.of(Map.of("trace", "xyz".getBytes(StandardCharsets.UTF_8))))
            .build();
    SourceRecord s = KafkaHandler.sourceRecord(r);
    assertThat(s.sequence()).isEqualTo("42");
    assertThat(s.timestamp()).isEqualTo(1_767_225_600_000L);
    assertThat(new String(s.data(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    assertThat(s.metadata())
        .containsEntry("topic", "orders")
        .containsEntry("partition", "3")
        .containsEntry("header.trace", "xyz");
  }

  @Test
  void repeatedBinaryAndEmptyHeadersAreAllKept() {
    Map<String, byte[]> nullValue = new HashMap<>();
    nullValue.put("tombstone", null);
    List<Map<String, byte[]>> headers = new ArrayList<>();
    headers.add(Map.of("trace", "a".getBytes(StandardCharsets.UTF_8)));
    headers.add(Map.of("trace", "b".getBytes(StandardCharsets.UTF_8)));
    headers.add(Map.of("trace", "c".getBytes(StandardCharsets.UTF_8)));
    headers.add(Map.of("id", new byte[] {(byte) 0xff, 0x00, (byte) 0xc3}));
    headers.add(Map.of("id", "text".getBytes(StandardCharsets.UTF_8)));
    headers.add(nullValue);
    headers.add(null);
    KafkaEvent.KafkaEventRecord r =
        KafkaEvent.KafkaEventRecord.builder()
            .withTopic("orders")
            .withPartition(0)
            .withOffset(1)
            .withValue("")
            .withHeaders(headers)
            .build();
    assertThat(KafkaHandler.sourceRecord(r).metadata())
        .containsEntry("header.trace", "a")
        .containsEntry("header.trace#2", "b")
        .containsEntry("header.trace#3", "c")
        .containsEntry("header.id.base64", "/wDD")
        .containsEntry("header.id#2", "text")
        .containsEntry("header.tombstone", "")
        .doesNotContainKey("header.id");
  }

  @Test
  void aRecordWithoutHeadersKeepsTopicPartitionOffsetAndKey() {
    KafkaEvent.KafkaEventRecord keyed =
        KafkaEvent.KafkaEventRecord.builder()
            .withTopic("orders")
            .withPartition(0)
            .withOffset(7)
            .withKey("aw==")
            .withValue("")
            .build();
    assertThat(KafkaHandler.sourceRecord(keyed).metadata())
        .isEqualTo(Map.of("topic", "orders", "partition", "0", "offset", "7", "key", "aw=="));
    KafkaEvent.KafkaEventRecord bare =
        KafkaEvent.KafkaEventRecord.builder()
            .withTopic("orders")
            .withPartition(1)
            .withOffset(8)
            .withHeaders(List.of())
            .build();
    SourceRecord s = KafkaHandler.sourceRecord(bare);
    assertThat(s.metadata()).isEqualTo(Map.of("topic", "orders", "partition", "1", "offset", "8"));
    assertThat(s.data()).isEmpty();
  }

  @Test
  void theFailureNamesTheTopicPartitionAndTheOffset() {
    KafkaBatchResponse.Failure f = new KafkaBatchResponse.Failure("orders-3", 42);
    assertThat(f.getItemIdentifier().getPartition()).isEqualTo("orders-3");
    assertThat(f.getItemIdentifier().getOffset()).isEqualTo(42);
  }

  private static KafkaEvent.KafkaEventRecord record(int partition, long offset) {
    return KafkaEvent.KafkaEventRecord.builder()
        .withTopic("orders")
        .withPartition(partition)
        .withOffset(offset)
        .withValue("")
        .build();
  }

  private static KafkaEvent batch() {
    KafkaEvent event = new KafkaEvent();
    event.setRecords(
        Map.of(
            "orders-0", List.of(record(0, 10), record(0, 11)),
            "orders-1", List.of(record(1, 20), record(1, 21))));
    return event;
  }

  private static Coordinator.Outcome committed() {
    return new Coordinator.Outcome(-1, List.of(), 0, 0, 0, 0, 0, 0, List.of());
  }

  @Test
  void aFailingPartitionIsAnsweredFromItsFirstRecordWhileTheOthersKeepTheirCommits() {
    List<String> logged = new ArrayList<>();
    KafkaHandler handler =
        new KafkaHandler(
            () -> {},
            (split, records, deadline) -> {
              if (split.equals("orders-1")) {
                throw new IllegalStateException("every slot's answer was lost");
              }
              return committed();
            },
            (split, e) -> logged.add(split + ": " + e.getMessage()),
            split -> {});
    KafkaBatchResponse response = handler.handleRequest(batch(), null);
    assertAnsweredFrom(response, "orders-1", 20);
    assertThat(logged).containsExactly("orders-1: every slot's answer was lost");
  }

  @Test
  void whenEveryPartitionFailsTheInvocationFails() {
    KafkaHandler handler =
        new KafkaHandler(
            () -> {},
            (split, records, deadline) -> {
              throw new IllegalStateException("DynamoDB unreachable for " + split);
            },
            (split, e) -> {},
            split -> {});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> handler.handleRequest(batch(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("DynamoDB unreachable for orders-0")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
  }

  @Test
  void partitionsLeftWhenTheTimeIsUpAreDeliveredAgainFromTheirFirstRecord() {
    com.amazonaws.services.lambda.runtime.Context oneSecondLeft = TimeLeft.of(1_000);
    List<String> processed = new ArrayList<>();
    List<String> deferred = new ArrayList<>();
    KafkaHandler handler =
        new KafkaHandler(
            () -> {},
            (split, records, deadline) -> {
              processed.add(split);
              TimeLeft.sleepPastOneSecondsDeadline();
              return committed();
            },
            (split, e) -> {},
            deferred::add);
    KafkaBatchResponse response = handler.handleRequest(batch(), oneSecondLeft);
    assertThat(processed).containsExactly("orders-0");
    assertThat(deferred).containsExactly("orders-1");
    // the next invocation starts at the other partition, so that the same one is not always left
    processed.clear();
    handler.handleRequest(batch(), oneSecondLeft);
    assertThat(processed).containsExactly("orders-1");
    assertAnsweredFrom(response, "orders-1", 20);
  }

  @Test
  void aFailedPartitionBesideOneLeftForTimeIsAnsweredNotThrown() {
    com.amazonaws.services.lambda.runtime.Context oneSecondLeft = TimeLeft.of(1_000);
    List<String> logged = new ArrayList<>();
    KafkaHandler handler =
        new KafkaHandler(
            () -> {},
            (split, records, deadline) -> {
              TimeLeft.sleepPastOneSecondsDeadline();
              throw new IllegalStateException("slow and then failed");
            },
            (split, e) -> logged.add(split),
            split -> {});
    KafkaBatchResponse response = handler.handleRequest(batch(), oneSecondLeft);
    assertThat(response.getBatchItemFailures())
        .extracting(f -> f.getItemIdentifier().getPartition())
        .containsExactlyInAnyOrder("orders-0", "orders-1");
    assertThat(logged).containsExactly("orders-0");
  }

  /** The response names one failure: {@code partition} from {@code offset}. */
  private static void assertAnsweredFrom(
      KafkaBatchResponse response, String partition, long offset) {
    assertThat(response.getBatchItemFailures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.getItemIdentifier().getPartition()).isEqualTo(partition);
              assertThat(f.getItemIdentifier().getOffset()).isEqualTo(offset);
            });
  }
}
