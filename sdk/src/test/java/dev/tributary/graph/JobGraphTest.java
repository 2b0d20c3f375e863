package dev.tributary.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.DataStream;
import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeySelector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.TumblingEventTimeWindows;
import dev.tributary.windowing.TumblingProcessingTimeWindows;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobGraphTest {
  record Ev(String key, long ts, int n) {}

  static final class Pass extends KeyedProcessFunction<String, Ev, Ev> {
    @Override
    public void processElement(Ev value, Context ctx, Collector<Ev> out) {
      out.collect(value);
    }
  }

  private static DataStream<Ev> timed(dev.tributary.StreamEnvironment env) {
    return env.kinesis("in", Serdes.json(Ev.class))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Ev>forMonotonousTimestamps()
                .withTimestampAssigner((e, t) -> e.ts()));
  }

  @Test
  void describesStagesOperatorsUidsKeysAndWindows() {
    JobGraph graph =
        JobGraph.of(
            env -> {
              env.jobName("demo").maxKeyGroups(256);
              timed(env)
                  .filter(e -> e.n() > 0)
                  .keyBy(Ev::key)
                  .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                  .allowedLateness(Duration.ofSeconds(5))
                  .reduce((a, b) -> a)
                  .uid("sums")
                  .sinkTo("out");
            });
    assertThat(graph.jobName()).isEqualTo("demo");
    assertThat(graph.maxKeyGroups()).isEqualTo(256);
    assertThat(graph.describe())
        .isEqualTo(
            "Job 'demo' (maxKeyGroups=256)\n"
                + "  Stage 0: stateless prefix (coordinator)\n"
                + "    [0] Source: in kinesis serde=json(Ev)\n"
                + "    [1] Timestamps/Watermarks monotonousTimestamps with timestamp assigner <- [0]\n"
                + "    [2] Filter lambda <- [1]\n"
                + "  Stage 1: keyed stage 1 (operator functions)\n"
                + "    [3] KeyBy key=String serde=string <- [2]\n"
                + "    [4] Window uid=sums tumblingEventTime(10s) reduce=lambda allowedLateness=5s"
                + " state=json(Ev) <- [3]\n"
                + "    [5] Sink: out serde=json <- [4]\n");
  }

  @Test
  void describesAsJson() throws Exception {
    JobGraph graph =
        JobGraph.of(
            env ->
                env.fromElements("in", 1, 2)
                    .keyBy(i -> i % 2)
                    .reduce(Integer::sum)
                    .uid("r")
                    .sinkTo("out"));
    JsonNode json = Serdes.jsonReader().readTree(graph.describeJson());
    assertThat(json.get("stages")).hasSize(2);
    assertThat(json.get("nodes").get(2).get("kind").asText()).isEqualTo("reduce");
    assertThat(json.get("nodes").get(2).get("uid").asText()).isEqualTo("r");
    assertThat(json.get("nodes").get(2).get("stateful").asBoolean()).isTrue();
    assertThat(json.get("nodes").get(1).get("details").asText()).contains("key=Integer");
  }

  @Test
  void eachKeyByStartsAKeyedStage() {
    JobGraph graph =
        JobGraph.of(
            env ->
                env.fromElements("in", "a", "b")
                    .map(String::toUpperCase)
                    .keyBy(s -> s)
                    .reduce((a, b) -> a + b)
                    .uid("first")
                    .keyBy(String::length)
                    .reduce((a, b) -> b)
                    .uid("second")
                    .sinkTo("out"));
    assertThat(graph.keyedStageCount()).isEqualTo(2);
    assertThat(graph.statelessPrefix())
        .extracting(GraphNode::name)
        .containsExactly("Source: in", "Map");
    assertThat(graph.stage(2)).extracting(GraphNode::uid).contains("second");
    assertThat(graph.exchanges()).hasSize(2);
  }

  @Test
  void refusesStatefulOperatorsWithoutUidAndDuplicateUidsAllAtOnce() {
    JobProvider job =
        env -> {
          DataStream<Ev> in = env.kinesis("in", Serdes.json(Ev.class));
          in.keyBy(Ev::key).process(new Pass()).sinkTo("a");
          in.keyBy(Ev::key).reduce((x, y) -> x).uid("dup").sinkTo("b");
          in.keyBy(Ev::key).reduce((x, y) -> y).uid("dup").sinkTo("c");
        };
    assertThatThrownBy(() -> JobGraph.of(job))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "operator 'KeyedProcess' (node 2, keyedProcess) keeps state but has no uid")
        .hasMessageContaining("add .uid(\"...\")")
        .hasMessageContaining("uid 'dup' is used by both 'Reduce' (node 5) and 'Reduce' (node 8)");
  }

  @Test
  void refusesEventTimeWindowsWithoutWatermarks() {
    assertThatThrownBy(
            () ->
                JobGraph.of(
                    env ->
                        env.kinesis("in", Serdes.json(Ev.class))
                            .keyBy(Ev::key)
                            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                            .reduce((a, b) -> a)
                            .uid("w")
                            .sinkTo("out")))
        .hasMessageContaining(
            "uses event-time windows but its input from source 'in' has no timestamps")
        .hasMessageContaining("assignTimestampsAndWatermarks");
    // a processing-time window needs no watermarks
    JobGraph.of(
        env ->
            env.kinesis("in", Serdes.json(Ev.class))
                .keyBy(Ev::key)
                .window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(1)))
                .reduce((a, b) -> a)
                .uid("w")
                .sinkTo("out"));
  }

  @Test
  void refusesAUnionWhereOneSideHasNoWatermarks() {
    assertThatThrownBy(
            () ->
                JobGraph.of(
                    env ->
                        timed(env)
                            .union(env.kafka("other", Serdes.json(Ev.class)))
                            .keyBy(Ev::key)
                            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
                            .reduce((a, b) -> a)
                            .uid("w")
                            .sinkTo("out")))
        .hasMessageContaining("source 'other' has no timestamps");
  }

  @Test
  void refusesAJobWithoutSinkOrSource() {
    assertThatThrownBy(() -> JobGraph.of(env -> env.fromElements("in", 1).map(i -> i)))
        .hasMessageContaining("the job has no sink");
    assertThatThrownBy(() -> JobGraph.of(env -> {}))
        .hasMessageContaining("the job has no source")
        .hasMessageContaining("the job has no sink");
  }

  @Test
  void infersKeyTypesFromLambdasMethodReferencesAndClasses() {
    JobGraph graph =
        JobGraph.of(
            env -> {
              DataStream<Ev> in = env.kinesis("in", Serdes.json(Ev.class));
              in.keyBy(Ev::key).reduce((a, b) -> a).uid("a").sinkTo("a");
              in.keyBy(e -> e.n()).reduce((a, b) -> a).uid("b").sinkTo("b");
              in.keyBy(new ByN()).reduce((a, b) -> a).uid("c").sinkTo("c");
            });
    assertThat(graph.exchanges())
        .extracting(n -> (Object) ((KeyBySpec) n.spec()).keyType())
        .containsExactly(String.class, Integer.class, Integer.class);
    assertThat(graph.exchanges())
        .extracting(n -> (Object) ((KeyBySpec) n.spec()).keySerde())
        .containsExactly(Serdes.string(), Serdes.integers(), Serdes.integers());
  }

  static final class ByN implements KeySelector<Ev, Integer> {
    @Override
    public Integer getKey(Ev value) {
      return value.n();
    }
  }

  static final class NoEquals {
    final String id;

    NoEquals(String id) {
      this.id = id;
    }
  }

  @Test
  void refusesKeysWithoutValueEquality() {
    assertThatThrownBy(
            () ->
                JobGraph.of(
                    env ->
                        env.fromElements("in", "a").keyBy(s -> s.getBytes()).reduce((a, b) -> a)))
        .hasMessageContaining("key type [B cannot be a key: arrays compare by identity");
    assertThatThrownBy(
            () -> JobGraph.of(env -> env.fromElements("in", "a").keyBy(s -> new NoEquals(s))))
        .hasMessageContaining("does not override equals() and hashCode()");
  }

  @Test
  void asksForAKeySerdeWhenTheKeyTypeIsErased() {
    assertThatThrownBy(() -> JobGraph.of(env -> env.fromElements("in", "a").keyBy(identity())))
        .hasMessageContaining("cannot tell the key type")
        .hasMessageContaining("keyBy(selector, Serdes.string())");
    JobGraph.of(
        env ->
            env.fromElements("in", "a")
                .keyBy(JobGraphTest.<String>identity(), Serdes.string())
                .reduce((a, b) -> a)
                .uid("r")
                .sinkTo("out"));
  }

  private static <T> KeySelector<T, T> identity() {
    return t -> t;
  }

  @Test
  void refusesSideOutputsOfOperatorsThatCannotEmitThem() {
    assertThatThrownBy(
            () ->
                JobGraph.of(
                    env ->
                        env.fromElements("in", 1)
                            .map(i -> i)
                            .getSideOutput(new OutputTag<>("x"))
                            .sinkTo("out")))
        .hasMessageContaining("getSideOutput(x) on 'Map': only process, keyed process and window");
  }

  @Test
  void refusesBadNames() {
    assertThatThrownBy(() -> JobGraph.of(env -> env.kinesis("has space", Serdes.string())))
        .hasMessageContaining("source name is 'has space'");
    assertThatThrownBy(
            () ->
                JobGraph.of(
                    env -> {
                      env.kinesis("in", Serdes.string());
                      env.kafka("in", Serdes.string());
                    }))
        .hasMessageContaining("source name 'in' is used twice");
    assertThatThrownBy(() -> JobGraph.of(env -> env.kinesis("in", null)))
        .hasMessageContaining("source 'in' has no serde");
    assertThatThrownBy(() -> JobGraph.of(env -> env.fromElements("in", 1).map(i -> i).uid("a b")))
        .hasMessageContaining("uid is 'a b'");
    assertThatThrownBy(() -> JobGraph.of(env -> env.maxKeyGroups(0)))
        .hasMessageContaining("maxKeyGroups is 0");
  }

  @Test
  void graphIsImmutable() {
    JobGraph graph = JobGraph.of(env -> env.fromElements("in", 1).sinkTo("out"));
    assertThatThrownBy(() -> graph.nodes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> graph.node(1).inputs().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
