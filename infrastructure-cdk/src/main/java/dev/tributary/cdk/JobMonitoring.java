package dev.tributary.cdk;

import dev.tributary.cdk.internal.FunctionEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * A job's CloudWatch dashboard and alarms. The job's own metrics are the ones the coordinator emits
 * in embedded metric format (namespace {@code Tributary}, dimension {@code job}, see
 * operator-functions' {@code Telemetry}); Lambda's and SQS's complete the picture. Alarms: the
 * source lag (Kinesis iterator age or Kafka offset lag), dead letters (in the table and in the
 * queue), commit conflicts, and errors of each function.
 */
public final class JobMonitoring extends Construct {
  private static final Duration PERIOD = Duration.minutes(5);

  /** The metrics of the job's own namespace that the dashboard and alarms read. */
  static final List<String> JOB_METRICS =
      List.of(
          "RecordsIn",
          "RecordsApplied",
          "RecordsSkipped",
          "RecordsOut",
          "LateRecordsDropped",
          "Conflicts",
          "TimerItemMerges",
          "CommitRetries",
          "PoisonRetries",
          "DeadLetters",
          "ReadCapacityUnits",
          "WriteCapacityUnits",
          "BatchLatency",
          "Lag");

  /**
   * Metrics the coordinator emits only when something fails: {@code PartitionFailures}, a Kafka
   * partition that failed while its batch's others went on, {@code SlotFailures}, a slot that
   * failed while the batch's others answered, and {@code DeadlineMisses}, slots, partition keys or
   * Kafka partitions the coordinator's deadline left undone.
   */
  static final List<String> FAILURE_METRICS =
      List.of("PartitionFailures", "SlotFailures", "DeadlineMisses");

  private final String jobName;
  private final Dashboard dashboard;
  private final List<Alarm> alarms = new ArrayList<>();

  JobMonitoring(
      Construct scope,
      String id,
      String jobName,
      JobSource source,
      CoordinatorFunction coordinator,
      OperatorFunction operator,
      IQueue deadLetterQueue,
      StreamJobProps props) {
    super(scope, id);
    this.jobName = jobName;
    Function coordinatorFn = coordinator.function();
    IMetric lag = source.lagMetric(coordinatorFn);
    if (source.isKinesis()) {
      alarm(
          "IteratorAgeAlarm",
          lag,
          props.maxIteratorAge().toMilliseconds().doubleValue(),
          3,
          "The coordinator of job "
              + jobName
              + " is more than "
              + props.maxIteratorAge().toHumanString()
              + " behind the stream (IteratorAge) for 3 minutes");
    } else {
      alarm(
          "OffsetLagAlarm",
          lag,
          props.maxOffsetLag(),
          3,
          "The coordinator of job "
              + jobName
              + " is more than "
              + props.maxOffsetLag()
              + " records behind the topic (OffsetLag) for 3 minutes");
    }
    if (!source.isKinesis()) {
      alarm(
          "PartitionFailuresAlarm",
          job("PartitionFailures"),
          0,
          1,
          "A partition of job "
              + jobName
              + " failed while the batch's others went on (metric PartitionFailures): its records"
              + " are delivered again until the mapping's retry attempts are used (10 when"
              + " retryAttempts is -1), then Lambda sends them to the dead-letter queue");
    }
    alarm(
        "SlotFailuresAlarm",
        job("SlotFailures"),
        0,
        1,
        "A slot of job "
            + jobName
            + " failed while the batch's other slots answered (metric SlotFailures; the error is"
            + " in the coordinator's log): the batch is delivered again from the first record the"
            + " slot did not commit, until the mapping's retry attempts are used");
    alarm(
        "DeadlineMissesAlarm",
        job("DeadlineMisses"),
        0,
        1,
        "The coordinator of job "
            + jobName
            + " reached its deadline before a batch was done (metric DeadlineMisses): the rest"
            + " is delivered again. Give the coordinator a longer timeout than the operator, or"
            + " the mapping smaller batches");
    alarm(
        "DeadLettersAlarm",
        job("DeadLetters"),
        0,
        1,
        "Job " + jobName + " set records aside in its dead-letter table (metric DeadLetters)");
    alarm(
        "DeadLetterQueueAlarm",
        deadLetterQueue.metricApproximateNumberOfMessagesVisible(
            MetricOptions.builder().period(PERIOD).statistic("Maximum").build()),
        0,
        1,
        "The dead-letter queue of job "
            + jobName
            + " holds messages: the event source mapping gave up on a batch, or a tick was not"
            + " delivered");
    alarm(
        "ConflictsAlarm",
        job("Conflicts"),
        props.conflictAlarmThreshold(),
        1,
        "Commits of job "
            + jobName
            + " conflicted more than "
            + props.conflictAlarmThreshold()
            + " times in 5 minutes: splits share keys (docs/protocol.md)");
    alarm(
        "CoordinatorErrorsAlarm",
        coordinatorFn.metricErrors(sum()),
        0,
        1,
        "The coordinator of job " + jobName + " failed invocations");
    alarm(
        "TickErrorsAlarm",
        coordinator.tickFunction().metricErrors(sum()),
        0,
        1,
        "The tick of job " + jobName + " failed invocations");
    alarm(
        "OperatorErrorsAlarm",
        operator.function().metricErrors(sum()),
        0,
        1,
        "The operator of job " + jobName + " failed invocations");
    if (props.alarmAction() != null) {
      for (Alarm a : alarms) {
        a.addAlarmAction(props.alarmAction());
      }
    }
    List<List<IWidget>> rows =
        List.of(
            List.of(
                graph(
                    "Records",
                    job("RecordsIn"),
                    job("RecordsApplied"),
                    job("RecordsSkipped"),
                    job("RecordsOut"),
                    job("LateRecordsDropped")),
                graph("Source lag", lag),
                graph("Batch latency (ms)", job("BatchLatency", "Average"), job("Lag", "Maximum"))),
            List.of(
                graph(
                    "Commits",
                    job("Conflicts"),
                    job("TimerItemMerges"),
                    job("CommitRetries"),
                    job("PoisonRetries"),
                    job("DeadLetters")),
                graph(
                    "DynamoDB capacity units", job("ReadCapacityUnits"), job("WriteCapacityUnits")),
                graph(
                    "Dead-letter queue",
                    deadLetterQueue.metricApproximateNumberOfMessagesVisible(
                        MetricOptions.builder().period(PERIOD).statistic("Maximum").build()))),
            List.of(
                graph(
                    "Errors",
                    coordinatorFn.metricErrors(sum()),
                    coordinator.tickFunction().metricErrors(sum()),
                    operator.function().metricErrors(sum()),
                    job("DeadlineMisses"),
                    job("PartitionFailures")),
                graph(
                    "Throttles",
                    coordinatorFn.metricThrottles(sum()),
                    operator.function().metricThrottles(sum())),
                graph(
                    "Duration (ms, p99)",
                    coordinatorFn.metricDuration(p99()),
                    operator.function().metricDuration(p99()))));
    this.dashboard = Dashboard.Builder.create(this, "Dashboard").widgets(rows).build();
  }

  private static MetricOptions sum() {
    return MetricOptions.builder().period(PERIOD).statistic("Sum").build();
  }

  private static MetricOptions p99() {
    return MetricOptions.builder().period(PERIOD).statistic("p99").build();
  }

  private Metric job(String name) {
    return job(name, "Sum");
  }

  private Metric job(String name, String statistic) {
    if (!JOB_METRICS.contains(name) && !FAILURE_METRICS.contains(name)) {
      throw new IllegalArgumentException(
          name + " is not one of the job metrics " + JOB_METRICS + " or " + FAILURE_METRICS);
    }
    return Metric.Builder.create()
        .namespace(FunctionEnvironment.METRIC_NAMESPACE)
        .metricName(name)
        .dimensionsMap(Map.of(FunctionEnvironment.METRIC_DIMENSION, jobName))
        .statistic(statistic)
        .period(PERIOD)
        .build();
  }

  private static GraphWidget graph(String title, IMetric... metrics) {
    return GraphWidget.Builder.create().title(title).left(List.of(metrics)).width(8).build();
  }

  private void alarm(
      String id, IMetric metric, double threshold, int evaluationPeriods, String description) {
    alarms.add(
        Alarm.Builder.create(this, id)
            .metric(metric)
            .threshold(threshold)
            .evaluationPeriods(evaluationPeriods)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
            .treatMissingData(TreatMissingData.NOT_BREACHING)
            .alarmDescription(description)
            .build());
  }

  /** The dashboard. */
  public Dashboard dashboard() {
    return dashboard;
  }

  /** Every alarm, to add actions to. */
  public List<Alarm> alarms() {
    return List.copyOf(alarms);
  }

  /** Adds {@code action} to every alarm. */
  public void addAlarmAction(IAlarmAction action) {
    for (Alarm a : alarms) {
      a.addAlarmAction(action);
    }
  }
}
