package dev.tributary.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataStream;
import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.ProcessFunction;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.OutputCollector;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link JobGraph#withSinksBehindKeyBy}: the graph the Lambda functions run puts a keyBy in front
 * of every sink that records reach without crossing one, and runs to the same outputs as the job.
 */
class SinksBehindKeyByTest {
  record Ev(String key, long ts, int n) {}

  static final OutputTag<Ev> SMALL = new OutputTag<>("small", Serdes.json(Ev.class));

  /** Sends events with n below 3 to a side output, the rest on. */
  static final class SplitSmall extends ProcessFunction<Ev, Ev> {
    @Override
    public void processElement(Ev value, Context ctx, Collector<Ev> out) {
      if (value.n() < 3) {
        ctx.output(SMALL, value);
      } else {
        out.collect(value);
      }
    }
  }

  private static DataStream<Ev> timed(StreamEnvironment env) {
    return env.kinesis("in", Serdes.json(Ev.class))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Ev>forMonotonousTimestamps()
                .withTimestampAssigner((e, t) -> e.ts()));
  }

  /** Stateless, a side output before keyBy, a window, and a union of keyed and unkeyed records. */
  public static final class Mixed implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("mixed");
      DataStream<Ev> split = timed(env).process(new SplitSmall()).returns(Ev.class);
      split.map(e -> e.key() + ":" + e.n()).returns(String.class).sinkTo("plain", Serdes.string());
      split.getSideOutput(SMALL).sinkTo("small");
      DataStream<Ev> sums =
          split
              .keyBy(Ev::key)
              .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
              .reduce((a, b) -> new Ev(a.key(), b.ts(), a.n() + b.n()))
              .uid("sums");
      sums.union(split.filter(e -> e.n() > 8)).sinkTo("both");
    }
  }

  @Test
  void aStatelessJobGetsAKeyByAndAForwardingFunctionBeforeItsSink() {
    JobProvider job = env -> timed(env.jobName("etl")).filter(e -> e.n() > 0).sinkTo("out");
    JobGraph graph = JobGraph.of(job).withSinksBehindKeyBy();
    assertThat(graph.describe())
        .isEqualTo(
            "Job 'etl' (maxKeyGroups=128)\n"
                + "  Stage 0: stateless prefix (coordinator)\n"
                + "    [0] Source: in kinesis serde=json(Ev)\n"
                + "    [1] Timestamps/Watermarks monotonousTimestamps with timestamp assigner <- [0]\n"
                + "    [2] Filter lambda <- [1]\n"
                + "  Stage 1: keyed stage 1 (operator functions)\n"
                + "    [3] KeyBy: out (added: outputs are committed by a keyed stage)"
                + " key=String serde=string <- [2]\n"
                + "    [4] Forward: out <- [3]\n"
                + "    [5] Sink: out serde=json <- [4]\n");
    assertThat(graph.instance().describe()).isEqualTo(graph.describe());
    assertThat(graph.withSinksBehindKeyBy()).isSameAs(graph);
  }

  @Test
  void aJobWhoseSinksAreAllKeyedIsUnchanged() {
    JobProvider job =
        env ->
            timed(env.jobName("keyed"))
                .keyBy(Ev::key)
                .reduce((a, b) -> b)
                .uid("last")
                .sinkTo("out");
    assertThat(JobGraph.of(job).withSinksBehindKeyBy().describe())
        .isEqualTo(JobGraph.of(job).describe());
  }

  @Test
  void sideOutputsAndTheUnkeyedInputOfAUnionGoThroughAnAddedKeyBy() {
    JobGraph graph = JobGraph.of(new Mixed()).withSinksBehindKeyBy();
    assertThat(graph.keyedStageCount()).isEqualTo(1);
    assertThat(graph.sinks()).allSatisfy(sink -> assertThat(sink.stage()).isEqualTo(1));
    assertThat(graph.exchanges())
        .extracting(GraphNode::name)
        .containsExactly(
            "KeyBy: plain (added: outputs are committed by a keyed stage)",
            "KeyBy: small (added: outputs are committed by a keyed stage)",
            "KeyBy",
            "KeyBy: union-" + unionId() + " (added: outputs are committed by a keyed stage)");
    GraphNode union =
        graph.nodes().stream().filter(n -> n.spec() instanceof UnionSpec).findFirst().orElseThrow();
    assertThat(union.inputs())
        .extracting(i -> graph.node(i).spec().kind())
        .containsExactly("window", "forward");
    assertThat(graph.nodes())
        .as("the forwards have no uid: nothing of theirs is stored")
        .extracting(GraphNode::uid)
        .filteredOn(java.util.Objects::nonNull)
        .containsExactly("sums");
    assertThat(graph.exchanges())
        .extracting(n -> graph.addedExchange(n.id()))
        .containsExactly(true, true, false, true);
  }

  private static int unionId() {
    return JobGraph.of(new Mixed()).nodes().stream()
        .filter(n -> n.spec() instanceof UnionSpec)
        .findFirst()
        .orElseThrow()
        .id();
  }

  /** Every output of a run: sink, value and timestamp, in the order emitted. */
  private static List<String> run(JobGraph graph, List<Ev> input, int batch) {
    List<String> out = new ArrayList<>();
    OutputCollector collector = (sink, value, ts) -> out.add(sink + " " + value + " @" + ts);
    try (JobExecutor executor =
        new JobExecutor(graph, new InMemoryStateBackend(), () -> 0L, collector)) {
      JobExecutor.SourceInput in = executor.sourceInput("in");
      for (int i = 0; i < input.size(); i++) {
        in.push(input.get(i), Long.MIN_VALUE);
        if (i % batch == batch - 1) {
          executor.endBatch();
        }
      }
      executor.endBatch();
      executor.endOfInput();
    }
    return out;
  }

  @Test
  void theGraphTheFunctionsRunEmitsWhatTheJobEmitsInTheSameOrderWithTheSameTimestamps() {
    List<Ev> input = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      input.add(new Ev("k" + (i * 7 % 5), i * 3L, i * 13 % 11));
    }
    for (int batch : new int[] {1, 7, 50}) {
      List<String> expected = run(JobGraph.of(new Mixed()), input, batch);
      assertThat(expected).anyMatch(s -> s.startsWith("plain "));
      assertThat(expected).anyMatch(s -> s.startsWith("small "));
      assertThat(expected).anyMatch(s -> s.startsWith("both Ev[key=k0, ts=2"));
      assertThat(run(JobGraph.of(new Mixed()).withSinksBehindKeyBy(), input, batch))
          .as("batches of %d", batch)
          .isEqualTo(expected);
    }
  }
}
