package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.examples.clicks.Click;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import dev.tributary.state.dynamodb.internal.Codec;
import dev.tributary.state.dynamodb.internal.Layout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A key's timers are indexed by one item per time domain, kept at its earliest timer
 * (docs/protocol.md, "The timer index"): registering a later timer writes no index item, firing
 * several of a key's timers in one epoch moves its item once. Keys stored with an index item per
 * timer (before key items existed) keep that layout until their timers are gone, and both kinds
 * fire alike. After every run the table is checked against what each key item lists.
 */
class KeyTimerIndexIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static final String SRC = ClickWindowSums.SOURCE;

  /** Every timer index item of the state table, by sort key. */
  static TreeSet<String> indexItems(Harness h) {
    TreeSet<String> out = new TreeSet<>();
    for (Map<String, AttributeValue> item : scan(h)) {
      if (item.get("pk").s().startsWith("T#")) {
        out.add(item.get("sk").s());
      }
    }
    return out;
  }

  private static List<Map<String, AttributeValue>> scan(Harness h) {
    return h.scanAll(h.tables.state());
  }

  /** One stored timer as its key item lists it: domain, time, namespace bytes (null: none). */
  private record Listed(boolean eventTime, long time, byte[] namespace) {}

  /** Reads a key item's timers ({@code t}, the format of {@code Codec.timers}). */
  private static List<Listed> listed(byte[] bytes) {
    List<Listed> out = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int n = varint(in);
    for (int i = 0; i < n; i++) {
      int flags = in.get();
      long time = in.getLong();
      byte[] ns = null;
      if ((flags & 2) != 0) {
        ns = new byte[varint(in)];
        in.get(ns);
      }
      out.add(new Listed((flags & 1) == 0, time, ns));
    }
    return out;
  }

  private static int varint(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in.get();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  private static byte[] keyBytes(String pk) {
    return Codec.unb64(pk.substring(pk.lastIndexOf('#') + 1));
  }

  /**
   * The index items the key items stand for: for a key marked {@code ix}, one per domain at its
   * earliest timer; for any other key with timers, one per timer.
   */
  static TreeSet<String> indexFromKeys(Harness h) {
    TreeSet<String> out = new TreeSet<>();
    for (Map<String, AttributeValue> item : scan(h)) {
      if (!item.get("pk").s().startsWith("K#")
          || !item.get("sk").s().equals(Layout.MAIN)
          || !item.containsKey("t")) {
        continue;
      }
      byte[] key = keyBytes(item.get("pk").s());
      List<Listed> timers = listed(item.get("t").b().asByteArray());
      if (item.containsKey("ix")) {
        for (boolean eventTime : new boolean[] {true, false}) {
          timers.stream()
              .filter(t -> t.eventTime() == eventTime)
              .mapToLong(Listed::time)
              .min()
              .ifPresent(t -> out.add(Layout.keyTimerSk(eventTime, t, key)));
        }
      } else {
        timers.forEach(t -> out.add(Layout.timerSk(t.eventTime(), t.time(), key, t.namespace())));
      }
    }
    return out;
  }

  /** The index holds exactly the items the key items stand for. */
  static void assertIndexMatchesKeys(Harness h) {
    assertThat(indexItems(h)).as("the timer index").isEqualTo(indexFromKeys(h));
  }

  /**
   * Rewrites the table as a writer before key items existed left it: no {@code ix}, an index item
   * per timer. The process's cache of the timer index is cleared: the rewrite does not move the
   * slots' timer item versions, which a real legacy table's writers did.
   */
  static void toItemPerTimer(Harness h) {
    dev.tributary.state.dynamodb.internal.TimerIndexCache.SHARED.clear();
    for (Map<String, AttributeValue> item : scan(h)) {
      String pk = item.get("pk").s();
      if (pk.startsWith("T#") && Layout.isKeyTimerSk(item.get("sk").s())) {
        h.client.deleteItem(
            b ->
                b.tableName(h.tables.state())
                    .key(Map.of("pk", item.get("pk"), "sk", item.get("sk"))));
      } else if (pk.startsWith("K#") && item.containsKey("ix")) {
        Map<String, AttributeValue> old = new HashMap<>(item);
        old.remove("ix");
        h.client.putItem(b -> b.tableName(h.tables.state()).item(old));
        String timerPk = "T#" + pk.substring(2, pk.lastIndexOf('#'));
        for (Listed t : listed(item.get("t").b().asByteArray())) {
          h.putKeyOnly(
              timerPk, Layout.timerSk(t.eventTime(), t.time(), keyBytes(pk), t.namespace()));
        }
      }
    }
  }

  private static List<String> outputs(Harness h) {
    return h.outboxText("out");
  }

  @Test
  void aKeysLaterTimersWriteNoIndexItemAndFiringSeveralMovesItOnce() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Op> ops = new ArrayList<>();
      for (long t = 100; t <= 500; t += 100) {
        ops.add(new Op("k", "timer", t));
      }
      RunReport first =
          h.runner().run(h.batches("a", 1, h.keyed("ops", ops, 0), Long.MIN_VALUE, 0).get(0));
      assertThat(first.epochCosts()).hasSize(1);
      assertThat(first.epochCosts().get(0).actions())
          .as("k's item, one index item, the timer item, the layout item and the checkpoint")
          .isEqualTo(5);
      assertThat(indexItems(h)).containsExactly(Layout.keyTimerSk(true, 100, h.keyBytes("k")));
      assertIndexMatchesKeys(h);

      RunReport tick = h.runner().run(Batch.tick(0, 1, 250, 0));
      assertThat(tick.timersFired()).isEqualTo(2);
      assertThat(outputs(h)).containsExactly("k@100=5", "k@200=5");
      assertThat(tick.epochCosts().get(0).actions())
          .as(
              "k's item, its index item moved (a delete and a put), the outbox page, the timer"
                  + " item and the checkpoint")
          .isEqualTo(6);
      assertThat(indexItems(h)).containsExactly(Layout.keyTimerSk(true, 300, h.keyBytes("k")));
      assertIndexMatchesKeys(h);

      h.runner().run(Batch.tick(0, 1, Long.MAX_VALUE, 0));
      assertThat(outputs(h)).containsExactly("k@100=5", "k@200=5", "k@300=5", "k@400=5", "k@500=5");
      assertThat(indexItems(h)).isEmpty();
    }
  }

  /**
   * A key's item that is not at its earliest timer (a torn read's leftover, or a writer that broke
   * the rules), and one of a key that has no item, fire nothing and are deleted.
   */
  @Test
  void strayKeyItemsFireNothingAndAreDeleted() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Op> ops = List.of(new Op("k", "timer", 100), new Op("k", "timer", 300));
      h.runAll(h.batches("a", 1, h.keyed("ops", ops, 0), Long.MIN_VALUE, 0));
      String pk = "T#ops#" + h.keyGroup("k");
      String ghostPk = "T#ops#" + h.keyGroup("ghost");
      for (String[] stray :
          new String[][] {
            {pk, Layout.keyTimerSk(true, 50, h.keyBytes("k"))},
            {pk, Layout.keyTimerSk(true, 200, h.keyBytes("k"))},
            {ghostPk, Layout.keyTimerSk(true, 60, h.keyBytes("ghost"))}
          }) {
        h.putKeyOnly(stray[0], stray[1]);
      }
      RunReport tick = h.runner().run(Batch.tick(0, 1, 250, 0));
      assertThat(tick.timersFired()).isEqualTo(1);
      assertThat(outputs(h)).containsExactly("k@100=2");
      assertThat(indexItems(h)).containsExactly(Layout.keyTimerSk(true, 300, h.keyBytes("k")));
      assertIndexMatchesKeys(h);
      h.runner().run(Batch.tick(0, 1, Long.MAX_VALUE, 0));
      assertThat(outputs(h)).containsExactly("k@100=2", "k@300=2");
      assertThat(indexItems(h)).isEmpty();
    }
  }

  /**
   * The commit that creates a slot's timer item knows the slot's whole index only where nothing can
   * be stored yet: after a slot-count change, the key groups of a new slot hold the timers the old
   * count stored (the new slot's timer item is first written as a placeholder, so no commit creates
   * it from nothing), and the firing must still read them.
   */
  @Test
  void aSlotsFirstTimerItemAfterASlotCountChangeStillReadsTheOldCountsTimers() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      String b = "b";
      for (int i = 0; h.slotOf("a", 2) != h.slotOf(b, 2); i++) {
        b = "b" + i; // a key of the same slot as a under 2 slots
      }
      h.runAll(h.batches("s", 1, h.keyed("ops", List.of(new Op("a", "timer", 500)), 0), 0, 0));
      h.runAll(h.batches("s", 2, h.keyed("ops", List.of(new Op(b, "timer", 600)), 1), 0, 0));
      for (int slot = 0; slot < 2; slot++) {
        h.runner().run(Batch.tick(slot, 2, 1_000, 0));
      }
      assertThat(outputs(h)).containsExactlyInAnyOrder("a@500=1", b + "@600=1");
      assertIndexMatchesKeys(h);
    }
  }

  /**
   * Keys whose windows were stored with an index item per timer fire as before, keep that layout
   * while they hold timers (new windows too), and are indexed by key once their timers are gone.
   */
  @Test
  void keysIndexedPerTimerFireAndTurnToAKeyItemWhenTheirTimersAreGone() {
    try (Harness h = Harness.on(local, new ClickWindowSums())) {
      List<Click> clicks = new ArrayList<>();
      for (long t = 0; t < 6_000; t += 250) {
        for (int u = 0; u < 4; u++) {
          clicks.add(new Click("u" + u, "p" + t, t + u));
        }
      }
      List<Click> early = clicks.stream().filter(c -> c.timestamp() < 3_000).toList();
      List<Click> late = clicks.stream().filter(c -> c.timestamp() >= 3_000).toList();
      h.runAll(h.batches("a", 2, h.keyed(SRC, early, 0), 999, 0));
      toItemPerTimer(h);
      assertThat(indexItems(h))
          .as("one item per open window")
          .hasSize(8)
          .noneMatch(Layout::isKeyTimerSk);
      assertIndexMatchesKeys(h);

      // the windows [3000, 4000) and on open while [1000, 2000) and [2000, 3000) are still open
      h.runAll(h.batches("a", 2, h.keyed(SRC, late.subList(0, 16), 1_000), 1_999, 0));
      assertThat(indexItems(h)).as("still one item per timer").noneMatch(Layout::isKeyTimerSk);
      assertIndexMatchesKeys(h);

      h.runAll(h.batches("a", 2, h.keyed(SRC, late.subList(16, late.size()), 2_000), 5_999, 0));
      assertIndexMatchesKeys(h);
      h.runAll(List.of(Batch.tick(0, 2, Long.MAX_VALUE, 0), Batch.tick(1, 2, Long.MAX_VALUE, 0)));
      assertThat(KeyByKeyIT.totals(h)).isEqualTo(KeyByKeyIT.expected(clicks));
      assertThat(indexItems(h)).isEmpty();

      // the same keys' next windows are indexed by key
      List<Click> next = List.of(new Click("u0", "n", 10_000), new Click("u0", "n", 11_000));
      h.runAll(h.batches("a", 2, h.keyed(SRC, next, 3_000), 9_999, 0));
      assertThat(indexItems(h)).hasSize(1).allMatch(Layout::isKeyTimerSk);
      assertIndexMatchesKeys(h);
    }
  }
}
