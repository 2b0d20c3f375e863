package dev.tributary.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkGenerator;
import dev.tributary.eventtime.WatermarkOutput;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.ProcessFunction;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serdes;
import dev.tributary.state.dynamodb.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatelessPrefixTest {
  /** "word,timestamp" lines, split into words, keyed by word. */
  public static final class Words implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("words")
          .kinesis("lines", Serdes.string())
          .assignTimestampsAndWatermarks(
              WatermarkStrategy.<String>forBoundedOutOfOrderness(Duration.ofMillis(100))
                  .withTimestampAssigner((l, t) -> Long.parseLong(l.split(",")[1])))
          .<String>flatMap(
              (line, out) -> {
                if (line.startsWith("boom")) {
                  throw new IllegalStateException("boom");
                }
                for (String w : line.split(",")[0].split(" ")) {
                  out.collect(w);
                }
              })
          .returns(String.class)
          .keyBy(w -> w)
          .reduce((a, b) -> a + b)
          .uid("r")
          .sinkTo("out", Serdes.string());
    }
  }

  /** A watermark after every element, and a function before keyBy that reads it. */
  public static final class Lateness implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("lateness")
          .kinesis("lines", Serdes.string())
          .assignTimestampsAndWatermarks(
              WatermarkStrategy.<String>forGenerator(
                      ctx ->
                          new WatermarkGenerator<>() {
                            @Override
                            public void onEvent(String e, long ts, WatermarkOutput out) {
                              out.emitWatermark(ts - 1);
                            }

                            @Override
                            public void onPeriodicEmit(WatermarkOutput out) {}
                          })
                  .withTimestampAssigner((l, t) -> Long.parseLong(l.split(",")[1])))
          .process(
              new ProcessFunction<String, String>() {
                @Override
                public void processElement(String l, Context ctx, Collector<String> out) {
                  out.collect(l + "@" + ctx.timerService().currentWatermark());
                }
              })
          .returns(String.class)
          .keyBy(w -> w)
          .reduce((a, b) -> a + b)
          .uid("r")
          .sinkTo("out", Serdes.string());
    }
  }

  private static SourceRecord line(String seq, int sub, String text) {
    return new SourceRecord(seq, sub, 0, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  @Test
  void keyedRecordsArePositionedBySequenceSubRecordAndFanOut() {
    StatelessPrefix prefix = new StatelessPrefix(JobGraph.of(new Words()), "lines");
    StatelessPrefix.Result r =
        prefix.run(List.of(line("100", 0, "a b c,1000"), line("101", 2, "d,1500")));
    assertThat(r.failures()).isEmpty();
    assertThat(r.keyed()).extracting(k -> k.record().key()).containsExactly("a", "b", "c", "d");
    assertThat(r.keyed().get(2).record().position()).isEqualTo(Position.of(100, 2));
    assertThat(r.keyed().get(3).record().position()).isEqualTo(Position.of(101, 2L << 32));
    assertThat(r.keyed().get(3).recordIndex()).isEqualTo(1);
    assertThat(r.keyed().get(0).keyGroup())
        .isEqualTo(KeyGroups.keyGroupOf("a".getBytes(StandardCharsets.UTF_8), 128));
    assertThat(r.keyed().get(3).record().timestamp()).isEqualTo(1500);
    assertThat(r.watermark()).isEqualTo(1500 - 100 - 1);
  }

  @Test
  void aRecordThePrefixFailsOnIsReportedAndContributesNothing() {
    StatelessPrefix prefix = new StatelessPrefix(JobGraph.of(new Words()), "lines");
    StatelessPrefix.Result r =
        prefix.run(
            List.of(line("1", 0, "x,10"), line("2", 0, "boom,20"), line("3", 0, "not-a-line")));
    assertThat(r.keyed()).extracting(k -> k.record().key()).containsExactly("x");
    assertThat(r.failures()).extracting(StatelessPrefix.Failure::recordIndex).containsExactly(1, 2);
  }

  /**
   * A function before keyBy reads no watermark, not what the generator emitted for the records
   * before it in this run: the coordinator's run over a batch, an operator's run over part of it
   * and a run of the batch delivered again make the same keyed records (found in review: a
   * late-data tag differed between the runs; pinned to the batch's input watermark instead, a batch
   * delivered again after its commit moved the watermark was applied twice).
   */
  @Test
  void thePrefixReadsNoWatermarkWhateverPartOfTheBatchItRuns() {
    List<SourceRecord> batch =
        List.of(line("1", 0, "a,900"), line("2", 0, "b,1000"), line("3", 0, "c,950"));
    StatelessPrefix prefix = new StatelessPrefix(JobGraph.of(new Lateness()), "lines");
    StatelessPrefix.Result whole = prefix.run(batch);
    StatelessPrefix.Result part = prefix.run(batch.subList(2, 3));
    String none = "c,950@" + Long.MIN_VALUE;
    assertThat(whole.keyed()).extracting(k -> k.record().key()).contains(none);
    assertThat(part.keyed().get(0).record().key()).isEqualTo(none);
    assertThat(whole.watermark()).as("the generator still emits").isEqualTo(999);
  }
}
