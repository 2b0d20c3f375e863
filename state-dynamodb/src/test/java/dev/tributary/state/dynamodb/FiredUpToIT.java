package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickTotal;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * A commit that contains fired event-time timers must store a fired-up-to (fe) at least as late as
 * the timers it fired: otherwise another split reading fe in between judges a record of a window
 * that already fired as on time, opens that window again, and it fires twice (possible whenever a
 * split carries records behind another split's watermark, e.g. a parallelization factor above 1).
 */
class FiredUpToIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static void assertEachWindowOnce(Harness h) {
    List<ClickTotal> totals = h.outbox(ClickWindowSums.SINK);
    Set<String> seen = new HashSet<>();
    for (ClickTotal t : totals) {
      assertThat(seen.add(t.userId() + "@" + t.windowStart()))
          .as(
              "window %s@%d emitted once: %s",
              t.userId(),
              t.windowStart(),
              totals.stream().filter(o -> o.userId().equals(t.userId())).toList())
          .isTrue();
    }
  }

  /**
   * a's batch fires u's window before its records (input watermark 2,000) and commits its first
   * epoch among the records: that commit holds the firing but keeps fe at what a read. b, between
   * a's first and second commit, reads that fe, finds u's window cleared, and takes its click at
   * 500 as on time: u's window [0, 1000) fires a second time.
   */
  @Test
  void aFiringBeforeTheRecordsMovesFiredUpToInTheEpochThatCommitsIt() {
    try (Harness h = Harness.on(local, new ClickWindowSums())) {
      String src = ClickWindowSums.SOURCE;
      h.runAll(
          h.batches(
              "a", 1, h.keyed(src, List.of(new Click("u", "a0", 100)), 0), Long.MIN_VALUE, 0));
      List<Click> many = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        many.add(new Click("x" + i, "a" + (i + 1), 2_500));
      }
      Batch a1 = new Batch("a", 0, 1, h.keyed(src, many, 1), 2_000, 0, 2_000);
      int[] ran = {0};
      h.runWithOtherBefore(
          a1,
          r -> r instanceof TransactWriteItemsRequest,
          2,
          () -> {
            ran[0]++;
            assertThat(h.outboxText(ClickWindowSums.SINK))
                .as("a's first commit fired u's window")
                .anyMatch(t -> t.contains("\"userId\":\"u\""));
            h.runAll(
                h.batches(
                    "b",
                    1,
                    h.keyed(src, List.of(new Click("u", "b0", 500)), 0),
                    Long.MIN_VALUE,
                    0));
          });
      assertThat(ran[0]).isEqualTo(1);
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      assertEachWindowOnce(h);
    }
  }

  /**
   * A tick fires 100 windows that all end at 999 in epochs of about 44 firings; its first commit
   * stores fe = 998 (one before the next pending timer) although it fired windows at 999. b reads
   * fe 998, finds a fired user's window cleared and takes its click at 500 as on time: that window
   * fires a second time.
   */
  @Test
  void aFiringCutIntoSeveralEpochsDoesNotLeaveFiredWindowsOpenToRecords() {
    try (Harness h = Harness.on(local, new ClickWindowSums())) {
      String src = ClickWindowSums.SOURCE;
      List<Click> users = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        users.add(new Click("y" + i, "a" + i, 100));
      }
      h.runAll(h.batches("a", 1, h.keyed(src, users, 0), Long.MIN_VALUE, 0));
      int[] ran = {0};
      h.runWithOtherBefore(
          Batch.tick(0, 1, 5_000, 0),
          r -> r instanceof TransactWriteItemsRequest,
          2,
          () -> {
            ran[0]++;
            List<ClickTotal> fired = h.outbox(ClickWindowSums.SINK);
            assertThat(fired).as("the tick's first epoch fired some windows").isNotEmpty();
            String user = fired.get(0).userId();
            h.runAll(
                h.batches(
                    "b",
                    1,
                    h.keyed(src, List.of(new Click(user, "b0", 500)), 0),
                    Long.MIN_VALUE,
                    0));
          });
      assertThat(ran[0]).isEqualTo(1);
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      assertEachWindowOnce(h);
    }
  }

  /**
   * The same in processing time: a tick at clock 150 fires 100 windows [0, 100) (timers at 99) in
   * epochs of about 44 firings; its first commit stores fp = 98 although it fired windows at 99. b,
   * whose batch clock (60) is behind, runs at fp = 98, puts a fired user's click into [0, 100)
   * again, and that window fires a second time.
   */
  @Test
  void aProcessingTimeFiringCutIntoSeveralEpochsDoesNotLeaveFiredWindowsOpenToRecords() {
    try (Harness h = Harness.on(local, new TimerItemMergeIT.PtWindows())) {
      List<Click> users = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        users.add(new Click("y" + i, "a" + i, 0));
      }
      h.runAll(h.batches("a", 1, h.keyed("clicks", users, 0), Long.MIN_VALUE, 50));
      int[] ran = {0};
      h.runWithOtherBefore(
          Batch.tick(0, 1, Long.MIN_VALUE, 150),
          r -> r instanceof TransactWriteItemsRequest,
          2,
          () -> {
            ran[0]++;
            List<ClickTotal> fired = h.outbox("totals");
            assertThat(fired).as("the tick's first epoch fired some windows").isNotEmpty();
            String user = fired.get(0).userId();
            h.runAll(
                h.batches(
                    "b",
                    1,
                    h.keyed("clicks", List.of(new Click(user, "b0", 0)), 0),
                    Long.MIN_VALUE,
                    60));
          });
      assertThat(ran[0]).isEqualTo(1);
      h.runAll(List.of(Batch.tick(0, 1, Long.MIN_VALUE, 10_000)));
      List<ClickTotal> totals = h.outbox("totals");
      Set<String> seen = new HashSet<>();
      for (ClickTotal t : totals) {
        assertThat(seen.add(t.userId() + "@" + t.windowStart()))
            .as(
                "window %s@%d emitted once: %s",
                t.userId(),
                t.windowStart(),
                totals.stream().filter(o -> o.userId().equals(t.userId())).toList())
            .isTrue();
      }
    }
  }
}
