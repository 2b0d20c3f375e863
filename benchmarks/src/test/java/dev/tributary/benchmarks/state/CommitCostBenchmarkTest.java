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
}
