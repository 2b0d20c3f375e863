package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.examples.clicks.ClickWindowSums;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClickWorkloadTest {
  private final ClickWorkload workload = new ClickWorkload(10, 2, 0, 1, 0);

  @Test
  void lateClicksAreAddedToTheirWindowsTotalsOrMadeTotalsOfTheirOwn() {
    Map<String, List<String>> committed =
        Map.of(
            ClickWindowSums.SINK,
            List.of(
                "{\"userId\":\"ann\",\"windowStart\":1000,\"windowEnd\":2000,\"clicks\":2}",
                "{\"userId\":\"bob\",\"windowStart\":1000,\"windowEnd\":2000,\"clicks\":1}"),
            ClickWindowSums.LATE_SINK,
            List.of(
                "{\"userId\":\"ann\",\"page\":\"/a\",\"timestamp\":1999}",
                "{\"userId\":\"ann\",\"page\":\"/b\",\"timestamp\":1000}",
                "{\"userId\":\"bob\",\"page\":\"/c\",\"timestamp\":999}"));
    Map<String, List<String>> compared = workload.compared(committed);
    assertThat(compared).containsOnlyKeys(ClickWindowSums.SINK);
    assertThat(compared.get(ClickWindowSums.SINK))
        .containsExactlyInAnyOrder(
            "{\"userId\":\"ann\",\"windowStart\":1000,\"windowEnd\":2000,\"clicks\":4}",
            "{\"userId\":\"bob\",\"windowStart\":1000,\"windowEnd\":2000,\"clicks\":1}",
            "{\"userId\":\"bob\",\"windowStart\":0,\"windowEnd\":1000,\"clicks\":1}");
  }

  @Test
  void aTotalCommittedTwiceStaysTwiceAndWithoutLateClicksNothingChanges() {
    String total = "{\"userId\":\"ann\",\"windowStart\":0,\"windowEnd\":1000,\"clicks\":1}";
    Map<String, List<String>> twice = Map.of(ClickWindowSums.SINK, List.of(total, total));
    assertThat(workload.compared(twice)).isEqualTo(twice);
    Map<String, List<String>> withLate =
        Map.of(
            ClickWindowSums.SINK,
            List.of(total, total),
            ClickWindowSums.LATE_SINK,
            List.of("{\"userId\":\"ann\",\"page\":\"/a\",\"timestamp\":5}"));
    assertThat(workload.compared(withLate).get(ClickWindowSums.SINK))
        .containsExactlyInAnyOrder(
            "{\"userId\":\"ann\",\"windowStart\":0,\"windowEnd\":1000,\"clicks\":2}", total);
  }
}
