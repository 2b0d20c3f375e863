package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;

/**
 * Keys DynamoDB leaves unprocessed (a throttled read answers no error) are asked for again after a
 * backoff, and a read that keeps leaving them fails with what to do, instead of asking again at
 * once forever (found in review).
 */
class UnprocessedKeysTest {
  private static final StateTables TABLES = StateTables.withPrefix("t");

  /** A client whose BatchGetItem answers every key unprocessed {@code throttledRounds} times. */
  private static DynamoDbClient throttled(int throttledRounds, AtomicInteger calls) {
    return (DynamoDbClient)
        Proxy.newProxyInstance(
            UnprocessedKeysTest.class.getClassLoader(),
            new Class<?>[] {DynamoDbClient.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("batchGetItem")) {
                throw new UnsupportedOperationException(method.getName());
              }
              BatchGetItemRequest.Builder b = BatchGetItemRequest.builder();
              @SuppressWarnings("unchecked")
              Consumer<BatchGetItemRequest.Builder> fill =
                  (Consumer<BatchGetItemRequest.Builder>) args[0];
              fill.accept(b);
              BatchGetItemRequest request = b.build();
              if (calls.incrementAndGet() <= throttledRounds) {
                return BatchGetItemResponse.builder()
                    .responses(Map.of())
                    .unprocessedKeys(request.requestItems())
                    .build();
              }
              return BatchGetItemResponse.builder()
                  .responses(Map.of(TABLES.state(), List.<Map<String, AttributeValue>>of()))
                  .build();
            });
  }

  @Test
  void unprocessedKeysAreAskedForAgainAfterABackoff() {
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    Checkpoints.Committed[] read =
        new Checkpoints(throttled(3, calls), TABLES, "job").readCommitted("s-0", 4);
    assertThat(calls).hasValue(4);
    assertThat(read).hasSize(4).allSatisfy(c -> assertThat(c.epoch()).isZero());
    // three backoffs of at most 25, 50 and 100 ms
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
  }

  @Test
  void aReadThatKeepsLeavingKeysFailsNamingTheCauseAndTheFix() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () -> new Checkpoints(throttled(100, calls), TABLES, "job").readCommitted("s-0", 4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reading checkpoints: DynamoDB left 4 key(s) unprocessed in 8 rounds")
        .hasMessageContaining("throttled")
        .hasMessageContaining("on-demand capacity");
    assertThat(calls).hasValue(UnprocessedKeys.MAX_ROUNDS + 1);
  }
}
