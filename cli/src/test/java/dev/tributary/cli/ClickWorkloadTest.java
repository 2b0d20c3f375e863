package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.examples.clicks.ClickWindowSums;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClickWorkloadTest {
  private final ClickWorkload workload = new ClickWorkload(10, 2, 0, 1, 0);

  /**
   * A resumed run produces what the stream does not hold, in order; the stream may hold any subset
   * (a write cut short), and an event it holds once covers one of two equal events only.
   */
  @Test
  void aResumedRunProducesOnlyTheEventsTheStreamDoesNotHold() {
    List<Workload.Event> all = new java.util.ArrayList<>();
    workload.events().forEachRemaining(all::add);
    all.add(all.get(4)); // the same click twice
    List<Workload.Event> stored = new java.util.ArrayList<>();
    for (int i = 0; i < all.size(); i += 3) { // 0, 3, 6, 9: not a prefix
      stored.add(new Workload.Event(all.get(i).key(), all.get(i).payload().clone())); // equal bytes
    }
    stored.add(all.get(4));

    List<Workload.Event> rest = Workload.notIn(all.iterator(), stored);

    assertThat(rest)
        .containsExactly(all.get(1), all.get(2), all.get(5), all.get(7), all.get(8), all.get(10));
  }

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
