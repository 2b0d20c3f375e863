package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.local.esm.KafkaOnFailureRecord.Condition;
import dev.tributary.local.esm.KafkaOnFailureRecord.RecordsInfo;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaOnFailureRecordTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static KafkaOnFailureRecord record(Condition condition, boolean invoked, String error) {
    return new KafkaOnFailureRecord(
        "316aa6d0-8154-4f0e-9af7-85d5f4a6bc81",
        "arn:aws:lambda:us-east-1:000000000000:function:coordinator",
        condition,
        invoked ? 3 : 0,
        error,
        invoked,
        Instant.parse("2026-01-01T00:00:06Z"),
        4,
        "arn:aws:kafka:us-east-1:123456789012:cluster/c/1",
        "127.0.0.1:9092",
        2039,
        Map.of(
            "orders-0",
            new RecordsInfo(
                350,
                353,
                Instant.parse("2026-01-01T00:00:04.835Z"),
                Instant.parse("2026-01-01T00:00:05.580Z"))),
        "{\"eventSource\":\"aws:kafka\"}",
        "Unhandled: boom");
  }

  @Test
  void theJsonIsLambdasInvocationRecordForKafka() throws Exception {
    JsonNode json =
        JSON.readTree(record(Condition.RetryAttemptsExhausted, true, "Unhandled").toJson());
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly(
            "requestContext",
            "responseContext",
            "version",
            "timestamp",
            "KafkaBatchInfo",
            "payload");
    assertThat(json.at("/requestContext/condition").asText()).isEqualTo("RetryAttemptsExhausted");
    assertThat(json.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(3);
    assertThat(json.at("/requestContext/functionArn").asText()).endsWith(":function:coordinator");
    assertThat(json.at("/responseContext/statusCode").asInt()).isEqualTo(200);
    assertThat(json.at("/responseContext/executedVersion").asText()).isEqualTo("$LATEST");
    assertThat(json.at("/responseContext/functionError").asText()).isEqualTo("Unhandled");
    assertThat(json.at("/version").asText()).isEqualTo("1.0");
    assertThat(json.at("/timestamp").asText()).isEqualTo("2026-01-01T00:00:06.000Z");
    JsonNode info = json.get("KafkaBatchInfo");
    assertThat(info.get("batchSize").asInt()).isEqualTo(4);
    assertThat(info.get("eventSourceArn").asText()).startsWith("arn:aws:kafka:");
    assertThat(info.get("bootstrapServers").asText()).isEqualTo("127.0.0.1:9092");
    assertThat(info.get("payloadSize").asLong()).isEqualTo(2039);
    JsonNode range = info.at("/recordsInfo/orders-0");
    assertThat(range.get("firstRecordOffset").isTextual()).isTrue();
    assertThat(range.get("firstRecordOffset").asText()).isEqualTo("350");
    assertThat(range.get("lastRecordOffset").asText()).isEqualTo("353");
    assertThat(range.get("firstRecordTimestamp").asText()).isEqualTo("2026-01-01T00:00:04.835Z");
    assertThat(range.get("lastRecordTimestamp").asText()).isEqualTo("2026-01-01T00:00:05.580Z");
    assertThat(json.get("payload").asText()).isEqualTo("{\"eventSource\":\"aws:kafka\"}");
    assertThat(json.toString()).doesNotContain("boom"); // the reason is ours, not AWS's
  }

  @Test
  void recordsGivenUpBeforeAnyInvocationHaveANullResponseContext() throws Exception {
    JsonNode json = JSON.readTree(record(Condition.RecordAgeExceeded, false, null).toJson());
    assertThat(json.get("responseContext").isNull()).isTrue();
    assertThat(json.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
  }

  @Test
  void aPartialFailureAnswerHasNoFunctionError() throws Exception {
    JsonNode json = JSON.readTree(record(Condition.RetryAttemptsExhausted, true, null).toJson());
    assertThat(json.get("responseContext").has("functionError")).isFalse();
    assertThat(json.at("/responseContext/statusCode").asInt()).isEqualTo(200);
  }
}
