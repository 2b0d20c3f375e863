package dev.tributary.state.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.Timer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PersistentTimerQueueTest {
  private final Map<Object, Set<Timer>> stored = new HashMap<>();
  private final Set<Object> changed = new HashSet<>();
  private boolean full;
  private final PersistentTimerQueue queue =
      new PersistentTimerQueue(
          () -> full,
          new PersistentTimerQueue.KeyTimers() {
            @Override
            public Set<Timer> of(Object key) {
              return stored.computeIfAbsent(key, k -> new HashSet<>());
            }

            @Override
            public void changed(Object key) {
              changed.add(key);
            }
          });

  private static Timer timer(long t, String key) {
    return new Timer(t, key, StateNamespace.VOID);
  }

  @Test
  void aNewTimerIsPutOnceAndRecordedWithItsKey() {
    queue.add(timer(10, "a"));
    queue.add(timer(10, "a"));
    assertThat(queue.toPut()).containsExactly(timer(10, "a"));
    assertThat(stored.get("a")).containsExactly(timer(10, "a"));
    assertThat(changed).containsExactly("a");
  }

  @Test
  void registeringATimerTheKeyAlreadyStoresWritesNothing() {
    stored.put("a", new HashSet<>(Set.of(timer(10, "a"))));
    queue.add(timer(10, "a"));
    assertThat(queue.toPut()).isEmpty();
    assertThat(queue.pendingWrites()).isZero();
    assertThat(changed).isEmpty();
  }

  @Test
  void pollOfKeyFiresTheKeysEarliestStoredTimerUpToTheBoundLoadedOrNot() {
    stored.put("a", new HashSet<>(Set.of(timer(10, "a"), timer(7, "a"), timer(30, "a"))));
    stored.put("b", new HashSet<>(Set.of(timer(5, "b"))));
    queue.load(timer(10, "a")); // loaded from the index; 7 was not
    queue.load(timer(5, "b"));
    assertThat(queue.pollOfKey("a", 20)).isEqualTo(timer(7, "a"));
    assertThat(queue.pollOfKey("a", 20)).isEqualTo(timer(10, "a"));
    assertThat(queue.pollOfKey("a", 20)).as("30 is past the bound").isNull();
    assertThat(queue.toDelete()).containsExactlyInAnyOrder(timer(7, "a"), timer(10, "a"));
    assertThat(stored.get("a")).containsExactly(timer(30, "a"));
    assertThat(queue.firedInEpoch()).isEqualTo(2);
    assertThat(queue.peek())
        .as("b's timer waits in the heap; a's loaded one left it")
        .isEqualTo(timer(5, "b"));
    assertThat(queue.size()).isEqualTo(1);
  }

  @Test
  void firingAStoredTimerDeletesItsIndexItem() {
    stored.put("a", new HashSet<>(Set.of(timer(10, "a"))));
    queue.load(timer(10, "a"));
    assertThat(queue.poll()).isEqualTo(timer(10, "a"));
    assertThat(queue.toDelete()).containsExactly(timer(10, "a"));
    assertThat(stored.get("a")).isEmpty();
    assertThat(queue.firedInEpoch()).isEqualTo(1);
  }

  @Test
  void anIndexItemItsKeyDoesNotHoldNeverFiresAndIsDeleted() {
    stored.put("b", new HashSet<>(Set.of(timer(20, "b"))));
    queue.load(timer(10, "a")); // an index item without its entry in key a's item
    queue.load(timer(20, "b"));
    assertThat(queue.peek()).isEqualTo(timer(20, "b"));
    assertThat(queue.poll()).isEqualTo(timer(20, "b"));
    assertThat(queue.poll()).isNull();
    assertThat(queue.toDelete()).containsExactlyInAnyOrder(timer(10, "a"), timer(20, "b"));
    assertThat(queue.orphans()).isEqualTo(1);
    assertThat(queue.firedInEpoch()).isEqualTo(1);
  }

  @Test
  void aTimerAddedAndFiredInOneEpochWritesNothing() {
    queue.add(timer(10, "a"));
    queue.poll();
    assertThat(queue.pendingWrites()).isZero();
    assertThat(stored.get("a")).isEmpty();
  }

  @Test
  void deletingAStoredTimerThatWasNotLoadedDeletesItsItem() {
    stored.put("a", new HashSet<>(Set.of(timer(50, "a"))));
    queue.remove(timer(50, "a"));
    assertThat(queue.toDelete()).containsExactly(timer(50, "a"));
    queue.add(timer(50, "a"));
    assertThat(queue.toDelete()).as("re-registered: the item stays").isEmpty();
    assertThat(queue.toPut()).isEmpty();
  }

  @Test
  void aFullEpochPausesFiringWithoutLosingTimers() {
    queue.add(timer(1, "a"));
    queue.add(timer(2, "b"));
    full = true;
    assertThat(queue.peek()).isNull();
    assertThat(queue.poll()).isNull();
    assertThat(queue.hasDue(5)).isTrue();
    full = false;
    assertThat(queue.poll()).isEqualTo(timer(1, "a"));
    queue.committed();
    assertThat(queue.firedInEpoch()).isZero();
    assertThat(queue.earliest()).isEqualTo(2);
    assertThat(queue.firedCount()).isEqualTo(1);
  }

  @Test
  void earliestAddedBoundsTheNewStoredTimers() {
    queue.add(timer(30, "a"));
    queue.add(timer(20, "b"));
    assertThat(queue.earliestAdded()).isEqualTo(20);
    queue.resetAll();
    assertThat(queue.earliestAdded()).isEqualTo(Long.MAX_VALUE);
    assertThat(queue.size()).isZero();
  }
}
