package dev.tributary.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.cdk.internal.FunctionEnvironment;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.Telemetry;
import dev.tributary.state.dynamodb.StateTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The construct repeats names the functions define (it must synthesize without them): these tests
 * hold the copies to the originals, so that a rename on either side fails here and not in AWS.
 */
class FunctionEnvironmentTest {
  @Test
  void theVariablesAreTheOnesRuntimeSettingsReads() {
    assertThat(
            List.of(
                FunctionEnvironment.JOB_CLASS,
                FunctionEnvironment.STATE_TABLE,
                FunctionEnvironment.OUTBOX_TABLE,
                FunctionEnvironment.DEAD_LETTER_TABLE,
                FunctionEnvironment.SOURCE,
                FunctionEnvironment.SLOTS,
                FunctionEnvironment.MAX_KEY_GROUPS,
                FunctionEnvironment.JOB_NAME,
                FunctionEnvironment.MAX_ATTEMPTS,
                FunctionEnvironment.OPERATOR_FUNCTION,
                FunctionEnvironment.FAN_OUT,
                FunctionEnvironment.PARALLELIZATION_FACTOR,
                FunctionEnvironment.IDLE_TIMEOUT,
                FunctionEnvironment.SPLITS))
        .containsExactly(
            RuntimeSettings.JOB_CLASS,
            RuntimeSettings.STATE_TABLE,
            RuntimeSettings.OUTBOX_TABLE,
            RuntimeSettings.DEAD_LETTER_TABLE,
            RuntimeSettings.SOURCE,
            RuntimeSettings.SLOTS,
            RuntimeSettings.MAX_KEY_GROUPS,
            RuntimeSettings.JOB_NAME,
            RuntimeSettings.MAX_ATTEMPTS,
            RuntimeSettings.OPERATOR_FUNCTION,
            RuntimeSettings.FAN_OUT,
            RuntimeSettings.PARALLELIZATION_FACTOR,
            RuntimeSettings.IDLE_TIMEOUT,
            RuntimeSettings.SPLITS);
    for (StreamJobProps.FanOut f : StreamJobProps.FanOut.values()) {
      assertThat(RuntimeSettings.FanOut.valueOf(f.name())).isNotNull();
    }
  }

  @Test
  void theKeySchemaAndTtlAreStateTables() {
    assertThat(List.of(FunctionEnvironment.PARTITION_KEY, FunctionEnvironment.SORT_KEY))
        .containsExactly(StateTables.PK, StateTables.SK);
    assertThat(FunctionEnvironment.TTL_ATTRIBUTE).isEqualTo(StateTables.TTL);
  }

  @Test
  void everyHandlerIsAPublicRequestHandlerInTheFunctionsJar() throws Exception {
    for (String handler :
        List.of(
            FunctionEnvironment.KINESIS_HANDLER,
            FunctionEnvironment.KAFKA_HANDLER,
            FunctionEnvironment.TICK_HANDLER,
            FunctionEnvironment.OPERATOR_HANDLER)) {
      String[] parts = handler.split("::");
      Class<?> type = Class.forName(parts[0]);
      assertThat(type.getConstructor()).isNotNull();
      assertThat(type.getMethods())
          .anyMatch(
              m ->
                  m.getName().equals(parts[1])
                      && m.getParameterCount() >= 2
                      // RequestHandler (event, context) or RequestStreamHandler (in, out, context)
                      && m.getParameterTypes()[m.getParameterCount() - 1] == Context.class);
    }
  }

  @Test
  void theMonitoredMetricsAreTheOnesTheCoordinatorEmits() throws Exception {
    ByteArrayOutputStream emf = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(emf, true, StandardCharsets.UTF_8));
    try {
      new Telemetry(Stacks.JOB_NAME, "coordinator")
          .batch("clicks/shardId-0", 10, 0, 0, List.of(), 12, 250);
    } finally {
      System.setOut(stdout);
    }
    JsonNode record =
        new ObjectMapper()
            .readTree(
                emf.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.contains("_aws"))
                    .findFirst()
                    .orElseThrow());
    JsonNode directive = record.at("/_aws/CloudWatchMetrics/0");
    assertThat(directive.get("Namespace").asText())
        .isEqualTo(FunctionEnvironment.METRIC_NAMESPACE)
        .isEqualTo(Telemetry.NAMESPACE);
    assertThat(directive.get("Dimensions").toString())
        .isEqualTo("[[\"" + FunctionEnvironment.METRIC_DIMENSION + "\"]]");
    assertThat(record.get(FunctionEnvironment.METRIC_DIMENSION).asText())
        .isEqualTo(Stacks.JOB_NAME);
    List<String> emitted = new ArrayList<>();
    directive.get("Metrics").forEach(m -> emitted.add(m.get("Name").asText()));
    assertThat(emitted).containsAll(JobMonitoring.JOB_METRICS);

    ByteArrayOutputStream failure = new ByteArrayOutputStream();
    System.setOut(new PrintStream(failure, true, StandardCharsets.UTF_8));
    try {
      Telemetry telemetry = new Telemetry(Stacks.JOB_NAME, "coordinator");
      telemetry.partitionFailed("clicks-0", new IllegalStateException("boom"));
      telemetry.slotFailed("clicks-0", 2, new IllegalStateException("bang"));
      telemetry.deadlineMissed("clicks-1", 2, "late");
    } finally {
      System.setOut(stdout);
    }
    List<String> failures = new ArrayList<>();
    for (String line :
        failure.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("_aws")).toList()) {
      new ObjectMapper()
          .readTree(line)
          .at("/_aws/CloudWatchMetrics/0/Metrics")
          .forEach(m -> failures.add(m.get("Name").asText()));
    }
    assertThat(failures).containsExactlyInAnyOrderElementsOf(JobMonitoring.FAILURE_METRICS);
  }
}
