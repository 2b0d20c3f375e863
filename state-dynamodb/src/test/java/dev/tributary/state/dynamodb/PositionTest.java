package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class PositionTest {
  @Test
  void kinesisSequenceNumbersBeyondLongCompareNumerically() {
    Position small = Position.of("49590338271490256608559692538361571095921575989136588898", 0);
    Position large = Position.of("49590338271490256608559692538361571095921575989136588899", 0);
    assertThat(small).isLessThan(large);
    assertThat(Position.of("9", 0)).isLessThan(Position.of("10", 0));
  }

  @Test
  void theSubIndexOrdersRecordsOfOneSourceRecord() {
    assertThat(Position.of(5, 0)).isLessThan(Position.of(5, 1));
    assertThat(Position.of(5, 999)).isLessThan(Position.of(6, 0));
    assertThat(Position.BEGINNING).isLessThan(Position.of(0, 0));
  }

  @Property
  void encodeAndDecodeRoundTrip(
      @ForAll @LongRange(min = 0) long offset, @ForAll @LongRange(min = 0) long sub) {
    Position p = Position.of(offset, sub);
    assertThat(Position.decode(p.encode())).isEqualTo(p);
  }

  @Property
  void decimalReadsWhatBigIntegerReads(
      @ForAll @StringLength(max = 22) @Chars({'0', '1', '9', '-', '+', 'x', ' ', '٣'})
          String text) {
    BigInteger expected;
    try {
      expected = new BigInteger(text);
    } catch (NumberFormatException e) {
      assertThatThrownBy(() -> Position.decimal(text)).isInstanceOf(NumberFormatException.class);
      return;
    }
    assertThat(Position.decimal(text)).isEqualTo(expected);
  }

  @Test
  void decimalAtTheLongBoundary() {
    for (String text :
        List.of(
            "999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "-999999999999999999",
            "000000000000000007")) {
      assertThat(Position.decimal(text)).isEqualTo(new BigInteger(text));
    }
  }

  @Test
  void badInputIsRefusedWithTheValue() {
    assertThatThrownBy(() -> Position.of("12a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'12a'")
        .hasMessageContaining("Kinesis sequence number");
    assertThatThrownBy(() -> Position.of(1, -1)).hasMessageContaining("subIndex is -1");
  }

  @Test
  void batchesValidateSlotsAndTicks() {
    assertThatThrownBy(() -> new Batch("s", 2, 2, List.of(), 0, 0))
        .hasMessageContaining("slot 2 of 2");
    assertThatThrownBy(
            () ->
                new Batch(
                    null, 0, 1, List.of(new KeyedRecord(1, "k", "v", 0, Position.of(0, 0))), 0, 0))
        .hasMessageContaining("a tick (no split) carries no records");
    List<KeyedRecord> records = new ArrayList<>();
    Batch b = new Batch("s", 0, 1, records, 0, 0);
    records.add(new KeyedRecord(1, "k", "v", 0, Position.of(0, 0)));
    assertThat(b.records()).as("the batch copies its records").isEmpty();
  }
}
