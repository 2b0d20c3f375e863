package dev.tributary.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.JobProvider;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryRunnerTest {
  record Sale(String shop, long ts, long cents) {}

  static JobProvider totals(
      java.util.function.Function<dev.tributary.StreamEnvironment, dev.tributary.DataStream<Sale>>
          source) {
    return env ->
        source
            .apply(env)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<Sale>forBoundedOutOfOrderness(Duration.ofSeconds(1))
                    .withTimestampAssigner((s, t) -> s.ts()))
            .keyBy(Sale::shop)
            .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
            .reduce((a, b) -> new Sale(a.shop(), Math.min(a.ts(), b.ts()), a.cents() + b.cents()))
            .uid("totals")
            .map(s -> s.shop() + "=" + s.cents())
            .sinkTo("out");
  }

  @Test
  void readsJsonLinesFiles(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sales.jsonl");
    Files.writeString(
        file,
        "{\"shop\":\"a\",\"ts\":1000,\"cents\":5}\n\n{\"shop\":\"b\",\"ts\":2000,\"cents\":7}\n"
            + "{\"shop\":\"a\",\"ts\":61000,\"cents\":1}\n");
    RunResult result =
        InMemoryRunner.forJob(totals(env -> env.jsonLines("sales", file, Sale.class))).run();
    assertThat(result.recordsIn()).isEqualTo(3);
    assertThat(result.sink("out")).containsExactlyInAnyOrder("a=5", "b=7", "a=1");
    assertThat(result.sinkCounts()).containsEntry("out", 3L);
  }

  @Test
  void namesTheLineOfABadJsonRecord(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sales.jsonl");
    Files.writeString(file, "{\"shop\":\"a\",\"ts\":1,\"cents\":5}\n{oops\n");
    assertThatThrownBy(
            () ->
                InMemoryRunner.forJob(totals(env -> env.jsonLines("sales", file, Sale.class)))
                    .run())
        .hasMessageContaining("line 2 of " + file + " is not a JSON Sale");
  }

  @Test
  void readsCsvFilesWithAHeader(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sales.csv");
    Files.writeString(file, "shop,ts,cents\na,1000,5\na,1500,6\nb,2000,7\n");
    RunResult result =
        InMemoryRunner.forJob(totals(env -> env.csv("sales", file, Sale.class))).run();
    assertThat(result.sink("out")).containsExactlyInAnyOrder("a=11", "b=7");
  }

  @Test
  void bindsStreamSourcesToInputAndCountsThroughput() {
    List<Sale> sales = List.of(new Sale("a", 1, 1), new Sale("a", 2, 2), new Sale("b", 3, 3));
    long[] seen = new long[1];
    RunResult result =
        InMemoryRunner.forJob(totals(env -> env.kinesis("sales", Serdes.json(Sale.class))))
            .bind("sales", sales)
            .batchSize(2)
            .onSink("out", (value, ts) -> seen[0]++)
            .run();
    assertThat(seen[0]).isEqualTo(2);
    assertThat(result.sink("out")).isEmpty();
    assertThat(result.recordsPerSecond()).isPositive();
  }

  @Test
  void explainsWhatIsMissing() {
    JobProvider job = totals(env -> env.kafka("sales", Serdes.json(Sale.class)));
    assertThatThrownBy(() -> InMemoryRunner.forJob(job).run())
        .hasMessageContaining("source 'sales' is a kafka source; bind it to input")
        .hasMessageContaining(".bind(\"sales\", elements)");
    assertThatThrownBy(
            () ->
                InMemoryRunner.forJob(job).bind("sales", List.of()).bind("other", List.of()).run())
        .hasMessageContaining("has no source named 'other'");
    assertThatThrownBy(
            () ->
                InMemoryRunner.forJob(job).bind("sales", List.of()).onSink("x", (v, t) -> {}).run())
        .hasMessageContaining("has no sink named 'x'");
    assertThatThrownBy(() -> InMemoryRunner.forJob(job).batchSize(0))
        .hasMessageContaining("batchSize is 0");
  }

  @Test
  void collectionSourcesReadThemselvesAndSourcesTakeTurns() {
    RunResult result =
        InMemoryRunner.forJob(
                env ->
                    env.fromElements("left", 1, 2, 3)
                        .union(env.fromElements("right", 10, 20))
                        .sinkTo("out"))
            .batchSize(1)
            .run();
    assertThat(result.sink("out")).containsExactly(1, 10, 2, 20, 3);
  }
}
