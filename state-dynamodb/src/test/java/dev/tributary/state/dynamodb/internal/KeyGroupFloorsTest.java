package dev.tributary.state.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyGroupFloorsTest {
  private static final int MAX = KeyGroups.DEFAULT_MAX_KEY_GROUPS;
  private static final KeyGroupRange ALL = new KeyGroupRange(0, MAX - 1);

  @Test
  void eachKeyGroupGetsTheFiredUpToOfTheOldSlotThatCoveredIt() {
    // 2 slots: 0-63 fired up to 15, 64-127 up to 5; the new slot covers all 128
    KeyGroupFloors floors =
        KeyGroupFloors.of(List.of(new long[] {2, 0, 15}, new long[] {2, 1, 5}), ALL, MAX);
    assertThat(floors.floor(0)).isEqualTo(15);
    assertThat(floors.floor(63)).isEqualTo(15);
    assertThat(floors.floor(64)).isEqualTo(5);
    assertThat(floors.floor(127)).isEqualTo(5);
    assertThat(floors.highest()).isEqualTo(15);
    assertThat(floors.toList()).containsExactly(0L, 63L, 15L, 64L, 127L, 5L);
    assertThat(floors.runs()).isEqualTo(2);
  }

  @Test
  void theHighestOfEveryCountCountsAndOnlyTheSlotsOwnKeyGroupsAreKept() {
    // 3 slots (0-42, 43-85, 86-127) and 1 slot; the new slot is 1 of 2 (64-127)
    KeyGroupRange second = KeyGroups.rangeOf(1, MAX, 2);
    KeyGroupFloors floors =
        KeyGroupFloors.of(
            List.of(
                new long[] {3, 0, 100},
                new long[] {3, 1, 30},
                new long[] {3, 2, 10},
                new long[] {1, 0, 20}),
            second,
            MAX);
    assertThat(floors.floor(63)).as("not the slot's").isEqualTo(Long.MIN_VALUE);
    assertThat(floors.floor(64)).isEqualTo(30);
    assertThat(floors.floor(85)).isEqualTo(30);
    assertThat(floors.floor(86)).as("1 slot's 20 over 3#2's 10").isEqualTo(20);
    assertThat(floors.toList()).containsExactly(64L, 85L, 30L, 86L, 127L, 20L);
  }

  @Test
  void itemsOfNoSlotOfTheJobsKeyGroupsAreLeftOut() {
    KeyGroupFloors floors =
        KeyGroupFloors.of(
            List.of(new long[] {0, 0, 9}, new long[] {256, 3, 9}, new long[] {2, 2, 9}), ALL, MAX);
    assertThat(floors.isEmpty()).isTrue();
    assertThat(floors.toList()).isNull();
    assertThat(floors.highest()).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aboveDropsWhatTheSlotsOwnFiredUpToCoversAndMaxTakesTheHigherPerKeyGroup() {
    KeyGroupFloors floors =
        KeyGroupFloors.of(List.of(new long[] {2, 0, 15}, new long[] {2, 1, 5}), ALL, MAX);
    assertThat(floors.above(4)).isSameAs(floors);
    assertThat(floors.above(5).toList()).containsExactly(0L, 63L, 15L);
    assertThat(floors.above(15)).isEqualTo(KeyGroupFloors.NONE);
    KeyGroupFloors other = KeyGroupFloors.of(List.of(new long[] {4, 1, 40}), ALL, MAX);
    assertThat(floors.max(other, ALL).toList())
        .containsExactly(0L, 31L, 15L, 32L, 63L, 40L, 64L, 127L, 5L);
    assertThat(floors.max(KeyGroupFloors.NONE, ALL)).isSameAs(floors);
    assertThat(KeyGroupFloors.NONE.max(floors, ALL)).isSameAs(floors);
  }

  @Test
  void storedFloorsReadBackAndABrokenListNamesTheFix() {
    KeyGroupFloors floors =
        KeyGroupFloors.of(List.of(new long[] {2, 0, 15}, new long[] {2, 1, 5}), ALL, MAX);
    assertThat(KeyGroupFloors.fromList(floors.toList())).isEqualTo(floors);
    assertThat(KeyGroupFloors.fromList(null)).isEqualTo(KeyGroupFloors.NONE);
    assertThat(KeyGroupFloors.fromList(List.of())).isEqualTo(KeyGroupFloors.NONE);
    assertThatThrownBy(() -> KeyGroupFloors.fromList(List.of(1L, 2L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kf has 2 numbers")
        .hasMessageContaining("runs of three");
  }
}
