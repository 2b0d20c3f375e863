package dev.tributary.local.dynamodb.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.internal.model.Numbers;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hash order of partitions, checked against the vectors dynalite (and DynamoDB) produce. */
class KeyOrderTest {

  @Test
  void numbersEncodeLikeDynamoDb() {
    Map<String, String> vectors =
        Map.of(
            "1", "c102",
            "-1", "3e6466",
            "0.5", "c033",
            "10", "c10b",
            "100", "c202",
            "12.34", "c10d23",
            "-12.34", "3e594366",
            "123", "c20218",
            "0", "80");
    vectors.forEach(
        (n, hex) ->
            assertThat(HexFormat.of().formatHex(KeyOrder.numberBytes(Numbers.parse(n))))
                .as(n)
                .isEqualTo(hex));
  }

  @Test
  void hashPrefixesMatchTheReference() {
    assertThat(KeyOrder.hashPrefix(new Value.S("a"), null)).isEqualTo("f6558e");
    assertThat(KeyOrder.hashPrefix(new Value.N(Numbers.parse("1")), null)).isEqualTo("c3a031");
  }

  @Test
  void segmentsSplitTheBucketsWithoutGapsOrOverlaps() {
    for (int total : new int[] {1, 2, 3, 7, 100, 4096}) {
      for (int bucket = 0; bucket < 4096; bucket++) {
        int owners = 0;
        for (int segment = 0; segment < total; segment++) {
          if (KeyOrder.inSegment(bucket, segment, total)) {
            owners++;
          }
        }
        assertThat(owners).as("bucket %d of %d segments", bucket, total).isEqualTo(1);
      }
    }
  }
}
