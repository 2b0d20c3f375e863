package dev.tributary.benchmarks.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Select;

/**
 * The benchmark machinery against the embedded endpoint only (no dynalite), for a fraction of a
 * second per operation: every operation completes calls without failures, the percentiles are
 * ordered, and the writes really land. It checks no speed: that is {@code
 * scripts/benchmark-dynamodb.sh}'s job on a quiet machine.
 */
class DynamoDbEndpointBenchmarkIT {
  private static final Duration WARMUP = Duration.ofMillis(100);
  private static final Duration DURATION = Duration.ofMillis(300);

  private static DynamoDbLocal local;
  private static DynamoDbClient client;
  private static Operation.Endpoint endpoint;

  @BeforeAll
  static void start() {
    local = DynamoDbLocal.start();
    client = DynamoDbEndpointBenchmark.client(local.endpoint());
    endpoint = DynamoDbEndpointBenchmark.setUp("tributary", client, 50);
  }

  @AfterAll
  static void stop() {
    client.close();
    local.close();
  }

  @Test
  void everyRowMeasuresCallsWithOrderedPercentiles() {
    for (DynamoDbEndpointBenchmark.Row row : DynamoDbEndpointBenchmark.rows(2)) {
      Measurement m = LoadRunner.run(endpoint, row.operation(), row.threads(), WARMUP, DURATION);
      assertThat(m.errors()).as("%s: first failure %s", row, m.firstError()).isZero();
      assertThat(m.ops()).as("%s", row).isPositive();
      assertThat(m.opsPerSecond()).as("%s", row).isPositive();
      assertThat(m.p50Nanos()).as("%s", row).isPositive().isLessThanOrEqualTo(m.p99Nanos());
      assertThat(m.p99Nanos()).as("%s", row).isLessThanOrEqualTo(m.maxNanos());
      assertThat(m.maxNanos()).as("%s", row).isLessThanOrEqualTo(m.elapsedNanos());
      assertThat(m.elapsedNanos()).as("%s", row).isGreaterThanOrEqualTo(DURATION.toNanos());
    }
  }

  @Test
  void slicesTakenInTurnsAddUpPerEndpoint() {
    DynamoDbEndpointBenchmark.createTable(client, "other");
    DynamoDbEndpointBenchmark.preload(client, "other", 50);
    Operation.Endpoint other = new Operation.Endpoint("other", client, "other", 50);
    List<Measurement> both =
        LoadRunner.interleaved(
            List.of(endpoint, other), Operation.GET_ITEM, 1, Duration.ZERO, DURATION, 3);
    assertThat(both).hasSize(2);
    for (Measurement m : both) {
      assertThat(m.errors()).as(m.firstError()).isZero();
      assertThat(m.ops()).isPositive();
      // three slices of a third each, each running until its last call ends
      assertThat(m.elapsedNanos()).isGreaterThanOrEqualTo(DURATION.toNanos() / 3 * 3);
    }
  }

  @Test
  void measuredWritesLandOnDistinctKeys() {
    int before = count();
    Measurement puts = LoadRunner.run(endpoint, Operation.PUT_ITEM, 2, Duration.ZERO, DURATION);
    Measurement transactions =
        LoadRunner.run(endpoint, Operation.TRANSACT_WRITE_ITEMS, 2, Duration.ZERO, DURATION);
    assertThat(count() - before)
        .isEqualTo(puts.ops() + transactions.ops() * Operation.TRANSACTION_ACTIONS);
  }

  private static int count() {
    return client.scan(b -> b.tableName(endpoint.table()).select(Select.COUNT)).count();
  }
}
