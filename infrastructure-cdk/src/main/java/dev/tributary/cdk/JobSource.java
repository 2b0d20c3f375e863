package dev.tributary.cdk;

import dev.tributary.cdk.internal.Problems;
import java.util.List;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.kinesis.IStream;
import software.amazon.awscdk.services.lambda.IEventSourceDlq;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.Construct;

/**
 * Where a job's records come from: a Kinesis stream ({@link KinesisSource}) or a Kafka topic on
 * Amazon MSK or a self-managed cluster ({@link KafkaSource}). The source decides the coordinator's
 * handler and the kind of event source mapping; {@link StreamJob} creates the mapping.
 */
public abstract class JobSource {
  JobSource() {}

  /** Whether the source is Kinesis (else Kafka). */
  abstract boolean isKinesis();

  /** The coordinator's handler for this source. */
  abstract String handler();

  /** Adds problems with the source's own settings. */
  abstract void validate(Problems problems);

  /**
   * Creates what the source needs (a new stream, removed with the stack under {@code removalPolicy}
   * as the tables are) and the event source mapping onto {@code target}, with the settings and the
   * on-failure destination; grants {@code target} read access.
   */
  abstract void bind(
      Construct scope,
      IFunction target,
      EventSourceSettings settings,
      IEventSourceDlq onFailure,
      String jobName,
      RemovalPolicy removalPolicy);

  /** The Kinesis stream, once bound (null for Kafka). */
  abstract IStream stream();

  /**
   * The source's splits at the job's start, as the coordinator names them ({@code
   * TRIBUTARY_SPLITS}), once bound; null when they are not known at synth time.
   */
  abstract List<String> splits();

  /** Whether the splits were declared on the source (rather than known from what it creates). */
  abstract boolean declaresSplits();

  /** How far the mapping is behind: iterator age (Kinesis) or offset lag (Kafka). */
  abstract IMetric lagMetric(IFunction coordinator);

  /** A short description for outputs and errors. */
  abstract String describe();
}
