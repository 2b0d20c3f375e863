package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ImmutableTypesTest {
  record Point(long x, long y) {}

  record Named(String name, Point at, Instant when, UUID id, Kind kind) {}

  record WithList(String name, List<String> tags) {}

  record WithMoney(String account, BigDecimal amount) {}

  record WithArray(long[] values) {}

  record Generic<T>(T value) {}

  record Chain(String head, Chain tail) {}

  enum Kind {
    A,
    B {
      @Override
      public String toString() {
        return "b";
      }
    }
  }

  static final class Bean {
    long x;
  }

  @Test
  void valuesAndRecordsOfThemCannotChange() {
    assertThat(ImmutableTypes.holds(null)).isTrue();
    assertThat(ImmutableTypes.holds("s")).isTrue();
    assertThat(ImmutableTypes.holds(7L)).isTrue();
    assertThat(ImmutableTypes.holds(Instant.EPOCH)).isTrue();
    assertThat(ImmutableTypes.holds(Kind.A)).isTrue();
    assertThat(ImmutableTypes.holds(Kind.B)).as("a constant with a body").isTrue();
    assertThat(ImmutableTypes.holds(new Point(1, 2))).isTrue();
    assertThat(
            ImmutableTypes.holds(
                new Named("n", new Point(1, 2), Instant.EPOCH, UUID.randomUUID(), Kind.B)))
        .isTrue();
    assertThat(ImmutableTypes.holds(new Chain("a", new Chain("b", null)))).isTrue();
  }

  @Test
  void beansCollectionsArraysTypeVariablesAndOpenClassesCan() {
    assertThat(ImmutableTypes.holds(new Bean())).isFalse();
    assertThat(ImmutableTypes.holds(new ArrayList<>())).isFalse();
    assertThat(ImmutableTypes.holds(List.of("a"))).as("an interface's classes vary").isFalse();
    assertThat(ImmutableTypes.holds(new WithList("n", List.of()))).isFalse();
    assertThat(ImmutableTypes.holds(new long[1])).isFalse();
    assertThat(ImmutableTypes.holds(new WithArray(new long[1]))).isFalse();
    assertThat(ImmutableTypes.holds(new Generic<>("s"))).as("declared as Object").isFalse();
    assertThat(ImmutableTypes.holds(BigDecimal.ONE)).as("not final").isFalse();
    assertThat(ImmutableTypes.holds(new WithMoney("a", BigDecimal.ONE))).isFalse();
  }
}
