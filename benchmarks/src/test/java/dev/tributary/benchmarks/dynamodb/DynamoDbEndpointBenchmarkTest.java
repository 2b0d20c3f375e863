package dev.tributary.benchmarks.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's arithmetic and inputs, without an endpoint: percentiles, item size, key
 * uniqueness, options and the table. {@link DynamoDbEndpointBenchmarkIT} drives the load against
 * the embedded endpoint.
 */
class DynamoDbEndpointBenchmarkTest {

  @Test
  void percentilesAreNearestRank() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(Measurement.percentile(sorted, 50)).isEqualTo(50);
    assertThat(Measurement.percentile(sorted, 99)).isEqualTo(99);
    assertThat(Measurement.percentile(new long[] {7}, 99)).isEqualTo(7);
    assertThat(Measurement.percentile(new long[0], 50)).isZero();
  }

  @Test
  void measurementMergesEverySlice() {
    List<LoadRunner.Slice> slices =
        List.of(
            new LoadRunner.Slice(new long[] {5, 1, 3, 0}, 3, 1, 1_000_000_000L, "first"),
            new LoadRunner.Slice(new long[] {2, 4}, 2, 0, 1_000_000_000L, null));
    Measurement m = Measurement.of(Operation.PUT_ITEM, 2, slices);
    assertThat(m.ops()).isEqualTo(5);
    assertThat(m.errors()).isEqualTo(1);
    assertThat(m.firstError()).isEqualTo("first");
    assertThat(m.p50Nanos()).isEqualTo(3);
    assertThat(m.p99Nanos()).isEqualTo(5);
    assertThat(m.maxNanos()).isEqualTo(5);
    assertThat(m.opsPerSecond()).isEqualTo(2.5);
  }

  @Test
  void itemsAreAbout200BytesAndKeysDistinctAndFixedWidth() {
    Set<String> keys = new HashSet<>();
    for (int thread = 0; thread < 4; thread++) {
      for (long seq : List.of(0L, 9L, 12_345L, 999_999_999L)) {
        String key = Items.key("putm", thread, seq);
        assertThat(key).hasSize(18);
        keys.add(key);
        assertThat(Items.sizeOf(Items.item(key, seq))).isBetween(195, 205);
      }
    }
    assertThat(keys).hasSize(16);
  }

  @Test
  void optionsHaveDefaultsAndRejectNonsenseWithTheFix() {
    DynamoDbEndpointBenchmark.Options defaults =
        DynamoDbEndpointBenchmark.Options.parse(new String[0]);
    assertThat(defaults.seconds()).isEqualTo(10);
    assertThat(defaults.threads()).isEqualTo(4);
    assertThat(defaults.dynaliteDir()).endsWith(java.nio.file.Path.of("node_modules/dynalite"));
    assertThat(
            DynamoDbEndpointBenchmark.Options.parse(
                new String[] {"--seconds", "3", "--threads", "2"}))
        .extracting(o -> o.seconds(), o -> o.threads())
        .containsExactly(3, 2);
    assertThatThrownBy(
            () -> DynamoDbEndpointBenchmark.Options.parse(new String[] {"--threads", "0"}))
        .hasMessageContaining("--threads is 0");
    assertThatThrownBy(() -> DynamoDbEndpointBenchmark.Options.parse(new String[] {"--secs", "1"}))
        .hasMessageContaining("unknown option --secs")
        .hasMessageContaining("--seconds N");
  }

  @Test
  void rowsCoverOneAndManyThreadsAndTheTableSaysWhatDynaliteCannotDo() {
    assertThat(DynamoDbEndpointBenchmark.rows(4))
        .extracting(r -> r.operation().name() + "/" + r.threads())
        .containsExactly(
            "PUT_ITEM/1", "PUT_ITEM/4", "GET_ITEM/1", "GET_ITEM/4", "TRANSACT_WRITE_ITEMS/4");
    assertThat(DynamoDbEndpointBenchmark.rows(1)).hasSize(3);
    Measurement ours =
        new Measurement(
            Operation.TRANSACT_WRITE_ITEMS,
            4,
            3_000,
            0,
            1_000_000_000L,
            400_000,
            1_500_000,
            2,
            null);
    assertThat(
            DynamoDbEndpointBenchmark.tableRow(
                new DynamoDbEndpointBenchmark.Row(Operation.TRANSACT_WRITE_ITEMS, 4), ours, null))
        .isEqualTo(
            "| TransactWriteItems (10 Puts) | 4 | 3,000 | 0.400 ms | 1.500 ms"
                + " | n/a (unsupported) | n/a | n/a | n/a |");
  }
}
