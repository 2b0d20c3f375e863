package dev.tributary.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.operator.protocol.OperatorResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  private static OperatorResponse committed(int slot, long applied, int conflicts) {
    return committed(slot, applied, conflicts, 0);
  }

  private static OperatorResponse committed(int slot, long applied, int conflicts, long late) {
    return new OperatorResponse(
        1,
        OperatorResponse.Status.COMMITTED,
        "s",
        slot,
        "5:0",
        3,
        1,
        applied,
        0,
        0,
        applied,
        0,
        late,
        conflicts,
        0,
        2.0,
        4.0,
        null,
        0,
        null,
        0);
  }

  /** What a telemetry wrote: its log lines and its metric records (stdout, as in Lambda). */
  private record Written(String logs, String metrics) {
    JsonNode metricRecord() throws Exception {
      return JSON.readTree(
          metrics.lines().filter(l -> l.contains("_aws")).findFirst().orElseThrow());
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Written capture(java.util.function.Consumer<Telemetry> use) {
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    ByteArrayOutputStream emf = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(emf, true, StandardCharsets.UTF_8));
    try {
      use.accept(
          new Telemetry(
              "payments",
              "coordinator",
              software.amazon.lambda.powertools.metrics.MetricsBuilder.builder()
                  .withNamespace(Telemetry.NAMESPACE)
                  .withService("tributary-coordinator")
                  .build(),
              new PrintStream(logs, true, StandardCharsets.UTF_8)));
    } finally {
      System.setOut(stdout);
    }
    return new Written(logs.toString(StandardCharsets.UTF_8), emf.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aBatchIsOneEmbeddedMetricFormatRecordAndAStructuredLogLinePerSlot() throws Exception {
    Written w =
        capture(
            t -> {
              t.batch("s", 10, 2, 0, List.of(committed(0, 5, 1), committed(1, 3, 0)), 12, 250);
              t.log("WARN", "hello", Map.of("split", "s"));
            });
    String[] lines = w.logs().split("\n");
    assertThat(lines).hasSize(3);
    JsonNode slot = JSON.readTree(lines[0]);
    assertThat(slot.get("level").asText()).isEqualTo("INFO");
    assertThat(slot.get("job").asText()).isEqualTo("payments");
    assertThat(slot.get("slot").asInt()).isZero();
    assertThat(slot.get("epoch").asLong()).isEqualTo(3);
    assertThat(JSON.readTree(lines[2]).get("message").asText()).isEqualTo("hello");
    JsonNode record = w.metricRecord();
    assertThat(record.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("Tributary");
    assertThat(record.get("RecordsApplied").asDouble()).isEqualTo(8);
    assertThat(record.get("Conflicts").asDouble()).isEqualTo(1);
    assertThat(record.get("WriteCapacityUnits").asDouble()).isEqualTo(8);
    assertThat(record.get("Lag").asDouble()).isEqualTo(250);
    assertThat(record.get("LateRecordsDropped").asDouble()).isZero();
  }

  @Test
  void lateRecordsDroppedAreCountedAndWarnedAbout() throws Exception {
    Written w =
        capture(
            t ->
                t.batch(
                    "s", 10, 0, 0, List.of(committed(0, 5, 0, 2), committed(1, 3, 0, 1)), 12, -1));
    JsonNode warning =
        JSON.readTree(w.logs().lines().filter(l -> l.contains("WARN")).findFirst().orElseThrow());
    assertThat(warning.get("message").asText()).contains("late records dropped");
    assertThat(warning.get("lateRecordsDropped").asLong()).isEqualTo(3);
    assertThat(w.metricRecord().get("LateRecordsDropped").asDouble()).isEqualTo(3);
  }
}
