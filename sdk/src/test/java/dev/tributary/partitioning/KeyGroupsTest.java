package dev.tributary.partitioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KeyGroupsTest {

  @Property(tries = 500)
  void murmur3MatchesGuavasFixedMurmur3(@ForAll byte[] data) {
    assertThat(Murmur3.hash32(data)).isEqualTo(Hashing.murmur3_32_fixed().hashBytes(data).asInt());
  }

  @Test
  void murmur3KnownVectors() {
    // Reference values of MurmurHash3_x86_32 with seed 0.
    assertThat(Murmur3.hash32(new byte[0])).isEqualTo(0);
    assertThat(Murmur3.hash32("hello".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x248bfa47);
    assertThat(
            Murmur3.hash32(
                "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(0x2e4ff723);
  }

  @Property(tries = 300)
  void keyGroupIsInRange(@ForAll byte[] key, @ForAll @IntRange(min = 1, max = 32768) int max) {
    int group = KeyGroups.keyGroupOf(key, max);
    assertThat(group).isBetween(0, max - 1);
  }

  @Test
  void keyGroupIsTheUnsignedHashModuloMaxKeyGroups() {
    byte[] key = "user-1".getBytes(StandardCharsets.UTF_8);
    long unsigned = Integer.toUnsignedLong(Murmur3.hash32(key));
    assertThat(KeyGroups.keyGroupOf(key, 128)).isEqualTo((int) (unsigned % 128));
  }

  @Property(tries = 300)
  void slotRangesCoverEveryKeyGroupOnceInOrder(
      @ForAll @IntRange(min = 1, max = 4096) int max,
      @ForAll @IntRange(min = 1, max = 512) int slots) {
    if (slots > max) {
      return;
    }
    List<KeyGroupRange> ranges = KeyGroups.ranges(max, slots);
    assertThat(ranges).hasSize(slots);
    int next = 0;
    for (int slot = 0; slot < slots; slot++) {
      KeyGroupRange range = ranges.get(slot);
      assertThat(range.first()).isEqualTo(next);
      for (int g = range.first(); g <= range.last(); g++) {
        assertThat(KeyGroups.slotOf(g, max, slots)).isEqualTo(slot);
      }
      next = range.last() + 1;
    }
    assertThat(next).isEqualTo(max);
  }

  @Test
  void refusesBadSettingsWithTheLimit() {
    assertThatThrownBy(() -> KeyGroups.keyGroupOf(new byte[1], 0))
        .hasMessageContaining("maxKeyGroups is 0; it must be between 1 and 32768");
    assertThatThrownBy(() -> KeyGroups.rangeOf(0, 8, 9))
        .hasMessageContaining("slots is 9; it must be between 1 and maxKeyGroups (8)");
    assertThatThrownBy(() -> KeyGroups.rangeOf(3, 8, 2)).hasMessageContaining("slot 3 is outside");
  }

  @Test
  void rangesOverlapWhenTheyShareAKeyGroup() {
    KeyGroupRange r = new KeyGroupRange(4, 7);
    assertThat(r.overlaps(new KeyGroupRange(7, 9))).isTrue();
    assertThat(r.overlaps(new KeyGroupRange(0, 4))).isTrue();
    assertThat(r.overlaps(new KeyGroupRange(5, 6))).isTrue();
    assertThat(r.overlaps(new KeyGroupRange(0, 3))).isFalse();
    assertThat(r.overlaps(new KeyGroupRange(8, 9))).isFalse();
  }
}
