package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitWatermarksTest {
  private static final Duration IDLE = Duration.ofSeconds(30);

  @Test
  void theGlobalWatermarkIsTheMinimumOverActiveSplits() {
    Map<String, SplitWatermarks.Split> splits =
        Map.of(
            "a", new SplitWatermarks.Split(100, 1_000),
            "b", new SplitWatermarks.Split(50, 1_000),
            "idle", new SplitWatermarks.Split(10, -100_000));
    assertThat(SplitWatermarks.global(splits, null, null, 5_000, IDLE)).isEqualTo(50);
  }

  @Test
  void aBatchCountsItsOwnSplitAtItsNewWatermarkButNeverBackwards() {
    Map<String, SplitWatermarks.Split> splits =
        Map.of(
            "a", new SplitWatermarks.Split(100, 1_000), "b", new SplitWatermarks.Split(80, 1_000));
    assertThat(SplitWatermarks.global(splits, "b", 120L, 2_000, IDLE)).isEqualTo(100);
    assertThat(SplitWatermarks.global(splits, "b", 10L, 2_000, IDLE)).isEqualTo(80);
    assertThat(SplitWatermarks.global(Map.of(), "new", 7L, 0, IDLE)).isEqualTo(7);
  }

  @Test
  void whenEverySplitIsIdleTheWatermarkFollowsProcessingTime() {
    Map<String, SplitWatermarks.Split> splits =
        Map.of("a", new SplitWatermarks.Split(1_000, 0), "b", new SplitWatermarks.Split(400, 0));
    // 30 s of idleness pass, then 5 s more: the latest split's watermark moves 5 s
    assertThat(SplitWatermarks.global(splits, null, null, 35_000, IDLE)).isEqualTo(6_000);
    assertThat(SplitWatermarks.global(Map.of(), null, null, 35_000, IDLE))
        .isEqualTo(Long.MIN_VALUE);
  }
}
