package dev.tributary.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SinkSpec;
import dev.tributary.serde.Serdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {
  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put(RuntimeSettings.JOB_CLASS, ClickWindowSums.class.getName());
    env.put(RuntimeSettings.TABLE_PREFIX, "clicks");
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        env.remove(pairs[i]);
      } else {
        env.put(pairs[i], pairs[i + 1]);
      }
    }
    return env;
  }

  @Test
  void aMinimalEnvironmentGetsTheDefaults() {
    RuntimeSettings s = RuntimeSettings.from(env());
    assertThat(s.graph().jobName()).isEqualTo("click-window-sums");
    assertThat(s.tables().state()).isEqualTo("clicks-state");
    assertThat(s.source()).isEqualTo(ClickWindowSums.SOURCE);
    assertThat(s.slots()).isEqualTo(4);
    assertThat(s.maxAttempts()).isEqualTo(3);
    assertThat(s.fanOut()).isEqualTo(RuntimeSettings.FanOut.AUTO);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.splits()).isEmpty();
  }

  @Test
  void theDeclaredSplitsAreReadAndCheckedForBlanks() {
    assertThat(RuntimeSettings.from(env(RuntimeSettings.SPLITS, " clicks-0, clicks-1 ")).splits())
        .containsExactly("clicks-0", "clicks-1");
    assertThatThrownBy(() -> RuntimeSettings.from(env(RuntimeSettings.SPLITS, "clicks-0,,x")))
        .hasMessageContaining("TRIBUTARY_SPLITS is 'clicks-0,,x'")
        .hasMessageContaining("e.g. clicks-0,clicks-1");
  }

  @Test
  void everySettingIsRead() {
    RuntimeSettings s =
        RuntimeSettings.from(
            env(
                RuntimeSettings.TABLE_PREFIX, null,
                RuntimeSettings.STATE_TABLE, "s",
                RuntimeSettings.OUTBOX_TABLE, "o",
                RuntimeSettings.DEAD_LETTER_TABLE, "d",
                RuntimeSettings.SLOTS, "16",
                RuntimeSettings.MAX_KEY_GROUPS, "128",
                RuntimeSettings.MAX_ATTEMPTS, "5",
                RuntimeSettings.FAN_OUT, "in-process",
                RuntimeSettings.IN_PROCESS_MAX_RECORDS, "10",
                RuntimeSettings.IDLE_TIMEOUT, "PT30S",
                RuntimeSettings.OPERATOR_FUNCTION, "clicks-operator"));
    assertThat(s.tables().outbox()).isEqualTo("o");
    assertThat(s.slots()).isEqualTo(16);
    assertThat(s.maxAttempts()).isEqualTo(5);
    assertThat(s.fanOut()).isEqualTo(RuntimeSettings.FanOut.IN_PROCESS);
    assertThat(s.inProcessMaxRecords()).isEqualTo(10);
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.operatorFunction()).isEqualTo("clicks-operator");
  }

  @Test
  void metricsCarryTheDeploymentsJobNameWhichItsAlarmsWatch() {
    assertThat(RuntimeSettings.from(env()).metricsName()).isEqualTo("click-window-sums");
    assertThat(RuntimeSettings.from(env(RuntimeSettings.JOB_NAME, "ClickWindowSums")).metricsName())
        .isEqualTo("ClickWindowSums");
  }

  @Test
  void everyWrongVariableIsListedWithItsValueAndTheFix() {
    assertThatThrownBy(
            () ->
                RuntimeSettings.from(
                    env(
                        RuntimeSettings.TABLE_PREFIX, null,
                        RuntimeSettings.SLOTS, "0",
                        RuntimeSettings.MAX_ATTEMPTS, "many",
                        RuntimeSettings.FAN_OUT, "sideways",
                        RuntimeSettings.IDLE_TIMEOUT, "1 minute",
                        RuntimeSettings.MAX_KEY_GROUPS, "256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TRIBUTARY_TABLE_PREFIX is not set")
        .hasMessageContaining(
            "TRIBUTARY_SLOTS is 0; it must be between 1 and the job's maxKeyGroups (1 to 128)")
        .hasMessageContaining("TRIBUTARY_MAX_ATTEMPTS is 'many'")
        .hasMessageContaining(
            "TRIBUTARY_FAN_OUT is 'sideways'; use one of lambda, in-process, auto")
        .hasMessageContaining("TRIBUTARY_IDLE_TIMEOUT is '1 minute'; use an ISO-8601 duration")
        .hasMessageContaining(
            "TRIBUTARY_MAX_KEY_GROUPS is 256 but job 'click-window-sums' has maxKeyGroups 128");
  }

  @Test
  void aMissingOrWrongJobClassSaysWhatToDo() {
    assertThatThrownBy(() -> RuntimeSettings.from(env(RuntimeSettings.JOB_CLASS, null)))
        .hasMessageContaining("TRIBUTARY_JOB_CLASS is not set");
    assertThatThrownBy(
            () -> RuntimeSettings.from(env(RuntimeSettings.JOB_CLASS, "com.example.Nope")))
        .hasMessageContaining("'com.example.Nope' but no such class is in the function's code");
    assertThatThrownBy(
            () -> RuntimeSettings.from(env(RuntimeSettings.JOB_CLASS, String.class.getName())))
        .hasMessageContaining("does not implement dev.tributary.JobProvider");
    assertThatThrownBy(
            () -> RuntimeSettings.from(env(RuntimeSettings.JOB_CLASS, NoDefault.class.getName())))
        .hasMessageContaining("has no public no-arg constructor");
  }

  @Test
  void someOfTheThreeTableNamesIsAnError() {
    assertThatThrownBy(() -> RuntimeSettings.from(env(RuntimeSettings.STATE_TABLE, "only-state")))
        .hasMessageContaining("set all three of TRIBUTARY_STATE_TABLE");
  }

  @Test
  void aJobWithTwoSourcesNeedsTheSourceNamed() {
    assertThatThrownBy(
            () -> RuntimeSettings.from(env(RuntimeSettings.JOB_CLASS, TwoSources.class.getName())))
        .hasMessageContaining("TRIBUTARY_SOURCE is not set")
        .hasMessageContaining("[a, b]");
    assertThatThrownBy(
            () ->
                RuntimeSettings.from(
                    env(
                        RuntimeSettings.JOB_CLASS,
                        TwoSources.class.getName(),
                        RuntimeSettings.SOURCE,
                        "c")))
        .hasMessageContaining("TRIBUTARY_SOURCE is 'c'");
    assertThat(
            RuntimeSettings.from(
                    env(
                        RuntimeSettings.JOB_CLASS,
                        TwoSources.class.getName(),
                        RuntimeSettings.SOURCE,
                        "b"))
                .source())
        .isEqualTo("b");
  }

  /** A job class without a no-arg constructor. */
  public static final class NoDefault implements JobProvider {
    /** Needs an argument. */
    public NoDefault(int x) {}

    @Override
    public void build(StreamEnvironment env) {}
  }

  /** A job with two sources. */
  public static final class TwoSources implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("two")
          .kinesis("a", Serdes.string())
          .union(env.kafka("b", Serdes.string()))
          .keyBy(l -> l)
          .reduce((x, y) -> x + y)
          .uid("r")
          .sinkTo("out", Serdes.string());
    }
  }

  /** Upper-cases lines to one sink, and counts words per key to another. */
  public static final class HalfKeyed implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      var lines = env.jobName("half-keyed").kinesis("lines", Serdes.string());
      lines.map(String::toUpperCase).returns(String.class).sinkTo("upper", Serdes.string());
      lines.keyBy(l -> l).reduce((a, b) -> a + b).uid("r").sinkTo("joined", Serdes.string());
    }
  }

  /**
   * A sink whose records cross no keyBy had its outputs dropped on Lambda (the coordinator's prefix
   * run discarded them and answered the batch as done); the functions now run such a sink behind an
   * added keyBy, so that a keyed stage's commit holds its outputs.
   */
  @Test
  void aSinkBeforeAnyKeyByRunsBehindAnAddedKeyBy() {
    JobGraph graph =
        RuntimeSettings.from(env(RuntimeSettings.JOB_CLASS, HalfKeyed.class.getName())).graph();
    assertThat(graph.keyedStageCount()).isEqualTo(1);
    assertThat(graph.sinks())
        .extracting(n -> ((SinkSpec) n.spec()).sinkName(), GraphNode::stage)
        .containsExactlyInAnyOrder(tuple("upper", 1), tuple("joined", 1));
    assertThat(graph.exchanges()).hasSize(2);
    assertThat(graph.instance().describe()).isEqualTo(graph.describe());
  }
}
