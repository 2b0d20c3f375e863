package dev.tributary.benchmarks.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import org.junit.jupiter.api.Test;

/**
 * The commit-cost benchmark on a small input: it runs, and the figures it reports that do not
 * depend on the machine's speed hold (write units are counted, not timed).
 */
class CommitCostBenchmarkTest {
  @Test
  void aggregationsWriteNothingBeyondTheFloor() throws Exception {
    try (DynamoDbLocal local = DynamoDbLocal.builder().build()) {
      CommitCostBenchmark.Result uniform =
          CommitCostBenchmark.run(
              local.endpoint(),
              "t-uniform",
              new CommitCostBenchmark.SumJob(false),
              CommitCostBenchmark.uniform(100_000),
              1000,
              500,
              1,
              1,
              0);
      assertThat(uniform.writeUnits()).isPositive();
      assertThat(uniform.writeUnits() / uniform.floor()).isLessThanOrEqualTo(1.05);
      assertThat(uniform.actions())
          .as("a sum without timers writes its keys and a checkpoint per commit, nothing else")
          .containsOnlyKeys("key put", "checkpoint")
          .containsEntry("checkpoint", (long) uniform.epochs());
      CommitCostBenchmark.Result hot =
          CommitCostBenchmark.run(
              local.endpoint(),
              "t-hot",
              new CommitCostBenchmark.SumJob(false),
              CommitCostBenchmark.cycle(20),
              2000,
              1000,
              1,
              1,
              0);
      assertThat(hot.writeUnits() / hot.records())
          .as("50 records per key per epoch: one write per key, one checkpoint")
          .isLessThanOrEqualTo(0.05);
    }
  }

  @Test
  void windowsWriteTheirTimersIndexItemsAndEveryActionHasAKind() throws Exception {
    try (DynamoDbLocal local = DynamoDbLocal.builder().build()) {
      CommitCostBenchmark.Result windows =
          CommitCostBenchmark.run(
              local.endpoint(),
              "t-windows",
              new CommitCostBenchmark.WindowJob(),
              CommitCostBenchmark.uniform(1000),
              3000,
              500,
              1,
              1,
              2);
      assertThat(windows.actions()).doesNotContainKey("other");
      assertThat(windows.actions().get("timer index put"))
          .as("windows that fired in a later batch than they opened")
          .isPositive()
          .isGreaterThanOrEqualTo(windows.actions().getOrDefault("timer index delete", 0L));
      assertThat(windows.actions()).containsKeys("key delete", "timer item", "outbox page");
      assertThat(windows.actionsRow()).startsWith("| t-windows | ");
    }
  }
}
