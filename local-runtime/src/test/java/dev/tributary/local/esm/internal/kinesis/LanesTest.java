package dev.tributary.local.esm.internal.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LanesTest {
  @Test
  void oneLaneHoldsEveryKey() {
    assertThat(Lanes.lane("anything", 1)).isZero();
  }

  @Test
  void aKeysLaneIsItsMd5HashModuloTheFactor() {
    // MD5 as an unsigned 128-bit integer, as Kinesis hashes partition keys
    assertThat(Lanes.lane("a", 3)).isEqualTo(1);
    assertThat(Lanes.lane("a", 10)).isEqualTo(7);
    assertThat(Lanes.lane("key-0", 7)).isEqualTo(4);
    assertThat(Lanes.lane("user-42", 3)).isZero();
    assertThat(Lanes.lane("user-42", 10)).isEqualTo(5);
  }

  @Test
  void keysSpreadOverEveryLaneAndStayInTheirs() {
    Map<Integer, Integer> perLane = new HashMap<>();
    for (int i = 0; i < 1_000; i++) {
      int lane = Lanes.lane("key-" + i, 10);
      assertThat(lane).isBetween(0, 9).isEqualTo(Lanes.lane("key-" + i, 10));
      perLane.merge(lane, 1, Integer::sum);
    }
    assertThat(perLane).hasSize(10);
    assertThat(perLane.values()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
  }

  @Test
  void aFactorBelowOneIsRefused() {
    assertThatThrownBy(() -> Lanes.lane("k", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ParallelizationFactor must be 1 to 10");
  }
}
