package dev.tributary.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.operator.protocol.OperatorResponse;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsBuilder;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Metrics and structured logs of the functions. Metrics go out in CloudWatch embedded metric format
 * through Powertools for AWS Lambda (namespace {@value #NAMESPACE}, dimension {@code job}); logs
 * are one JSON object per line with the keys Powertools' logger uses ({@code level}, {@code
 * message}, {@code service}, {@code timestamp}) plus {@code job}, {@code split}, {@code slot},
 * {@code epoch}, so that Logs Insights queries work on both.
 */
public final class Telemetry {
  /** The CloudWatch namespace of Tributary's metrics. */
  public static final String NAMESPACE = "Tributary";

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // outside Lambda (local runs, tests) write the metric records to standard output, as Lambda
    // does, instead of looking for a CloudWatch agent
    if (System.getenv("AWS_LAMBDA_FUNCTION_NAME") == null
        && System.getenv("AWS_EMF_ENVIRONMENT") == null) {
      software.amazon.cloudwatchlogs.emf.config.EnvironmentConfigurationProvider.getConfig()
          .setEnvironmentOverride(
              software.amazon.cloudwatchlogs.emf.environment.Environments.Local);
    }
  }

  private final String job;
  private final String function;
  private final Metrics metrics;
  private final PrintStream out;

  /** Telemetry of {@code function} ("coordinator", "operator") running {@code job}. */
  public Telemetry(String job, String function) {
    this(
        job,
        function,
        MetricsBuilder.builder()
            .withNamespace(NAMESPACE)
            .withService("tributary-" + function)
            .withDefaultDimensions(DimensionSet.of("job", job))
            .build(),
        System.out);
  }

  /** Telemetry writing to {@code out} with {@code metrics} (tests). */
  public Telemetry(String job, String function, Metrics metrics, PrintStream out) {
    this.job = job;
    this.function = function;
    this.metrics = metrics;
    this.out = out;
  }

  /** Counts what the slots committed for one batch (or tick) and flushes the metrics. */
  public void batch(
      String split,
      long recordsIn,
      long skipped,
      long deadLettered,
      List<OperatorResponse> responses,
      long millis,
      long lagMillis) {
    long applied = 0;
    long outputs = 0;
    long conflicts = 0;
    long merges = 0;
    long retries = 0;
    long poisoned = 0;
    long late = 0;
    double read = 0;
    double write = 0;
    for (OperatorResponse r : responses) {
      applied += r.applied();
      outputs += r.outputs();
      conflicts += r.conflicts();
      merges += r.timerItemMerges();
      retries += r.retries();
      deadLettered += r.deadLettered();
      poisoned += r.status() == OperatorResponse.Status.POISON ? 1 : 0;
      late += r.lateRecordsDropped();
      read += r.readUnits();
      write += r.writeUnits();
      log(
          "INFO",
          "slot committed",
          Map.of(
              "split", r.split() == null ? "(tick)" : r.split(),
              "slot", r.slot(),
              "epoch", r.epoch(),
              "status", r.status().name(),
              "applied", r.applied(),
              "outputs", r.outputs(),
              "conflicts", r.conflicts()));
    }
    if (late > 0) {
      log(
          "WARN",
          "late records dropped: they came after the watermark had passed their windows (and the"
              + " allowed lateness); allow more out-of-orderness or lateness, or give the window a"
              + " late-data side output to keep them",
          Map.of("split", split == null ? "(tick)" : split, "lateRecordsDropped", late));
    }
    metrics.addMetric("RecordsIn", recordsIn, MetricUnit.COUNT);
    metrics.addMetric("LateRecordsDropped", late, MetricUnit.COUNT);
    metrics.addMetric("RecordsApplied", applied, MetricUnit.COUNT);
    metrics.addMetric("RecordsSkipped", skipped, MetricUnit.COUNT);
    metrics.addMetric("RecordsOut", outputs, MetricUnit.COUNT);
    metrics.addMetric("Conflicts", conflicts, MetricUnit.COUNT);
    metrics.addMetric("TimerItemMerges", merges, MetricUnit.COUNT);
    metrics.addMetric("CommitRetries", retries, MetricUnit.COUNT);
    metrics.addMetric("PoisonRetries", poisoned, MetricUnit.COUNT);
    metrics.addMetric("DeadLetters", deadLettered, MetricUnit.COUNT);
    metrics.addMetric("ReadCapacityUnits", read, MetricUnit.COUNT);
    metrics.addMetric("WriteCapacityUnits", write, MetricUnit.COUNT);
    metrics.addMetric("BatchLatency", millis, MetricUnit.MILLISECONDS);
    if (lagMillis >= 0) {
      metrics.addMetric("Lag", lagMillis, MetricUnit.MILLISECONDS);
    }
    if (split != null) {
      metrics.addMetadata("split", split);
    }
    metrics.flush();
  }

  /**
   * A partition of a Kafka batch failed while the batch's others went on (its records are delivered
   * again): logs it and counts {@code PartitionFailures}, which an alarm watches, since the
   * invocation itself succeeds.
   */
  public void partitionFailed(String split, RuntimeException error) {
    log(
        "ERROR",
        "the partition's records failed; the event source mapping delivers them again from the"
            + " first one, the batch's other partitions keep what they committed",
        Map.of("split", split, "error", String.valueOf(error)));
    metrics.addMetric("PartitionFailures", 1, MetricUnit.COUNT);
    metrics.addMetadata("split", split);
    metrics.flush();
  }

  /**
   * A slot (or, with a parallelization factor above 1, every slot of a partition key) failed while
   * the batch's others went on: the batch is delivered again from the first record it did not
   * commit. Logs the error, which otherwise shows only in the operator function's own log (and
   * nowhere for a slot run in process), and counts {@code SlotFailures}, which an alarm watches.
   *
   * @param split the split (with {@code /k/<partition key>} for a partition key)
   * @param slot the slot, or -1 for every slot of a partition key
   */
  public void slotFailed(String split, int slot, Throwable error) {
    log(
        "ERROR",
        "a slot failed; the event source mapping delivers the batch again from the first record"
            + " the slot did not commit, the other slots keep what they committed",
        Map.of("split", split, "slot", slot, "error", String.valueOf(error)));
    metrics.addMetric("SlotFailures", 1, MetricUnit.COUNT);
    metrics.addMetadata("split", split);
    metrics.flush();
  }

  /**
   * The coordinator's deadline came before {@code missed} pieces of a batch were done: slots that
   * had not answered, partition keys not started (parallelization factor above 1), or a Kafka
   * partition not started. Their records are delivered again, so nothing is lost, but a job that
   * keeps missing it redoes work and falls behind: logs {@code message} and counts {@code
   * DeadlineMisses}, which an alarm watches.
   */
  public void deadlineMissed(String split, long missed, String message) {
    log("WARN", message, Map.of("split", split, "missed", missed));
    metrics.addMetric("DeadlineMisses", missed, MetricUnit.COUNT);
    metrics.addMetadata("split", split);
    metrics.flush();
  }

  /** Writes one structured log line. */
  public void log(String level, String message, Map<String, Object> fields) {
    ObjectNode line = JSON.createObjectNode();
    line.put("level", level);
    line.put("message", message);
    line.put("service", "tributary-" + function);
    line.put("timestamp", Instant.now().toString());
    line.put("job", job);
    fields.forEach((k, v) -> line.putPOJO(k, v));
    out.println(line);
  }
}
