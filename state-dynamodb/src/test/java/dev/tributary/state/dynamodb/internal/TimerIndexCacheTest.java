package dev.tributary.state.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The timer index cache answers only for the version it was read or committed at. */
class TimerIndexCacheTest {
  private static final TimerIndexCache.SlotKey SLOT =
      new TimerIndexCache.SlotKey("state", "op", 4, 1, 77);

  private final TimerIndexCache cache = new TimerIndexCache(8, 1_000);

  private static String sk(long time, String key) {
    return Layout.timerSk(true, time, key.getBytes(), null);
  }

  @Test
  void aCompleteReadAnswersAnyBoundAtItsVersionOnly() {
    cache.read(SLOT, 5, 1, 3, true, List.of(sk(100, "a"), sk(200, "b")), true);
    assertThat(cache.due(SLOT, 5, 1, 3, true, 150))
        .isEqualTo(new TimerIndexCache.Due(List.of(sk(100, "a")), 200));
    assertThat(cache.due(SLOT, 5, 1, 3, true, 500))
        .isEqualTo(new TimerIndexCache.Due(List.of(sk(100, "a"), sk(200, "b")), Long.MAX_VALUE));
    assertThat(cache.due(SLOT, 6, 1, 3, true, 150)).as("another version").isNull();
    assertThat(cache.due(SLOT, 5, 2, 3, true, 150)).as("another generation").isNull();
    assertThat(cache.due(SLOT, 5, 1, 4, true, 150)).as("a key group not read").isNull();
    assertThat(cache.due(SLOT, 5, 1, 3, false, 150)).as("the other time domain").isNull();
    assertThat(cache.due(new TimerIndexCache.SlotKey("state", "op", 4, 1, 78), 5, 1, 3, true, 150))
        .as("another incarnation of the timer item (a table made again)")
        .isNull();
  }

  @Test
  void aPartialReadAnswersOnlyBoundsBeforeItsLastItem() {
    cache.read(SLOT, 5, 1, 3, true, List.of(sk(100, "a"), sk(200, "b")), false);
    assertThat(cache.due(SLOT, 5, 1, 3, true, 150))
        .isEqualTo(new TimerIndexCache.Due(List.of(sk(100, "a")), 200));
    assertThat(cache.due(SLOT, 5, 1, 3, true, 200)).as("what follows b is unknown").isNull();
  }

  @Test
  void aCommitAppliesItsChangesToTheVersionItStartedFrom() {
    cache.read(SLOT, 5, 1, 3, true, List.of(sk(100, "a"), sk(300, "c")), false);
    cache.committed(
        SLOT,
        5,
        1,
        6,
        List.of(
            new TimerIndexCache.Change(3, true, sk(100, "a"), false),
            new TimerIndexCache.Change(3, true, sk(200, "b"), true),
            new TimerIndexCache.Change(3, true, sk(400, "d"), true), // behind what was read
            new TimerIndexCache.Change(7, true, sk(100, "x"), true))); // a key group not read
    assertThat(cache.due(SLOT, 5, 1, 3, true, 250)).isNull();
    assertThat(cache.due(SLOT, 6, 1, 3, true, 250))
        .isEqualTo(new TimerIndexCache.Due(List.of(sk(200, "b")), 300));
    assertThat(cache.due(SLOT, 6, 1, 3, true, 300)).isNull();
    assertThat(cache.due(SLOT, 6, 1, 7, true, 250)).isNull();
  }

  @Test
  void theCommitThatCreatesTheTimerItemKnowsEveryKeyGroupOfTheSlot() {
    cache.read(SLOT, 3, 1, 5, true, List.of(sk(50, "old")), true); // an entry of another version
    cache.created(
        SLOT,
        1,
        1,
        4,
        7,
        List.of(
            new TimerIndexCache.Change(5, true, sk(100, "a"), true),
            new TimerIndexCache.Change(
                6, false, Layout.timerSk(false, 300, "b".getBytes(), null), true)));
    assertThat(cache.due(SLOT, 1, 1, 5, true, 150))
        .isEqualTo(new TimerIndexCache.Due(List.of(sk(100, "a")), Long.MAX_VALUE));
    assertThat(cache.due(SLOT, 1, 1, 6, false, 150))
        .isEqualTo(new TimerIndexCache.Due(List.of(), 300));
    for (int keyGroup : new int[] {4, 7}) {
      for (boolean eventTime : new boolean[] {true, false}) {
        assertThat(cache.due(SLOT, 1, 1, keyGroup, eventTime, Long.MAX_VALUE))
            .as("an empty key group of the slot, key group %s", keyGroup)
            .isEqualTo(new TimerIndexCache.Due(List.of(), Long.MAX_VALUE));
      }
    }
    assertThat(cache.due(SLOT, 1, 1, 8, true, 150)).as("not the slot's key group").isNull();
    assertThat(cache.due(SLOT, 3, 1, 5, true, 150)).as("the other version is gone").isNull();
    // later commits of this process follow from it
    cache.committed(
        SLOT, 1, 1, 2, List.of(new TimerIndexCache.Change(5, true, sk(100, "a"), false)));
    assertThat(cache.due(SLOT, 2, 1, 5, true, 150))
        .isEqualTo(new TimerIndexCache.Due(List.of(), Long.MAX_VALUE));
    assertThatThrownBy(
            () ->
                cache.created(
                    SLOT,
                    1,
                    1,
                    4,
                    7,
                    List.of(new TimerIndexCache.Change(9, true, sk(1, "x"), true))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key group 9 outside the slot's key groups 4 to 7");
  }

  @Test
  void aGuessReadsTheNewestEntryOfTheSlotOfAnyIncarnationUpToItsLimit() {
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 1_000, 1_000, 10)).isEmpty();
    cache.read(SLOT, 5, 1, 3, true, List.of(sk(100, "a"), sk(200, "b"), sk(900, "c")), true);
    cache.read(
        SLOT, 5, 1, 3, false, List.of(Layout.timerSk(false, 50, "p".getBytes(), null)), true);
    cache.read(SLOT, 5, 1, 9, true, List.of(sk(10, "outside")), true);
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 250, 60, 10))
        .containsExactly(
            sk(100, "a"), sk(200, "b"), Layout.timerSk(false, 50, "p".getBytes(), null));
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 250, 0, 10))
        .as("processing time up to 0")
        .containsExactly(sk(100, "a"), sk(200, "b"));
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 250, 60, 2))
        .as("more due than the limit: no guess")
        .isEmpty();
    assertThat(cache.guessDue("state", "op", 4, 2, 0, 7, 250, 60, 10)).as("another slot").isEmpty();
    assertThat(cache.guessDue("state", "op", 8, 1, 0, 7, 250, 60, 10))
        .as("another slot count")
        .isEmpty();
    // another incarnation with a newer version wins
    TimerIndexCache.SlotKey again = new TimerIndexCache.SlotKey("state", "op", 4, 1, 78);
    cache.read(again, 9, 1, 3, true, List.of(sk(120, "d")), true);
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 250, 60, 10))
        .containsExactly(sk(120, "d"));
  }

  @Test
  void aTimerItemReadPastAnEntryDropsItSoThatItFeedsNoMoreGuesses() {
    cache.read(SLOT, 5, 1, 3, true, List.of(sk(100, "a")), true);
    cache.seen("state", "op", 4, 1, SLOT, 5, 1);
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 250, 0, 10))
        .as("read at its version: kept")
        .containsExactly(sk(100, "a"));
    cache.seen("state", "op", 4, 1, SLOT, 4, 1);
    assertThat(cache.due(SLOT, 5, 1, 3, true, 150))
        .as("a read older than the entry (this process committed since): kept")
        .isNotNull();
    cache.seen("state", "op", 4, 2, null, 0, 0);
    assertThat(cache.due(SLOT, 5, 1, 3, true, 150)).as("another slot: kept").isNotNull();
    cache.seen("state", "op", 4, 1, SLOT, 6, 1);
    assertThat(cache.guessDue("state", "op", 4, 1, 0, 7, 250, 0, 10))
        .as("another writer moved the item past it: dropped")
        .isEmpty();
    cache.read(SLOT, 6, 1, 3, true, List.of(sk(100, "a")), true);
    cache.seen("state", "op", 4, 1, new TimerIndexCache.SlotKey("state", "op", 4, 1, 78), 1, 1);
    assertThat(cache.due(SLOT, 6, 1, 3, true, 150)).as("another incarnation read").isNull();
    cache.read(SLOT, 6, 1, 3, true, List.of(sk(100, "a")), true);
    cache.seen("state", "op", 4, 1, null, 0, 0);
    assertThat(cache.due(SLOT, 6, 1, 3, true, 150)).as("an item not trusted").isNull();
  }

  @Test
  void anotherWritersCommitLeavesTheCacheBehind() {
    cache.read(SLOT, 5, 1, 3, true, List.of(sk(100, "a")), true);
    // a commit from version 6 (someone else went 5 -> 6): the entry at 5 is dropped
    cache.committed(SLOT, 6, 1, 7, List.of());
    assertThat(cache.due(SLOT, 5, 1, 3, true, 150)).isNull();
    assertThat(cache.due(SLOT, 7, 1, 3, true, 150)).isNull();
    // a read under an older version than the entry's is stale and not kept
    cache.read(SLOT, 8, 1, 3, true, List.of(), true);
    cache.read(SLOT, 7, 1, 3, true, List.of(sk(100, "a")), true);
    assertThat(cache.due(SLOT, 8, 1, 3, true, 150))
        .isEqualTo(new TimerIndexCache.Due(List.of(), Long.MAX_VALUE));
  }

  @Test
  void slotsPastTheLimitsAreDropped() {
    TimerIndexCache small = new TimerIndexCache(2, 2);
    TimerIndexCache.SlotKey other = new TimerIndexCache.SlotKey("state", "op", 4, 3, 77);
    small.read(other, 1, 1, 0, true, List.of(sk(1, "a")), true);
    small.read(SLOT, 1, 1, 0, true, List.of(sk(1, "a"), sk(2, "b"), sk(3, "c")), true);
    assertThat(small.due(SLOT, 1, 1, 0, true, 5)).as("more items than the cache keeps").isNull();
    assertThat(small.due(other, 1, 1, 0, true, 5))
        .as("a slot too big alone does not push the others out")
        .isNotNull();
    for (int slot = 0; slot < 3; slot++) {
      small.read(
          new TimerIndexCache.SlotKey("state", "op", 4, slot, 77), 1, 1, 0, true, List.of(), true);
    }
    assertThat(small.due(new TimerIndexCache.SlotKey("state", "op", 4, 0, 77), 1, 1, 0, true, 5))
        .as("the least recently used slot")
        .isNull();
    assertThat(small.due(new TimerIndexCache.SlotKey("state", "op", 4, 2, 77), 1, 1, 0, true, 5))
        .isNotNull();
  }
}
