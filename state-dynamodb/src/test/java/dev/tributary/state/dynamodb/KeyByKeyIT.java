package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickTotal;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * A batch of few keys runs key by key, each key's event-time timers up to the batch's watermark
 * firing right after its last record, and commits in one epoch; one that does not fit runs in
 * order. Either way every window fires once, with every click of it, and a window fired key by key
 * is closed to other splits' records as one fired after all the records.
 */
class KeyByKeyIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static final String SRC = ClickWindowSums.SOURCE;

  /** {@code users} users clicking every {@code every} ms from 0 until {@code until}. */
  private static List<Click> clicks(int users, long every, long until) {
    List<Click> out = new ArrayList<>();
    for (long t = 0; t < until; t += every) {
      for (int u = 0; u < users; u++) {
        out.add(new Click("u" + u, "p" + t, t + u));
      }
    }
    return out;
  }

  /** Clicks per "user@windowStart" in 1 s windows. */
  static Map<String, Long> expected(List<Click> clicks) {
    Map<String, Long> out = new TreeMap<>();
    for (Click c : clicks) {
      out.merge(c.userId() + "@" + (c.timestamp() / 1000 * 1000), 1L, Long::sum);
    }
    return out;
  }

  /** The committed window totals, checking that each window was emitted once. */
  static Map<String, Long> totals(Harness h) {
    Map<String, Long> out = new TreeMap<>();
    for (ClickTotal t : h.<ClickTotal>outbox(ClickWindowSums.SINK)) {
      assertThat(out.put(t.userId() + "@" + t.windowStart(), t.clicks()))
          .as("window %s@%d emitted once", t.userId(), t.windowStart())
          .isNull();
    }
    return out;
  }

  @Test
  void aBatchOfFewKeysCommitsOnceAndWritesNothingForTheWindowsItOpensAndFires() {
    try (Harness h = Harness.on(local, new ClickWindowSums())) {
      List<Click> clicks = clicks(5, 100, 4_000);
      // the watermark after the batch fires [0, 1000), [1000, 2000) and [2000, 3000)
      RunReport r = h.runner().run(new Batch("a", 0, 1, h.keyed(SRC, clicks, 0), 2_999, 0));
      assertThat(r.epochs()).as("one epoch").isEqualTo(1);
      assertThat(r.keyByKeyMisses()).isZero();
      assertThat(r.timersFired()).isEqualTo(15);
      assertThat(r.epochCosts().get(0).actions())
          .as(
              "the 5 users' items and their open windows' timers, the outbox page, the timer item,"
                  + " the layout item (the slot count's first) and the checkpoint: nothing of the"
                  + " 15 windows that opened and fired")
          .isEqualTo(5 + 5 + 4);
      assertThat(totals(h)).hasSize(15);
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      assertThat(totals(h)).isEqualTo(expected(clicks));
    }
  }

  /** 30 keys, each registering an event-time timer at {@code at}. */
  private static List<OpsJobs.Op> timers(long at) {
    List<OpsJobs.Op> ops = new ArrayList<>();
    for (int k = 0; k < 30; k++) {
      ops.add(new OpsJobs.Op("k" + k, "timer", at));
    }
    return ops;
  }

  /**
   * Two keyed operators over 30 keys: a timer earlier than each key's first moves its index item (a
   * delete and a put) besides both operators' key items, 120 actions: the try key by key does not
   * fit, and the batch runs in order; the split's next batches on that runner run in order from the
   * start, not trying again.
   */
  @Test
  void aBatchOfFewKeysThatDoesNotFitOneEpochRunsInOrderAndSoDoTheSplitsNext() {
    try (Harness h = Harness.on(local, new TimersBehindTheWatermarkChaosIT.TwoOps())) {
      KeyedStageRunner runner = h.runner();
      RunReport first =
          runner.run(h.batches("a", 1, h.keyed("ops", timers(5_000), 0), 1_000, 0).get(0));
      assertThat(first.keyByKeyMisses()).as("90 actions and the fixed ones fit").isZero();
      assertThat(first.epochs()).isEqualTo(1);
      RunReport second =
          runner.run(h.batches("a", 1, h.keyed("ops", timers(3_000), 30), 1_500, 0).get(0));
      assertThat(second.keyByKeyMisses()).isEqualTo(1);
      assertThat(second.epochs()).as("cut in order into several epochs").isGreaterThan(1);
      RunReport third =
          runner.run(h.batches("a", 1, h.keyed("ops", timers(2_000), 60), 1_600, 0).get(0));
      assertThat(third.keyByKeyMisses()).as("not tried again").isZero();
      assertThat(third.epochs()).isGreaterThan(1);
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      List<String> fired = h.outboxText("out");
      assertThat(fired).hasSize(90);
      for (int k = 0; k < 30; k++) {
        assertThat(fired).contains("k" + k + "@2000=3", "k" + k + "@3000=3", "k" + k + "@5000=3");
      }
    }
  }

  @Test
  void aWindowFiredKeyByKeyIsClosedToAnotherSplitsRecord() {
    try (Harness h = Harness.on(local, new ClickWindowSums())) {
      List<Click> clicks = clicks(3, 100, 2_000);
      RunReport r = h.runner().run(new Batch("a", 0, 1, h.keyed(SRC, clicks, 0), 1_999, 0));
      assertThat(r.epochs()).isEqualTo(1);
      // split b is behind: its click for u0's fired window [0, 1000) comes late
      Click late = new Click("u0", "b", 500);
      h.runAll(h.batches("b", 1, h.keyed(SRC, List.of(late), 0), Long.MIN_VALUE, 0));
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      assertThat(totals(h)).isEqualTo(expected(clicks));
      assertThat(h.<Click>outbox(ClickWindowSums.LATE_SINK)).containsExactly(late);
    }
  }

  /**
   * Split b commits a click of u0's first window after a ran its batch key by key (u0's window
   * fired in memory) and before a commits: a's commit fails on u0's item, a runs again from what is
   * committed, and the window fires once, with b's click.
   */
  @Test
  void aConcurrentSplitsClickBeforeTheCommitIsCountedInTheWindowFiredOnce() {
    try (Harness h = Harness.on(local, new ClickWindowSums())) {
      List<Click> clicks = clicks(3, 100, 2_000);
      Click other = new Click("u0", "b", 500);
      RunReport r =
          h.runWithOtherBefore(
              new Batch("a", 0, 1, h.keyed(SRC, clicks, 0), 1_999, 0),
              q -> q instanceof TransactWriteItemsRequest,
              1,
              () ->
                  h.runAll(h.batches("b", 1, h.keyed(SRC, List.of(other), 0), Long.MIN_VALUE, 0)));
      assertThat(r.conflicts()).as("a lost u0's item to b").isPositive();
      h.runAll(List.of(Batch.tick(0, 1, Long.MAX_VALUE, 0)));
      List<Click> all = new ArrayList<>(clicks);
      all.add(other);
      assertThat(totals(h)).isEqualTo(expected(all));
      assertThat(h.<Click>outbox(ClickWindowSums.LATE_SINK)).isEmpty();
    }
  }
}
