package dev.tributary.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Concurrent random transactions from several threads: every transaction is a compare-and-set on a
 * few counters (check the versions it read, then add to each counter and bump its version). Each
 * counter must end equal to applying exactly the committed transactions (the increments commute, so
 * every serial order of them gives this state), its version must count exactly the committed
 * transactions that touched it (no lost update), and cancelled transactions must leave no trace.
 */
class ConcurrentTransactionsIT {
  static DynamoDbLocal local;
  static DynamoDbClient client;
  static int tableCounter;

  @BeforeContainer
  static void start() {
    local = DynamoDbLocal.start();
    client = LocalClients.client(local.endpoint());
  }

  @AfterContainer
  static void stop() {
    client.close();
    local.close();
  }

  /** One transaction: add {@code delta} to each counter if every counter still has its version. */
  record Tx(List<Integer> counters, int delta) {}

  @Property(tries = 15)
  void committedTransactionsFormASerialHistoryAndCancelledOnesLeaveNoTrace(
      @ForAll("workloads") List<List<Tx>> perThread) throws Exception {
    String table = "cas-" + (++tableCounter);
    Tables.hashTable(client, table);
    int counters = 5;
    for (int c = 0; c < counters; c++) {
      int id = c;
      client.putItem(
          b ->
              b.tableName(table)
                  .item(Map.of("pk", Tables.s("c" + id), "v", Tables.n(0), "ver", Tables.n(0))));
    }
    ExecutorService pool = Executors.newFixedThreadPool(perThread.size());
    List<Future<long[]>> futures = new ArrayList<>();
    for (List<Tx> txs : perThread) {
      futures.add(
          pool.submit(
              () -> {
                long[] result = new long[2 + 2 * 5];
                for (Tx tx : txs) {
                  Map<Integer, Long> versions = new HashMap<>();
                  for (int c : tx.counters()) {
                    versions.put(
                        c, Long.parseLong(Tables.get(client, table, "c" + c).get("ver").n()));
                  }
                  List<TransactWriteItem> actions = new ArrayList<>();
                  for (int c : tx.counters()) {
                    actions.add(
                        TransactWriteItem.builder()
                            .update(
                                Update.builder()
                                    .tableName(table)
                                    .key(Tables.key("c" + c))
                                    .updateExpression("SET v = v + :d, ver = ver + :one")
                                    .conditionExpression("ver = :ver")
                                    .expressionAttributeValues(
                                        Map.of(
                                            ":d", Tables.n(tx.delta()),
                                            ":one", Tables.n(1),
                                            ":ver", Tables.n(versions.get(c))))
                                    .build())
                            .build());
                  }
                  try {
                    client.transactWriteItems(b -> b.transactItems(actions));
                    result[0]++;
                    for (int c : tx.counters()) {
                      result[2 + c] += tx.delta();
                      result[2 + 5 + c]++;
                    }
                  } catch (TransactionCanceledException lost) {
                    // a concurrent transaction changed a version first: no effect expected
                  }
                }
                return result;
              }));
    }
    long committed = 0;
    long[] expectedValue = new long[counters];
    long[] expectedVersion = new long[counters];
    for (Future<long[]> f : futures) {
      long[] r = f.get();
      committed += r[0];
      for (int c = 0; c < counters; c++) {
        expectedValue[c] += r[2 + c];
        expectedVersion[c] += r[2 + 5 + c];
      }
    }
    pool.shutdown();
    for (int c = 0; c < counters; c++) {
      Map<String, AttributeValue> item = Tables.get(client, table, "c" + c);
      assertThat(Long.parseLong(item.get("v").n()))
          .as("value of c%d", c)
          .isEqualTo(expectedValue[c]);
      assertThat(Long.parseLong(item.get("ver").n()))
          .as("version of c%d", c)
          .isEqualTo(expectedVersion[c]);
    }
    assertThat(committed).isPositive();
  }

  @Provide
  Arbitrary<List<List<Tx>>> workloads() {
    Arbitrary<Tx> tx =
        Combinators.combine(
                Arbitraries.integers()
                    .between(0, 4)
                    .set()
                    .ofMinSize(1)
                    .ofMaxSize(3)
                    .map(List::copyOf),
                Arbitraries.integers().between(1, 9))
            .as(Tx::new);
    return tx.list().ofMinSize(5).ofMaxSize(15).list().ofMinSize(2).ofMaxSize(4);
  }
}
