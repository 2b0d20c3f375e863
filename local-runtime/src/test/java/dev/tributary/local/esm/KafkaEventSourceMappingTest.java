package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder's checks, which run before any consumer is created. */
class KafkaEventSourceMappingTest {
  private static KafkaEventSourceMapping.Builder valid() {
    return KafkaEventSourceMapping.builder()
        .bootstrapServers("127.0.0.1:1")
        .topic("orders")
        .settings(KafkaEventSourceMapping.defaultSettings("coordinator"))
        .invoker((f, p) -> new FunctionInvoker.Returned(new byte[0]));
  }

  private static MappingSettings withParallelization(int factor) {
    MappingSettings d = KafkaEventSourceMapping.defaultSettings("f");
    return new MappingSettings(
        "f",
        d.batchSize(),
        d.maximumBatchingWindow(),
        d.startingPosition(),
        null,
        d.maximumRetryAttempts(),
        null,
        false,
        false,
        factor);
  }

  @Test
  void theDefaultsAreAwssForKafka() {
    MappingSettings d = KafkaEventSourceMapping.defaultSettings("coordinator");
    assertThat(d.batchSize()).isEqualTo(100);
    assertThat(d.maximumBatchingWindow()).isEqualTo(Duration.ofMillis(500));
    assertThat(d.maximumRetryAttempts()).isEqualTo(-1);
    assertThat(d.maximumRecordAge()).isNull();
    assertThat(d.reportBatchItemFailures()).isFalse();
    assertThat(d.parallelizationFactor()).isEqualTo(1);
  }

  @Test
  void parallelizationFactorIsRefusedForKafka() {
    assertThatThrownBy(() -> valid().settings(withParallelization(4)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ParallelizationFactor is 4")
        .hasMessageContaining("Kinesis")
        .hasMessageContaining("leave it at 1");
  }

  @Test
  void exactlyOneLegalTopicIsAccepted() {
    assertThatThrownBy(() -> valid().topics(List.of("a", "b")).build())
        .hasMessageContaining("Topics has 2 entries [a, b]")
        .hasMessageContaining("one mapping per topic");
    assertThatThrownBy(() -> valid().topics(List.of()).build())
        .hasMessageContaining("Topics has 0 entries");
    assertThatThrownBy(() -> valid().topic("bad topic!").build())
        .hasMessageContaining("Topics[0] is 'bad topic!'")
        .hasMessageContaining("[a-zA-Z0-9._-]");
  }

  @Test
  void theOtherSettingsAreCheckedWithTheFix() {
    assertThatThrownBy(() -> valid().consumerGroupId("has space").build())
        .hasMessageContaining("ConsumerGroupId is 'has space'")
        .hasMessageContaining("1 to 200");
    assertThatThrownBy(() -> valid().msk("arn:aws:s3:::bucket").build())
        .hasMessageContaining("MSK cluster ARN is 'arn:aws:s3:::bucket'")
        .hasMessageContaining("selfManaged()");
    assertThatThrownBy(() -> valid().bootstrapServers(" ").build())
        .hasMessageContaining("bootstrapServers is not set");
    assertThatThrownBy(() -> valid().invoker(null).build())
        .hasMessageContaining("invoker is not set");
    assertThatThrownBy(() -> valid().retryDelay(Duration.ofMillis(-1)).build())
        .hasMessageContaining("retryDelay is PT-0.001S");
    assertThatThrownBy(() -> valid().consumerConfig("group.id", "x"))
        .hasMessageContaining("consumerConfig group.id is set by the mapping")
        .hasMessageContaining("consumerGroupId(...)");
  }
}
