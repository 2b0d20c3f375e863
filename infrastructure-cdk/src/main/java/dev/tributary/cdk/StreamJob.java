package dev.tributary.cdk;

import dev.tributary.cdk.internal.FunctionEnvironment;
import dev.tributary.cdk.internal.Problems;
import dev.tributary.cdk.internal.SplitNames;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.kinesis.IStream;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * A Tributary job on AWS: the coordinator and operator functions (java21 on arm64, SnapStart,
 * X-Ray, logs with retention), the job's DynamoDB tables, the event source mapping from a Kinesis
 * stream or a Kafka topic (with partial batch responses and an on-failure queue), the EventBridge
 * tick, a dashboard and alarms. Permissions are grants on these resources only. Secure by default:
 * the construct passes cdk-nag's AWS Solutions and Serverless packs, and every suppression carries
 * its reason.
 *
 * <pre>{@code
 * StreamJob job = new StreamJob(this, "Clicks", StreamJobProps.builder()
 *     .jobJar("target/my-job.jar")
 *     .jobClass("com.example.ClickWindowSums")
 *     .source(KinesisSource.onDemand())
 *     .build());
 * job.tables().state();          // for your other constructs
 * }</pre>
 *
 * <p>Props are checked when the construct is created; a wrong value fails the synth with the field,
 * the value, the limit and the fix.
 */
public final class StreamJob extends Construct {
  /** Lambda's smallest and largest memory. */
  public static final int MIN_MEMORY_MB = 128;

  /** Lambda's largest memory. */
  public static final int MAX_MEMORY_MB = 10_240;

  /** The most key groups a job can have (the SDK's {@code KeyGroups.MAX_KEY_GROUPS_LIMIT}). */
  public static final int MAX_KEY_GROUPS = 32_768;

  private final String jobName;
  private final JobTables tables;
  private final DeadLetters deadLetters;
  private final OperatorFunction operator;
  private final CoordinatorFunction coordinator;
  private final JobMonitoring monitoring;
  private final JobSource source;

  /**
   * Creates the job's resources in {@code scope}.
   *
   * @throws IllegalArgumentException listing every prop that is out of its limits, with the fix
   */
  public StreamJob(Construct scope, String id, StreamJobProps props) {
    super(scope, id);
    validate(id, props);
    this.jobName = props.jobName();
    this.source = props.source();
    Code code = props.code() != null ? props.code() : Code.fromAsset(props.jobJarPath());

    this.tables = new JobTables(this, "Tables", props.tablePrefix(), props.removalPolicy());
    this.deadLetters =
        new DeadLetters(
            this, "DeadLetterQueue", props.deadLetterRetention(), props.removalPolicy());
    Map<String, String> env = environment(props, tables);
    int environmentSize = coordinatorEnvironmentSize(env, props.tablePrefix());
    this.operator =
        new OperatorFunction(
            this,
            "Operator",
            code,
            props.operatorMemoryMb(),
            props.operatorTimeout(),
            env,
            tables,
            props.logRetention(),
            props.removalPolicy(),
            props.snapStart(),
            jobName);
    this.coordinator =
        new CoordinatorFunction(
            this,
            "Coordinator",
            source.handler(),
            code,
            props.coordinatorMemoryMb(),
            props.coordinatorTimeout(),
            env,
            tables,
            operator,
            props.tickInterval(),
            deadLetters.queue(),
            props.logRetention(),
            props.removalPolicy(),
            props.snapStart(),
            jobName);
    source.bind(
        this,
        coordinator.alias(),
        props.eventSource(),
        deadLetters.asEventSourceDestination(),
        jobName,
        props.removalPolicy());
    List<String> splits = props.splits() != null ? props.splits() : source.splits();
    checkEnvironmentSize(id, props, environmentSize, splits);
    splits(splits, environmentSize);
    this.monitoring =
        new JobMonitoring(
            this, "Monitoring", jobName, source, coordinator, operator, deadLetters.queue(), props);
    outputs();
    suppressions();
  }

  /** The job's name: the dimension {@code job} of its metrics. */
  public String jobName() {
    return jobName;
  }

  /** The job's DynamoDB tables. */
  public JobTables tables() {
    return tables;
  }

  /** The state table (keyed state, timers, checkpoints). */
  public ITable stateTable() {
    return tables.state();
  }

  /** The outbox table (committed sink records). */
  public ITable outboxTable() {
    return tables.outbox();
  }

  /** The dead-letter table (poison records with their payload). */
  public ITable deadLetterTable() {
    return tables.deadLetters();
  }

  /** The queue of the mapping's failed batches and undelivered ticks. */
  public IQueue deadLetterQueue() {
    return deadLetters.queue();
  }

  /** The coordinator and tick functions. */
  public CoordinatorFunction coordinator() {
    return coordinator;
  }

  /** The operator function. */
  public OperatorFunction operator() {
    return operator;
  }

  /** The Kinesis stream the job reads (a new one or the one given), or null for Kafka. */
  public IStream stream() {
    return source.stream();
  }

  /** The dashboard. */
  public Dashboard dashboard() {
    return monitoring.dashboard();
  }

  /** The alarms (lag, dead letters, conflicts, errors), to add actions to. */
  public List<Alarm> alarms() {
    return monitoring.alarms();
  }

  /** The environment of both functions, as operator-functions' {@code RuntimeSettings} reads it. */
  private static Map<String, String> environment(StreamJobProps props, JobTables tables) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(FunctionEnvironment.JOB_CLASS, props.jobClass());
    env.put(FunctionEnvironment.STATE_TABLE, tables.state().getTableName());
    env.put(FunctionEnvironment.OUTBOX_TABLE, tables.outbox().getTableName());
    env.put(FunctionEnvironment.DEAD_LETTER_TABLE, tables.deadLetters().getTableName());
    env.put(FunctionEnvironment.JOB_NAME, props.jobName());
    env.put(FunctionEnvironment.SLOTS, Integer.toString(props.slots()));
    env.put(FunctionEnvironment.MAX_ATTEMPTS, Integer.toString(props.maxAttempts()));
    env.put(FunctionEnvironment.FAN_OUT, props.fanOut().envValue());
    env.put(
        FunctionEnvironment.PARALLELIZATION_FACTOR,
        Integer.toString(props.eventSource().parallelizationFactor()));
    if (props.maxKeyGroups() != null) {
      env.put(FunctionEnvironment.MAX_KEY_GROUPS, Integer.toString(props.maxKeyGroups()));
    }
    if (props.sourceName() != null) {
      env.put(FunctionEnvironment.SOURCE, props.sourceName());
    }
    if (props.idleTimeout() != null) {
      env.put(FunctionEnvironment.IDLE_TIMEOUT, props.idleTimeout().toIsoString());
    }
    return env;
  }

  /**
   * Tells the coordinator and the tick the source's splits at the job's start, if known. Declared
   * ones were checked to fit; the shards of a new provisioned stream that do not fit are left out,
   * with a warning.
   */
  private void splits(List<String> splits, int environmentSize) {
    if (splits == null) {
      return;
    }
    int length = SplitNames.length(splits);
    if (length > splitsBudget(environmentSize)) {
      Annotations.of(this)
          .addWarningV2(
              "@tributary/cdk:splitsTooLong",
              "the "
                  + splits.size()
                  + " splits of "
                  + source.describe()
                  + " would take about "
                  + length
                  + " characters of the functions' environment (Lambda allows 4 KB for all"
                  + " variables), so "
                  + FunctionEnvironment.SPLITS
                  + " is not set: a shard whose first batch comes after another's may find its"
                  + " first records late. Declare the shards that matter with"
                  + " StreamJobProps.splits or KinesisSource.withShardIds (at most "
                  + splitsBudget(environmentSize)
                  + " characters)");
      return;
    }
    coordinator.addEnvironment(FunctionEnvironment.SPLITS, String.join(",", splits));
  }

  private void outputs() {
    output("StateTableName", tables.state().getTableName(), "the job's state table");
    output("StateTableArn", tables.state().getTableArn(), "the job's state table");
    output("OutboxTableName", tables.outbox().getTableName(), "the job's outbox table");
    output("OutboxTableArn", tables.outbox().getTableArn(), "the job's outbox table");
    output(
        "DeadLetterTableName", tables.deadLetters().getTableName(), "the job's dead-letter table");
    output("DeadLetterTableArn", tables.deadLetters().getTableArn(), "the job's dead-letter table");
    output(
        "DeadLetterQueueUrl",
        deadLetters.queue().getQueueUrl(),
        "failed batches of the event source mapping and undelivered ticks");
    output(
        "CoordinatorFunctionName",
        coordinator.function().getFunctionName(),
        "the coordinator (the event source mapping's target)");
    output("OperatorFunctionName", operator.function().getFunctionName(), "the operator");
    if (source.stream() != null) {
      output("StreamName", source.stream().getStreamName(), "the Kinesis stream the job reads");
      output("StreamArn", source.stream().getStreamArn(), "the Kinesis stream the job reads");
    }
  }

  private void output(String id, String value, String description) {
    CfnOutput.Builder.create(this, id)
        .value(value)
        .description(jobName + ": " + description)
        .build();
  }

  /** The cdk-nag findings the design answers otherwise, each with its reason. */
  private void suppressions() {
    List<NagPackSuppression> functions = new ArrayList<>();
    functions.add(
        suppression(
            "AwsSolutions-IAM5",
            "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource ARN (tracing is"
                + " on because the Serverless pack asks for it); neither do the EC2 network"
                + " interface actions Lambda's poller needs for a self-managed Kafka cluster in a"
                + " VPC (only granted then)",
            "Resource::*"));
    functions.add(
        suppression(
            "AwsSolutions-L1",
            "java21 is the runtime the functions are built, tested and primed for (SnapStart with"
                + " the CRaC priming hook); a newer Java runtime is an upgrade to make with the"
                + " functions' tests, not a default"));
    functions.add(
        suppression(
            "Serverless-LambdaLatestVersion",
            "as AwsSolutions-L1: java21 is the runtime the functions are built and tested for"));
    functions.add(
        suppression(
            "AwsSolutions-IAM4",
            "AWSLambdaMSKExecutionRole is what Lambda's MSK poller needs (cluster discovery, and"
                + " network interfaces in the cluster's VPC, which take no resource ARN); CDK's"
                + " ManagedKafkaEventSource attaches it. Only for an MSK source",
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                + "AWSLambdaMSKExecutionRole"));
    functions.add(
        suppression(
            "Serverless-LambdaDLQ",
            "no asynchronous event carries data to lose: the mapping's failures go to its"
                + " on-failure queue; the tick (invoked asynchronously by its rule, undelivered"
                + " ticks to the rule's dead-letter queue) carries only the time, is not retried"
                + " when it fails (the next tick does the same work) and shows in its Errors"
                + " alarm; the operator is invoked synchronously by the coordinator"));
    functions.add(
        suppression(
            "Serverless-LambdaAsyncFailureDestination",
            "as Serverless-LambdaDLQ: the mapping's failures go to its on-failure queue; a failed"
                + " tick carries no data and the next tick redoes it; the operator is invoked"
                + " synchronously"));
    NagSuppressions.addResourceSuppressions(List.of(operator, coordinator), functions, true);
    NagSuppressions.addResourceSuppressions(
        deadLetters,
        List.of(
            suppression(
                "AwsSolutions-SQS3",
                "this queue is itself the dead-letter queue of the event source mapping and of the"
                    + " tick rule; nothing redrives from it"),
            suppression(
                "Serverless-SQSRedrivePolicy",
                "this queue is itself the dead-letter queue; a queue behind it would only move the"
                    + " same messages")),
        true);
  }

  private static NagPackSuppression suppression(String id, String reason, String... appliesTo) {
    NagPackSuppression.Builder b = NagPackSuppression.builder().id(id).reason(reason);
    if (appliesTo.length > 0) {
      b.appliesTo(List.<Object>of((Object[]) appliesTo));
    }
    return b.build();
  }

  /** Lambda's limit for all environment variables of a function together: 4 KB. */
  static final int ENVIRONMENT_LIMIT = 4096;

  /**
   * What the operator alias's ARN can take in the coordinator's environment: {@code
   * arn:aws:lambda:<region>:<account>:function:<name of up to 64>:<alias>}.
   */
  static final int ALIAS_ARN_LENGTH = 170;

  /**
   * The size of the coordinator's (and tick's) environment without {@code TRIBUTARY_SPLITS}, the
   * largest of the functions', as Lambda carries it: the JSON of the variables. A name
   * CloudFormation chooses (a table's, without {@code tablePrefix}) counts as {@link
   * SplitNames#TOKEN_LENGTH} characters, the operator's ARN as {@link #ALIAS_ARN_LENGTH}.
   */
  static int coordinatorEnvironmentSize(
      Map<String, String> functionsEnvironment, String tablePrefix) {
    Map<String, String> env = new LinkedHashMap<>(functionsEnvironment);
    env.put(FunctionEnvironment.OPERATOR_FUNCTION, "a".repeat(ALIAS_ARN_LENGTH));
    if (tablePrefix != null) { // the names are known, though the table attributes are tokens
      env.put(FunctionEnvironment.STATE_TABLE, tablePrefix + JobTables.STATE_SUFFIX);
      env.put(FunctionEnvironment.OUTBOX_TABLE, tablePrefix + JobTables.OUTBOX_SUFFIX);
      env.put(FunctionEnvironment.DEAD_LETTER_TABLE, tablePrefix + JobTables.DEAD_LETTER_SUFFIX);
    }
    int size = 2 + Math.max(0, env.size() - 1); // {} and the commas
    for (Map.Entry<String, String> e : env.entrySet()) {
      size += e.getKey().length() + SplitNames.length(e.getValue()) + 5; // "key":"value"
    }
    return size;
  }

  /** What {@code TRIBUTARY_SPLITS} adds to the environment's JSON besides its value. */
  private static final int SPLITS_PAIR = FunctionEnvironment.SPLITS.length() + 6; // ,"…":""

  /** How many characters {@code TRIBUTARY_SPLITS} may take next to the other variables. */
  static int splitsBudget(int environmentSize) {
    return Math.min(SplitNames.MAX_LENGTH, ENVIRONMENT_LIMIT - environmentSize - SPLITS_PAIR);
  }

  /**
   * Fails if the functions' environment would pass Lambda's 4 KB: the other variables alone, or
   * with splits the job declares (undeclared ones that do not fit are left out, with a warning).
   */
  private static void checkEnvironmentSize(
      String id, StreamJobProps props, int environmentSize, List<String> splits) {
    Problems problems = new Problems("StreamJob '" + id + "'");
    boolean declared = props.splits() != null || props.source().declaresSplits();
    int splitsLength = declared && splits != null ? SplitNames.length(splits) : 0;
    if (environmentSize > ENVIRONMENT_LIMIT
        || (splitsLength > 0 && splitsLength > splitsBudget(environmentSize))) {
      problems.add(
          "the coordinator's environment variables would take about "
              + (environmentSize + (splitsLength > 0 ? splitsLength + SPLITS_PAIR : 0))
              + " characters (the declared splits "
              + splitsLength
              + ", the table names"
              + (props.tablePrefix() == null ? "" : " from tablePrefix")
              + ", jobClass, jobName, sourceName and the operator's ARN the rest); Lambda allows"
              + " 4,096 for all variables of a function. Use a shorter tablePrefix, jobName or"
              + " sourceName, or declare fewer splits");
    }
    problems.throwIfAny();
  }

  /** Lambda's Kafka event source mappings take functions of at most 14 minutes. */
  static final int MAX_KAFKA_TIMEOUT_SECONDS = 840;

  /**
   * How many seconds of a coordinator timeout it waits for operator invocations: its time less
   * min(10 s, a fifth), which it keeps to answer the mapping and write its metrics (the
   * coordinator's {@code CoordinatorRuntime.deadline}).
   */
  static long waitsFor(long coordinatorTimeoutSeconds) {
    return coordinatorTimeoutSeconds - Math.min(10, coordinatorTimeoutSeconds / 5);
  }

  private static void validate(String id, StreamJobProps props) {
    Problems problems = new Problems("StreamJob '" + id + "'");
    if (props.code() == null && props.jobJarPath() == null) {
      problems.add(
          "jobJar is not set; set it to your job's shaded jar (your JobProvider plus"
              + " tributary-coordinator-function, built with mvn package), e.g."
              + " jobJar(\"../my-job/target/my-job.jar\")");
    } else if (props.jobJarPath() != null) {
      Path jar = Path.of(props.jobJarPath());
      if (!Files.isRegularFile(jar)) {
        problems.add(
            "jobJar is '"
                + props.jobJarPath()
                + "' but there is no file at "
                + jar.toAbsolutePath().normalize()
                + "; build your job's shaded jar first (mvn package in its module; for the"
                + " examples: mvn -B -pl examples-lambda -am package -DskipTests), or fix the path"
                + " (relative paths start at the directory cdk runs in)");
      } else if (!props.jobJarPath().endsWith(".jar") && !props.jobJarPath().endsWith(".zip")) {
        problems.add(
            "jobJar is '"
                + props.jobJarPath()
                + "'; Lambda takes a .jar or .zip archive. Point it at the shaded jar");
      }
    }
    String jobClass = props.jobClass();
    if (jobClass == null || jobClass.isBlank()) {
      problems.add(
          "jobClass is not set; set it to your JobProvider's fully qualified class name, e.g."
              + " com.example.PaymentsJob");
    } else if (!jobClass.matches("([\\p{L}_$][\\p{L}\\p{N}_$]*\\.)*[\\p{L}_$][\\p{L}\\p{N}_$]*")) {
      problems.add(
          "jobClass is '"
              + jobClass
              + "', which is not a Java class name; use the fully qualified name, e.g."
              + " com.example.PaymentsJob");
    }
    String name = props.jobName();
    if (name != null && !name.matches("[A-Za-z0-9_.-]{1,128}")) {
      problems.add(
          "jobName is '"
              + name
              + "'; use 1 to 128 letters, digits, '_', '.' or '-' (as StreamEnvironment.jobName"
              + " does), the same name the job gives itself");
    }
    if (props.source() == null) {
      problems.add(
          "source is not set; use KinesisSource.onDemand(), KinesisSource.existing(stream),"
              + " KafkaSource.msk(clusterArn, topic) or KafkaSource.selfManaged(...)");
    } else {
      props.source().validate(problems);
      props.eventSource().validate(problems, props.source().isKinesis(), props.maxAttempts());
    }
    if (props.splits() != null) {
      SplitNames.check(problems, "splits", props.splits(), "Declare fewer splits, or none.");
      if (props.source() != null && props.source().declaresSplits()) {
        problems.add(
            "splits is set and the source declares its splits too (KafkaSource.withPartitions or"
                + " KinesisSource.withShardIds); declare them in one place");
      }
    }
    if (props.sourceName() != null && props.sourceName().isBlank()) {
      problems.add(
          "sourceName is blank; set it to the name of the job's source this stream feeds, or"
              + " leave it unset for a job with one source");
    }
    if (props.maxKeyGroups() != null) {
      problems.range(
          "maxKeyGroups",
          props.maxKeyGroups(),
          1,
          MAX_KEY_GROUPS,
          "",
          "Use the job's StreamEnvironment.maxKeyGroups (default 128).");
    }
    int maxSlots = props.maxKeyGroups() == null ? MAX_KEY_GROUPS : props.maxKeyGroups();
    problems.range(
        "slots",
        props.slots(),
        1,
        maxSlots,
        "",
        "A slot serves a range of key groups, so there are at most as many slots as key groups"
            + " (maxKeyGroups).");
    problems.range(
        "maxAttempts",
        props.maxAttempts(),
        1,
        100,
        "",
        "A record is set aside after this many failures.");
    problems.range(
        "operatorMemoryMb",
        props.operatorMemoryMb(),
        MIN_MEMORY_MB,
        MAX_MEMORY_MB,
        "MB",
        "Lambda functions have 128 to 10,240 MB.");
    problems.range(
        "coordinatorMemoryMb",
        props.coordinatorMemoryMb(),
        MIN_MEMORY_MB,
        MAX_MEMORY_MB,
        "MB",
        "Lambda functions have 128 to 10,240 MB.");
    Duration op = props.operatorTimeout();
    Duration co = props.coordinatorTimeout();
    if (!op.isUnresolved()) {
      problems.range(
          "operatorTimeout",
          op.toSeconds(),
          1,
          900,
          "seconds",
          "Lambda runs a function at most 15 minutes.");
    }
    if (!co.isUnresolved()) {
      boolean kafka = props.source() != null && !props.source().isKinesis();
      problems.range(
          "coordinatorTimeout",
          co.toSeconds(),
          1,
          kafka ? MAX_KAFKA_TIMEOUT_SECONDS : 900,
          "seconds",
          kafka
              ? "Lambda's Kafka event source mappings (MSK and self-managed) invoke functions whose"
                  + " timeout is at most 14 minutes."
              : "Lambda runs a function at most 15 minutes.");
      if (!op.isUnresolved()
          && waitsFor(co.toSeconds().longValue()) <= op.toSeconds().longValue()) {
        problems.add(
            "coordinatorTimeout is "
                + co.toHumanString()
                + " but operatorTimeout is "
                + op.toHumanString()
                + "; the coordinator stops waiting for the operator invocations "
                + "min(10 seconds, a fifth of its time) before its own timeout (to answer the"
                + " mapping), here after "
                + waitsFor(co.toSeconds().longValue())
                + " seconds, so an operator invocation that takes its full time would be given up"
                + " and its slot delivered again. Give the coordinator more than operatorTimeout"
                + " plus 10 seconds and more than 1.25 times operatorTimeout (e.g. twice as much)");
      }
    }
    Duration tick = props.tickInterval();
    if (!tick.isUnresolved()) {
      double seconds = tick.toSeconds().doubleValue();
      if (seconds < 60 || seconds % 60 != 0 || seconds > 86_400) {
        problems.add(
            "tickInterval is "
                + tick.toHumanString()
                + "; EventBridge schedules run in whole minutes, from 1 minute to 1 day. Use e.g."
                + " Duration.minutes(1)");
      }
    }
    Duration retention = props.deadLetterRetention();
    if (!retention.isUnresolved()) {
      problems.range(
          "deadLetterRetention",
          retention.toSeconds(),
          60,
          1_209_600,
          "seconds",
          "SQS keeps messages 1 minute to 14 days.");
    }
    if (props.idleTimeout() != null
        && !props.idleTimeout().isUnresolved()
        && props.idleTimeout().toMilliseconds().doubleValue() <= 0) {
      problems.add(
          "idleTimeout is "
              + props.idleTimeout().toHumanString()
              + "; it must be positive, e.g. Duration.minutes(1)");
    }
    if (props.removalPolicy() == RemovalPolicy.SNAPSHOT) {
      problems.add(
          "removalPolicy is SNAPSHOT; it applies to the job's DynamoDB tables, stream, queue and"
              + " log groups, and CloudFormation takes snapshots of none of them. Use RETAIN (the"
              + " default: the tables keep the job's state), or DESTROY for throw-away stacks");
    }
    String prefix = props.tablePrefix();
    if (prefix != null && !prefix.matches("[A-Za-z0-9_.-]{1,242}")) {
      problems.add(
          "tablePrefix is '"
              + prefix
              + "'; DynamoDB table names are 3 to 255 of [A-Za-z0-9_.-], and the longest table is"
              + " '<prefix>-dead-letters': use 1 to 242 such characters");
    }
    if (props.maxOffsetLag() < 1) {
      problems.add("maxOffsetLag is " + props.maxOffsetLag() + "; it must be at least 1 (records)");
    }
    if (props.conflictAlarmThreshold() < 0) {
      problems.add(
          "conflictAlarmThreshold is "
              + props.conflictAlarmThreshold()
              + "; it must be 0 or more (conflicts in 5 minutes)");
    }
    problems.throwIfAny();
  }
}
