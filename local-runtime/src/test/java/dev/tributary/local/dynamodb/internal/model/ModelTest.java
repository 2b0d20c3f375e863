package dev.tributary.local.dynamodb.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Numbers and item sizes by DynamoDB's rules. */
class ModelTest {

  @Test
  void numbersAreNormalizedAndBounded() {
    assertThat(Numbers.parse("0001.2300")).isEqualTo(new BigDecimal("1.23"));
    assertThat(new Value.N(Numbers.parse("1E+3")).text()).isEqualTo("1000");
    assertThat(new Value.N(Numbers.parse("-0")).text()).isEqualTo("0");
    assertThat(Numbers.parse("1.0E-4")).isEqualTo(new BigDecimal("0.0001"));
    assertThatThrownBy(() -> Numbers.parse("1E126"))
        .hasMessage(
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
    assertThatThrownBy(() -> Numbers.parse("1E-131"))
        .hasMessage(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    assertThatThrownBy(() -> Numbers.parse("1" + "1".repeat(38)))
        .hasMessage("Attempting to store more than 38 significant digits in a Number");
    assertThatThrownBy(() -> Numbers.parse("abc"))
        .hasMessage("The parameter cannot be converted to a numeric value: abc");
    assertThatThrownBy(() -> Numbers.parse(""))
        .hasMessage("The parameter cannot be converted to a numeric value");
  }

  @Test
  void numberSizesFollowTheSignificantDigitRule() {
    // figures measured against DynamoDB's rule (1 + ceil(d/2) + alignment + sign)
    Map<String, Integer> expected =
        Map.of("1", 2, "12", 2, "123", 3, "10", 2, "100", 2, "1.5", 3, "0.01", 2, "-1", 3, "0", 1);
    expected.forEach(
        (text, size) -> assertThat(Numbers.size(Numbers.parse(text))).as(text).isEqualTo(size));
  }

  @Test
  void itemSizesCountUtf8NamesAndValuesWithListAndMapOverhead() {
    assertThat(ItemSize.of(Map.of("a", new Value.S("é😀")))).isEqualTo(1 + 6); // UTF-8, as AWS
    assertThat(ItemSize.of(Map.of("a", new Value.L(List.of())))).isEqualTo(4);
    assertThat(
            ItemSize.of(
                Map.of("a", new Value.L(List.of(new Value.S("x"), new Value.N(BigDecimal.ONE))))))
        .isEqualTo(1 + 3 + (1 + 1) + (1 + 2));
    assertThat(ItemSize.of(Map.of("a", new Value.M(Map.of("bb", new Value.S("x"))))))
        .isEqualTo(1 + 3 + 1 + 2 + 1);
    assertThat(ItemSize.of(Map.of("b", new Value.Bool(true), "n", new Value.Null()))).isEqualTo(4);
    assertThat(ItemSize.of(Map.of("s", new Value.SS(Set.of("ab", "c"))))).isEqualTo(1 + 3);
  }

  @Test
  void bytesOrderUnsigned() {
    assertThat(Bytes.of(new byte[] {(byte) 0x80}).compareTo(Bytes.of(new byte[] {0x7f})))
        .isPositive();
    assertThat(Bytes.of(new byte[] {1, 2, 3}).startsWith(Bytes.of(new byte[] {1, 2}))).isTrue();
    assertThat(Bytes.of(new byte[] {1, 2, 3}).contains(Bytes.of(new byte[] {2, 3}))).isTrue();
  }
}
