package dev.tributary.cdk.internal;

/**
 * The names the functions read from their environment and the handlers they run, as
 * operator-functions' {@code RuntimeSettings} and coordinator-function define them. The construct
 * does not depend on those modules (a synth needs aws-cdk-lib only), so the names are repeated
 * here; {@code FunctionEnvironmentTest} holds them to the originals.
 */
public final class FunctionEnvironment {
  /** The job's {@code JobProvider} class. */
  public static final String JOB_CLASS = "TRIBUTARY_JOB_CLASS";

  /** The state table's name. */
  public static final String STATE_TABLE = "TRIBUTARY_STATE_TABLE";

  /** The outbox table's name. */
  public static final String OUTBOX_TABLE = "TRIBUTARY_OUTBOX_TABLE";

  /** The dead-letter table's name. */
  public static final String DEAD_LETTER_TABLE = "TRIBUTARY_DEAD_LETTER_TABLE";

  /** The logical source the coordinator's trigger delivers. */
  public static final String SOURCE = "TRIBUTARY_SOURCE";

  /** The number of operator slots. */
  public static final String SLOTS = "TRIBUTARY_SLOTS";

  /** The job's max key groups, checked against the job at cold start. */
  public static final String MAX_KEY_GROUPS = "TRIBUTARY_MAX_KEY_GROUPS";

  /** {@code RuntimeSettings.JOB_NAME}: the job's name, the dimension its alarms watch. */
  public static final String JOB_NAME = "TRIBUTARY_JOB_NAME";

  /** Failures of one record before it is set aside. */
  public static final String MAX_ATTEMPTS = "TRIBUTARY_MAX_ATTEMPTS";

  /** The operator function (the coordinator invokes it). */
  public static final String OPERATOR_FUNCTION = "TRIBUTARY_OPERATOR_FUNCTION";

  /** How the coordinator reaches the slots. */
  public static final String FAN_OUT = "TRIBUTARY_FAN_OUT";

  /** The event source mapping's parallelization factor. */
  public static final String PARALLELIZATION_FACTOR = "TRIBUTARY_PARALLELIZATION_FACTOR";

  /** The idleness timeout of splits. */
  public static final String IDLE_TIMEOUT = "TRIBUTARY_IDLE_TIMEOUT";

  /**
   * The source's splits at the job's start, comma-separated: Kafka {@code <topic>-<partition>},
   * Kinesis {@code <stream name>/<shard id>}. The coordinator and the tick read it (not the
   * operator): each split it names holds the global watermark from the job's first batch until it
   * commits records of its own or stays quiet for {@link #IDLE_TIMEOUT}, so that a split whose
   * first batch comes after another's does not find its first records late. Unset: only the splits
   * that have delivered records hold the watermark.
   */
  public static final String SPLITS = "TRIBUTARY_SPLITS";

  /** The coordinator's handler for a Kinesis event source mapping. */
  public static final String KINESIS_HANDLER =
      "dev.tributary.coordinator.KinesisHandler::handleRequest";

  /** The coordinator's handler for an MSK or self-managed Kafka event source mapping. */
  public static final String KAFKA_HANDLER =
      "dev.tributary.coordinator.KafkaHandler::handleRequest";

  /** The handler of the scheduled tick. */
  public static final String TICK_HANDLER = "dev.tributary.coordinator.TickHandler::handleRequest";

  /** The operator's handler. */
  public static final String OPERATOR_HANDLER =
      "dev.tributary.operator.OperatorHandler::handleRequest";

  /** The partition key attribute of every table (state-dynamodb's {@code StateTables.PK}). */
  public static final String PARTITION_KEY = "pk";

  /** The sort key attribute of every table ({@code StateTables.SK}). */
  public static final String SORT_KEY = "sk";

  /** The TTL attribute of every table ({@code StateTables.TTL}). */
  public static final String TTL_ATTRIBUTE = "expiresAt";

  /** The CloudWatch namespace of the functions' metrics ({@code Telemetry.NAMESPACE}). */
  public static final String METRIC_NAMESPACE = "Tributary";

  /** The dimension of the functions' metrics: the job's name. */
  public static final String METRIC_DIMENSION = "job";

  private FunctionEnvironment() {}
}
