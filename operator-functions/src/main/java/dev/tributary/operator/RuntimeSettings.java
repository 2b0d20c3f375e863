package dev.tributary.operator;

import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SourceSpec;
import dev.tributary.state.dynamodb.StateTables;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a Tributary function reads from its environment, read and checked in one place at cold
 * start. A wrong value fails the init with the variable, the value and the fix, before any record
 * is touched.
 *
 * @param job the job
 * @param graph the job's graph as the functions run it ({@link JobGraph#withSinksBehindKeyBy})
 * @param tables the job's tables
 * @param source the logical source this function's trigger delivers (null if the job has none)
 * @param slots the number of operator slots
 * @param maxAttempts how often a record may fail before it is set aside
 * @param operatorFunction the operator function's name or ARN (coordinator; null in-process)
 * @param fanOut how the coordinator reaches the slots
 * @param inProcessMaxRecords with {@link FanOut#AUTO}: batches up to this many records run in the
 *     coordinator's own process
 * @param idleTimeout a split without records this long leaves the global watermark
 * @param parallelizationFactor the event source mapping's parallelization factor (1 to 10); above 1
 *     the coordinator keeps a checkpoint per partition key
 * @param splits the splits the source has when the job starts ({@code <topic>-<partition>}, {@code
 *     <stream>/<shardId>}; empty if not declared): each holds the global watermark from the job's
 *     first batch until it commits records of its own or stays quiet for the idle timeout, so that
 *     a split whose first batch comes later than another's does not find its records late
 * @param metricsName the dimension {@code job} of the functions' metrics: {@code
 *     TRIBUTARY_JOB_NAME} (the name the deployment's alarms watch) or else the job's own name
 */
public record RuntimeSettings(
    JobProvider job,
    JobGraph graph,
    StateTables tables,
    String source,
    int slots,
    int maxAttempts,
    String operatorFunction,
    FanOut fanOut,
    int inProcessMaxRecords,
    Duration idleTimeout,
    int parallelizationFactor,
    List<String> splits,
    String metricsName) {

  /** How the coordinator runs the slots of a batch. */
  public enum FanOut {
    /** Invoke the operator function once per touched slot, in parallel. */
    LAMBDA,
    /** Run every slot in the coordinator (one function, fewer invocations; same protocol). */
    IN_PROCESS,
    /** In-process for small batches, Lambda for the others. */
    AUTO
  }

  /** The variable naming the job class. */
  public static final String JOB_CLASS = "TRIBUTARY_JOB_CLASS";

  /** The table-name prefix ({@code <prefix>-state}, {@code -outbox}, {@code -dead-letters}). */
  public static final String TABLE_PREFIX = "TRIBUTARY_TABLE_PREFIX";

  /** The state table's name (overrides the prefix). */
  public static final String STATE_TABLE = "TRIBUTARY_STATE_TABLE";

  /** The outbox table's name (overrides the prefix). */
  public static final String OUTBOX_TABLE = "TRIBUTARY_OUTBOX_TABLE";

  /** The dead-letter table's name (overrides the prefix). */
  public static final String DEAD_LETTER_TABLE = "TRIBUTARY_DEAD_LETTER_TABLE";

  /** The logical source the trigger delivers. */
  public static final String SOURCE = "TRIBUTARY_SOURCE";

  /** The number of slots. */
  public static final String SLOTS = "TRIBUTARY_SLOTS";

  /** The job's max key groups, checked against the job. */
  public static final String MAX_KEY_GROUPS = "TRIBUTARY_MAX_KEY_GROUPS";

  /**
   * The job's name as the deployment knows it: the dimension {@code job} of the functions' metrics,
   * which its alarms and dashboard watch (by default the job's own name).
   */
  public static final String JOB_NAME = "TRIBUTARY_JOB_NAME";

  /** Attempts before a record is set aside. */
  public static final String MAX_ATTEMPTS = "TRIBUTARY_MAX_ATTEMPTS";

  /** The operator function. */
  public static final String OPERATOR_FUNCTION = "TRIBUTARY_OPERATOR_FUNCTION";

  /** The fan-out policy. */
  public static final String FAN_OUT = "TRIBUTARY_FAN_OUT";

  /** The in-process threshold of the AUTO policy. */
  public static final String IN_PROCESS_MAX_RECORDS = "TRIBUTARY_IN_PROCESS_MAX_RECORDS";

  /** The idleness timeout of splits. */
  public static final String IDLE_TIMEOUT = "TRIBUTARY_IDLE_TIMEOUT";

  /** The event source mapping's parallelization factor. */
  public static final String PARALLELIZATION_FACTOR = "TRIBUTARY_PARALLELIZATION_FACTOR";

  /** The source's splits at the job's start, comma-separated. */
  public static final String SPLITS = "TRIBUTARY_SPLITS";

  /** Validates. */
  public RuntimeSettings {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(tables, "tables");
    Objects.requireNonNull(fanOut, "fanOut");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    splits = List.copyOf(splits);
  }

  /** The settings of this process's environment. */
  public static RuntimeSettings fromEnvironment() {
    return from(System.getenv());
  }

  /**
   * The settings of {@code env}.
   *
   * @throws IllegalArgumentException listing every wrong or missing variable with the fix
   */
  public static RuntimeSettings from(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    JobProvider job = null;
    JobGraph graph = null;
    String jobClass = value(env, JOB_CLASS);
    if (jobClass == null) {
      problems.add(
          JOB_CLASS
              + " is not set; set it to the class of your job (a JobProvider with a public no-arg"
              + " constructor), e.g. com.example.PaymentsJob");
    } else {
      try {
        job = instantiate(jobClass);
        graph = JobGraph.of(job).withSinksBehindKeyBy();
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    StateTables tables = null;
    String prefix = value(env, TABLE_PREFIX);
    String state = value(env, STATE_TABLE);
    String outbox = value(env, OUTBOX_TABLE);
    String dead = value(env, DEAD_LETTER_TABLE);
    if (state != null || outbox != null || dead != null) {
      if (state == null || outbox == null || dead == null) {
        problems.add(
            "set all three of "
                + STATE_TABLE
                + ", "
                + OUTBOX_TABLE
                + " and "
                + DEAD_LETTER_TABLE
                + " or none of them (then "
                + TABLE_PREFIX
                + " names the tables); got state="
                + state
                + ", outbox="
                + outbox
                + ", dead letters="
                + dead);
      } else {
        tables = new StateTables(state, outbox, dead);
      }
    } else if (prefix != null) {
      tables = StateTables.withPrefix(prefix);
    } else {
      problems.add(
          TABLE_PREFIX
              + " is not set; set it to the prefix of the job's tables (<prefix>-state,"
              + " <prefix>-outbox, <prefix>-dead-letters), or set "
              + STATE_TABLE
              + ", "
              + OUTBOX_TABLE
              + " and "
              + DEAD_LETTER_TABLE);
    }
    int maxKeyGroups = graph == null ? 128 : graph.maxKeyGroups();
    int slots =
        integer(env, SLOTS, 4, 1, maxKeyGroups, "between 1 and the job's maxKeyGroups", problems);
    String expectedGroups = value(env, MAX_KEY_GROUPS);
    if (expectedGroups != null && graph != null) {
      if (!expectedGroups.equals(Integer.toString(graph.maxKeyGroups()))) {
        problems.add(
            MAX_KEY_GROUPS
                + " is "
                + expectedGroups
                + " but job '"
                + graph.jobName()
                + "' has maxKeyGroups "
                + graph.maxKeyGroups()
                + "; key groups decide where state lives, so they must not change between"
                + " deployments. Set the variable to "
                + graph.maxKeyGroups()
                + " or remove it");
      }
    }
    int maxAttempts = integer(env, MAX_ATTEMPTS, 3, 1, 100, "between 1 and 100", problems);
    int inProcess = integer(env, IN_PROCESS_MAX_RECORDS, 50, 0, 1_000_000, "0 or more", problems);
    int factor =
        integer(
            env,
            PARALLELIZATION_FACTOR,
            1,
            1,
            10,
            "the event source mapping's ParallelizationFactor, 1 to 10",
            problems);
    FanOut fanOut = FanOut.AUTO;
    String fan = value(env, FAN_OUT);
    if (fan != null) {
      try {
        fanOut = FanOut.valueOf(fan.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        problems.add(
            FAN_OUT + " is '" + fan + "'; use one of lambda, in-process, auto (the default)");
      }
    }
    String operator = value(env, OPERATOR_FUNCTION);
    Duration idle = Duration.ofMinutes(1);
    String idleText = value(env, IDLE_TIMEOUT);
    if (idleText != null) {
      try {
        idle = Duration.parse(idleText);
        if (idle.isNegative() || idle.isZero()) {
          problems.add(IDLE_TIMEOUT + " is " + idleText + "; it must be positive, e.g. PT1M");
        }
      } catch (DateTimeParseException e) {
        problems.add(
            IDLE_TIMEOUT
                + " is '"
                + idleText
                + "'; use an ISO-8601 duration such as PT1M or PT30S");
      }
    }
    String source = value(env, SOURCE);
    if (graph != null) {
      List<String> streamSources = new ArrayList<>();
      for (GraphNode node : graph.sources()) {
        streamSources.add(((SourceSpec) node.spec()).sourceName());
      }
      if (source == null && streamSources.size() == 1) {
        source = streamSources.get(0);
      } else if (source == null && streamSources.size() > 1) {
        problems.add(
            SOURCE
                + " is not set and job '"
                + graph.jobName()
                + "' has several sources "
                + streamSources
                + "; set it to the source this function's trigger delivers");
      } else if (source != null && !streamSources.contains(source)) {
        problems.add(
            SOURCE
                + " is '"
                + source
                + "' but job '"
                + graph.jobName()
                + "' has the sources "
                + streamSources
                + "; set it to one of them");
      }
    }
    List<String> splits = new ArrayList<>();
    String splitsText = value(env, SPLITS);
    if (splitsText != null) {
      for (String name : splitsText.split(",", -1)) {
        String split = name.trim();
        if (split.isEmpty() || split.contains("/k/")) {
          problems.add(
              SPLITS
                  + " is '"
                  + splitsText
                  + "'; list the source's splits separated by commas, e.g."
                  + " clicks-0,clicks-1 (Kafka: <topic>-<partition>) or"
                  + " clicks/shardId-000000000000 (Kinesis: <stream>/<shard id>)");
          break;
        }
        splits.add(split);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the function's environment is wrong:\n  - " + String.join("\n  - ", problems));
    }
    return new RuntimeSettings(
        job,
        graph,
        tables,
        source,
        slots,
        maxAttempts,
        operator,
        fanOut,
        inProcess,
        idle,
        factor,
        splits,
        Objects.requireNonNullElse(value(env, JOB_NAME), graph.jobName()));
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static int integer(
      Map<String, String> env,
      String name,
      int fallback,
      int min,
      int max,
      String rule,
      List<String> problems) {
    String v = value(env, name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        problems.add(name + " is " + n + "; it must be " + rule + " (" + min + " to " + max + ")");
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(name + " is '" + v + "'; it must be a whole number, " + rule);
      return fallback;
    }
  }

  private static JobProvider instantiate(String className) {
    Class<?> type;
    try {
      type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          JOB_CLASS
              + " is '"
              + className
              + "' but no such class is in the function's code; check the name and that the job"
              + " jar is the function's code");
    }
    if (!JobProvider.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          JOB_CLASS
              + " is '"
              + className
              + "', which does not implement dev.tributary.JobProvider");
    }
    try {
      return (JobProvider) type.getDeclaredConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          JOB_CLASS + " is '" + className + "', which has no public no-arg constructor; add one");
    } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalArgumentException(
          JOB_CLASS + " is '" + className + "' and its constructor failed: " + e, e);
    }
  }
}
