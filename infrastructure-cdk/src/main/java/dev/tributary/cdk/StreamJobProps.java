package dev.tributary.cdk;

import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * What {@link StreamJob} deploys: the job's jar and class, its source and the event source
 * mapping's settings, the operator slots and memory, the tick schedule, and the retention of logs
 * and dead letters. Build it with {@link #builder()}; only the jar, the job class and the source
 * are required. {@link StreamJob} checks every value against its limit at synth time and names the
 * field, the value, the limit and the fix.
 */
public final class StreamJobProps {
  /** The memory the coordinator and the operator get unless set. */
  public static final int DEFAULT_MEMORY_MB = 1024;

  /** Fan-out policies of the coordinator ({@code TRIBUTARY_FAN_OUT}). */
  public enum FanOut {
    /** In-process for small batches, the operator function for the others (default). */
    AUTO,
    /** Always invoke the operator function once per touched slot. */
    LAMBDA,
    /** Run every slot in the coordinator. */
    IN_PROCESS;

    String envValue() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  private final Code code;
  private final String jobJarPath;
  private final String jobClass;
  private final String jobName;
  private final JobSource source;
  private final String sourceName;
  private final EventSourceSettings eventSource;
  private final int slots;
  private final Integer maxKeyGroups;
  private final int maxAttempts;
  private final FanOut fanOut;
  private final Duration idleTimeout;
  private final List<String> splits;
  private final int operatorMemoryMb;
  private final int coordinatorMemoryMb;
  private final Duration operatorTimeout;
  private final Duration coordinatorTimeout;
  private final Duration tickInterval;
  private final Duration deadLetterRetention;
  private final RetentionDays logRetention;
  private final String tablePrefix;
  private final RemovalPolicy removalPolicy;
  private final boolean snapStart;
  private final Duration maxIteratorAge;
  private final long maxOffsetLag;
  private final long conflictAlarmThreshold;
  private final IAlarmAction alarmAction;

  private StreamJobProps(Builder b) {
    this.code = b.code;
    this.jobJarPath = b.jobJarPath;
    this.jobClass = b.jobClass;
    this.jobName = b.jobName;
    this.source = b.source;
    this.sourceName = b.sourceName;
    this.eventSource = b.eventSource;
    this.slots = b.slots;
    this.maxKeyGroups = b.maxKeyGroups;
    this.maxAttempts = b.maxAttempts;
    this.fanOut = b.fanOut;
    this.idleTimeout = b.idleTimeout;
    this.splits = b.splits;
    this.operatorMemoryMb = b.operatorMemoryMb;
    this.coordinatorMemoryMb = b.coordinatorMemoryMb;
    this.operatorTimeout = b.operatorTimeout;
    this.coordinatorTimeout = b.coordinatorTimeout;
    this.tickInterval = b.tickInterval;
    this.deadLetterRetention = b.deadLetterRetention;
    this.logRetention = b.logRetention;
    this.tablePrefix = b.tablePrefix;
    this.removalPolicy = b.removalPolicy;
    this.snapStart = b.snapStart;
    this.maxIteratorAge = b.maxIteratorAge;
    this.maxOffsetLag = b.maxOffsetLag;
    this.conflictAlarmThreshold = b.conflictAlarmThreshold;
    this.alarmAction = b.alarmAction;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The functions' code, if given as {@link Code}. */
  public Code code() {
    return code;
  }

  /** The path of the job's shaded jar, if given as a path. */
  public String jobJarPath() {
    return jobJarPath;
  }

  /** The job's {@code JobProvider} class. */
  public String jobClass() {
    return jobClass;
  }

  /**
   * The job's name in its metrics and alarms: the functions get it as {@code TRIBUTARY_JOB_NAME}
   * and their metrics carry it as the dimension {@code job}, which the alarms and the dashboard
   * watch. By default the simple name of the job's class.
   */
  public String jobName() {
    if (jobName != null) {
      return jobName;
    }
    if (jobClass == null) {
      return null;
    }
    return jobClass.substring(jobClass.lastIndexOf('.') + 1);
  }

  /** The source. */
  public JobSource source() {
    return source;
  }

  /** The job's logical source this source feeds (null: the job's only source). */
  public String sourceName() {
    return sourceName;
  }

  /** The event source mapping's settings. */
  public EventSourceSettings eventSource() {
    return eventSource;
  }

  /** Operator slots (key-group ranges, default 4). */
  public int slots() {
    return slots;
  }

  /** The job's max key groups, checked by the functions at cold start (null: not checked). */
  public Integer maxKeyGroups() {
    return maxKeyGroups;
  }

  /** Failures of one record before it goes to the dead-letter table (default 3). */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** How the coordinator reaches the slots (default {@link FanOut#AUTO}). */
  public FanOut fanOut() {
    return fanOut;
  }

  /** How long a split may go without records before it leaves the watermark (null: 1 minute). */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * The source's splits at the job's start as given with {@link Builder#splits(List)} (null: the
   * ones the source knows or declares, if any).
   */
  public List<String> splits() {
    return splits;
  }

  /** The operator function's memory (default 1,024 MB). */
  public int operatorMemoryMb() {
    return operatorMemoryMb;
  }

  /** The coordinator's memory (default 1,024 MB). */
  public int coordinatorMemoryMb() {
    return coordinatorMemoryMb;
  }

  /** The operator function's timeout (default 60 s). */
  public Duration operatorTimeout() {
    return operatorTimeout;
  }

  /** The coordinator's timeout (default 180 s); longer than the operator's. */
  public Duration coordinatorTimeout() {
    return coordinatorTimeout;
  }

  /** How often the tick fires timers and windows of an idle job (default every minute). */
  public Duration tickInterval() {
    return tickInterval;
  }

  /** How long the dead-letter queue keeps what the mapping gave up on (default 14 days). */
  public Duration deadLetterRetention() {
    return deadLetterRetention;
  }

  /** How long the functions' logs are kept (default one month). */
  public RetentionDays logRetention() {
    return logRetention;
  }

  /** The tables' name prefix (null: CloudFormation names them). */
  public String tablePrefix() {
    return tablePrefix;
  }

  /** What happens to the tables, the new stream and the queue on stack deletion (RETAIN). */
  public RemovalPolicy removalPolicy() {
    return removalPolicy;
  }

  /** Whether the functions use SnapStart (default true). */
  public boolean snapStart() {
    return snapStart;
  }

  /** The iterator age (Kinesis) that raises the lag alarm (default 5 minutes). */
  public Duration maxIteratorAge() {
    return maxIteratorAge;
  }

  /** The offset lag (Kafka, in records) that raises the lag alarm (default 100,000). */
  public long maxOffsetLag() {
    return maxOffsetLag;
  }

  /** Commit conflicts in 5 minutes that raise the conflict alarm (default 100). */
  public long conflictAlarmThreshold() {
    return conflictAlarmThreshold;
  }

  /** Where the alarms notify (null: nowhere; add actions to {@link StreamJob#alarms()}). */
  public IAlarmAction alarmAction() {
    return alarmAction;
  }

  /** Builds {@link StreamJobProps}. */
  public static final class Builder {
    private Code code;
    private String jobJarPath;
    private String jobClass;
    private String jobName;
    private JobSource source;
    private String sourceName;
    private EventSourceSettings eventSource = EventSourceSettings.defaults();
    private int slots = 4;
    private Integer maxKeyGroups;
    private int maxAttempts = 3;
    private FanOut fanOut = FanOut.AUTO;
    private Duration idleTimeout;
    private List<String> splits;
    private int operatorMemoryMb = DEFAULT_MEMORY_MB;
    private int coordinatorMemoryMb = DEFAULT_MEMORY_MB;
    private Duration operatorTimeout = Duration.seconds(60);
    private Duration coordinatorTimeout = Duration.seconds(180);
    private Duration tickInterval = Duration.minutes(1);
    private Duration deadLetterRetention = Duration.days(14);
    private RetentionDays logRetention = RetentionDays.ONE_MONTH;
    private String tablePrefix;
    private RemovalPolicy removalPolicy = RemovalPolicy.RETAIN;
    private boolean snapStart = true;
    private Duration maxIteratorAge = Duration.minutes(5);
    private long maxOffsetLag = 100_000;
    private long conflictAlarmThreshold = 100;
    private IAlarmAction alarmAction;

    private Builder() {}

    /**
     * The job's shaded jar (your job plus {@code tributary-coordinator-function}), the code of
     * every function; a path relative to the directory {@code cdk} runs in.
     */
    public Builder jobJar(String path) {
      this.jobJarPath = Objects.requireNonNull(path, "path");
      this.code = null;
      return this;
    }

    /** The functions' code as any {@link Code} (instead of {@link #jobJar}). */
    public Builder code(Code code) {
      this.code = Objects.requireNonNull(code, "code");
      this.jobJarPath = null;
      return this;
    }

    /** Your {@code JobProvider}'s fully qualified class name (required). */
    public Builder jobClass(String jobClass) {
      this.jobClass = jobClass;
      return this;
    }

    /**
     * The job's name in its metrics, alarms and dashboard (default: the simple name of the job
     * class); the functions' metrics carry it, whatever name the job gives itself.
     */
    public Builder jobName(String jobName) {
      this.jobName = jobName;
      return this;
    }

    /** Where the records come from (required). */
    public Builder source(JobSource source) {
      this.source = source;
      return this;
    }

    /** The job's logical source this source feeds, if the job has several. */
    public Builder sourceName(String sourceName) {
      this.sourceName = sourceName;
      return this;
    }

    /** The event source mapping's settings (default {@link EventSourceSettings#defaults()}). */
    public Builder eventSource(EventSourceSettings eventSource) {
      this.eventSource = Objects.requireNonNull(eventSource, "eventSource");
      return this;
    }

    /**
     * Operator slots, 1 to the job's max key groups (default 4). It may change on a running job:
     * records that a batch delivered again holds and the old count applied are passed, not applied
     * again (docs/protocol.md, Rescaling).
     */
    public Builder slots(int slots) {
      this.slots = slots;
      return this;
    }

    /** The job's max key groups; the functions then refuse a jar whose job has another. */
    public Builder maxKeyGroups(int maxKeyGroups) {
      this.maxKeyGroups = maxKeyGroups;
      return this;
    }

    /** Failures of a record before it is set aside, 1 to 100 (default 3). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** How the coordinator reaches the slots (default {@link FanOut#AUTO}). */
    public Builder fanOut(FanOut fanOut) {
      this.fanOut = Objects.requireNonNull(fanOut, "fanOut");
      return this;
    }

    /** A split without records this long leaves the global watermark (default 1 minute). */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * The source's splits at the job's start, by name: Kafka {@code <topic>-<partition>} (e.g.
     * {@code clicks-0}), Kinesis {@code <stream name>/<shard id>} (e.g. {@code
     * clicks/shardId-000000000000}). The coordinator gets them as {@code TRIBUTARY_SPLITS}; each
     * holds the global watermark from the job's first batch until it commits records or stays quiet
     * for the {@link #idleTimeout}, so that a split whose first batch comes after another's does
     * not find its first records late. Instead of what the source knows ({@link
     * KinesisSource#provisioned}); not with {@link KafkaSource#withPartitions} or {@link
     * KinesisSource#withShardIds}. Default: those, else none.
     */
    public Builder splits(List<String> splits) {
      this.splits = List.copyOf(splits);
      return this;
    }

    /** As {@link #splits(List)}. */
    public Builder splits(String... splits) {
      return splits(List.of(splits));
    }

    /** The operator function's memory, 128 to 10,240 MB (default 1,024). */
    public Builder operatorMemoryMb(int operatorMemoryMb) {
      this.operatorMemoryMb = operatorMemoryMb;
      return this;
    }

    /** The coordinator's memory, 128 to 10,240 MB (default 1,024). */
    public Builder coordinatorMemoryMb(int coordinatorMemoryMb) {
      this.coordinatorMemoryMb = coordinatorMemoryMb;
      return this;
    }

    /** The operator function's timeout, up to 15 minutes (default 60 s). */
    public Builder operatorTimeout(Duration operatorTimeout) {
      this.operatorTimeout = Objects.requireNonNull(operatorTimeout, "operatorTimeout");
      return this;
    }

    /**
     * The coordinator's timeout, longer than the operator's (it waits for the slots) and up to 15
     * minutes (default 180 s).
     */
    public Builder coordinatorTimeout(Duration coordinatorTimeout) {
      this.coordinatorTimeout = Objects.requireNonNull(coordinatorTimeout, "coordinatorTimeout");
      return this;
    }

    /** How often the tick runs, in whole minutes (default 1 minute). */
    public Builder tickInterval(Duration tickInterval) {
      this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
      return this;
    }

    /** How long the dead-letter queue keeps messages, 1 minute to 14 days (default 14 days). */
    public Builder deadLetterRetention(Duration deadLetterRetention) {
      this.deadLetterRetention = Objects.requireNonNull(deadLetterRetention, "deadLetterRetention");
      return this;
    }

    /** How long the functions' logs are kept (default one month). */
    public Builder logRetention(RetentionDays logRetention) {
      this.logRetention = Objects.requireNonNull(logRetention, "logRetention");
      return this;
    }

    /**
     * Names the tables {@code <prefix>-state}, {@code <prefix>-outbox}, {@code
     * <prefix>-dead-letters} (default: names CloudFormation chooses, which lets it replace them).
     */
    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
      return this;
    }

    /**
     * What happens to the tables, a new stream and the dead-letter queue when they leave the stack
     * (default RETAIN: the job's state outlives the stack).
     */
    public Builder removalPolicy(RemovalPolicy removalPolicy) {
      this.removalPolicy = Objects.requireNonNull(removalPolicy, "removalPolicy");
      return this;
    }

    /** Whether the functions use SnapStart (default true). */
    public Builder snapStart(boolean snapStart) {
      this.snapStart = snapStart;
      return this;
    }

    /** The Kinesis iterator age that raises the lag alarm (default 5 minutes). */
    public Builder maxIteratorAge(Duration maxIteratorAge) {
      this.maxIteratorAge = Objects.requireNonNull(maxIteratorAge, "maxIteratorAge");
      return this;
    }

    /** The Kafka offset lag that raises the lag alarm (default 100,000 records). */
    public Builder maxOffsetLag(long maxOffsetLag) {
      this.maxOffsetLag = maxOffsetLag;
      return this;
    }

    /** Commit conflicts in 5 minutes that raise the conflict alarm (default 100). */
    public Builder conflictAlarmThreshold(long conflictAlarmThreshold) {
      this.conflictAlarmThreshold = conflictAlarmThreshold;
      return this;
    }

    /** Where every alarm notifies, e.g. an {@code SnsAction} (default none). */
    public Builder alarmAction(IAlarmAction alarmAction) {
      this.alarmAction = alarmAction;
      return this;
    }

    /** The props; {@link StreamJob} validates them. */
    public StreamJobProps build() {
      return new StreamJobProps(this);
    }
  }
}
