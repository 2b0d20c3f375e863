package dev.tributary.local.dynamodb;

import static dev.tributary.local.dynamodb.Tables.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.internal.ops.Context;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException;

/**
 * Two TransactWriteItems with one ClientRequestToken and different parameters, both past the token
 * check before the write lock: the first is applied, the second refused with
 * IdempotentParameterMismatch, as DynamoDB does (found in review: both were applied).
 */
class TokenRaceIT {
  @AutoClose static final DynamoDbLocal local = DynamoDbLocal.builder().build();
  @AutoClose static final DynamoDbClient client = LocalClients.client(local.endpoint());

  @Test
  void twoRequestsWithOneTokenAndOtherParametersAreNotBothApplied() throws Exception {
    Tables.hashTable(client, "tx-race");
    Field f = DynamoDbLocal.class.getDeclaredField("context");
    f.setAccessible(true);
    ReentrantReadWriteLock lock = ((Context) f.get(local)).database().lock();
    List<CompletableFuture<Object>> calls = new ArrayList<>();
    lock.writeLock().lock();
    try {
      for (String pk : List.of("a", "b")) {
        calls.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return client.transactWriteItems(
                        b ->
                            b.clientRequestToken("race-1")
                                .transactItems(TransactionsIT.increment("tx-race", pk)));
                  } catch (RuntimeException e) {
                    return e;
                  }
                }));
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (lock.getQueueLength() < 2 && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      // staged: both passed the token check before the lock and wait for it
      assertThat(lock.getQueueLength()).as("requests waiting for the write lock").isEqualTo(2);
    } finally {
      lock.writeLock().unlock();
    }
    List<Object> answers = new ArrayList<>();
    for (CompletableFuture<Object> c : calls) {
      answers.add(c.get(30, TimeUnit.SECONDS));
    }
    int applied =
        (get(client, "tx-race", "a") == null ? 0 : 1)
            + (get(client, "tx-race", "b") == null ? 0 : 1);
    assertThat(applied).as("requests applied with token race-1; answers " + answers).isEqualTo(1);
    assertThat(answers)
        .filteredOn(a -> a instanceof IdempotentParameterMismatchException)
        .hasSize(1);
  }
}
