package dev.tributary.state.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LayoutTest {
  @Test
  void spilledPartsParseBackEvenWithNamespacedCells() {
    String cell = "window-counts@" + Codec.b64(new byte[] {1, 2, 3});
    String[] map = Layout.parsePart(Layout.mapEntrySk(cell, 7, "a2V5"));
    assertThat(map).containsExactly("M", cell, "7", "a2V5");
    String[] list = Layout.parsePart(Layout.listChunkSk("log", 3, 12));
    assertThat(list).containsExactly("L", "log", "3", "000012");
  }

  @Test
  void listChunksSortInOrderAndGenerationsDoNotMix() {
    assertThat(Layout.listChunkSk("l", 1, 2)).isLessThan(Layout.listChunkSk("l", 1, 10));
    assertThat(Layout.mapEntrySk("m", 1, "x")).isNotEqualTo(Layout.mapEntrySk("m", 2, "x"));
  }

  @Test
  void timerSortKeysOrderByTimeThenKeyAndStayInsideTheirDomain() {
    byte[] k = {1};
    String early = Layout.timerSk(true, -5, k, null);
    String late = Layout.timerSk(true, 100, k, null);
    assertThat(early).isLessThan(late);
    assertThat(late).isLessThanOrEqualTo(Layout.timerSkTo(true, 100));
    assertThat(late).isGreaterThan(Layout.timerSkTo(true, 99));
    assertThat(Layout.timerSk(false, 0, k, null)).startsWith("P#");
    assertThat(Layout.timerSkFrom(true, Long.MIN_VALUE)).isLessThanOrEqualTo(early);
    assertThat(Layout.timerSkTo(true, Long.MAX_VALUE)).isGreaterThan(late);
  }

  @Test
  void outboxPagesSortByEpochThenPage() {
    assertThat(Layout.outboxSk(9, 3)).isLessThan(Layout.outboxSk(10, 0));
    assertThat(Layout.outboxSk(10, 0)).isLessThan(Layout.outboxSk(10, 1));
  }
}
