package dev.tributary.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.minicluster.MiniCluster;
import org.junit.jupiter.api.Test;

/**
 * The benchmark compares like with like: on a small input, both engines produce the same number of
 * outputs for every workload. (Speed is measured by {@code scripts/benchmark.sh}, never in tests.)
 */
class FlinkComparisonTest {

  @Test
  void bothEnginesDoTheSameWorkForEveryWorkload() throws Exception {
    MiniCluster cluster = FlinkComparison.startCluster();
    try {
      for (FlinkComparison.Case c : FlinkComparison.cases()) {
        Workload workload = new Workload(7, c.keys(), c.zipf());
        FlinkComparison.Run tributary = FlinkComparison.runTributary(c.job(), workload, 20_000);
        FlinkComparison.Run flink = FlinkComparison.runFlink(cluster, c.flink(), workload, 20_000);
        assertThat(tributary.outputs()).as(c.name()).isPositive().isEqualTo(flink.outputs());
      }
    } finally {
      cluster.closeAsync().get();
    }
  }

  @Test
  void theWorkloadIsRepeatableAndSkewedWhenAsked() {
    Workload uniform = new Workload(1, 100, 0);
    Workload zipf = new Workload(1, 100, 1.1);
    assertThat(uniform.click(5)).isEqualTo(new Workload(1, 100, 0).click(5));
    assertThat(uniform.click(5).timestamp()).isEqualTo(Workload.START + 5);
    long hot = 0;
    for (int i = 0; i < 10_000; i++) {
      if (zipf.click(i).userId().equals("user-0")) {
        hot++;
      }
    }
    assertThat(hot).isGreaterThan(1_000); // user-0 gets ~19% under Zipf(1.1) over 100 keys
  }
}
