package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.KvJob.Op;
import dev.tributary.state.dynamodb.LedgerJob.Txn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The edges of a transaction and of an item: epochs of exactly 100 actions and of 101, 4 MB of
 * state, values near and over 400 KB, maps and lists that outgrow one item, a burst of outputs, and
 * a flatMap fan-out of 1,000 records from one source record.
 */
class LimitsIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static List<Op> ops(int keys, String kind, int size, int n) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      ops.add(new Op("k" + i, kind, size, n));
    }
    return ops;
  }

  private static RunReport run(Harness h, DynamoDbClient client, List<Op> ops, long offset) {
    List<KeyedRecord> keyed = h.keyed(KvJob.SOURCE, ops, offset);
    return h.runner(client).run(new Batch("s", 0, 1, keyed, Long.MIN_VALUE, 0));
  }

  @Test
  void ninetyNineKeysMakeOneTransactionOfExactly100Actions() {
    try (Harness h = Harness.on(local, new KvJob())) {
      Transactions tx = new Transactions();
      RunReport r = run(h, h.client(tx, true), ops(99, "count", 0, 0), 0);
      assertThat(tx.actions).containsExactly(100);
      assertThat(r.epochs()).isEqualTo(1);
      assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "k98")).isEqualTo(1L);
    }
  }

  @Test
  void manyRecordsOfOneKeyInOneEpochMakeOneWriteOfThatKey() {
    try (Harness h = Harness.on(local, new KvJob())) {
      Transactions tx = new Transactions();
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        ops.add(new Op(i % 2 == 0 ? "even" : "odd", "count", 0, 0));
      }
      RunReport r = run(h, h.client(tx, true), ops, 0);
      assertThat(tx.actions).as("two keys and the checkpoint").containsExactly(3);
      assertThat(r.epochCosts()).hasSize(1);
      RunReport.EpochCost epoch = r.epochCosts().get(0);
      assertThat(epoch.records()).isEqualTo(300);
      assertThat(epoch.actions()).isEqualTo(3);
      assertThat(epoch.writeUnits()).as("3 items of under 1 KB, 2 units each").isEqualTo(6.0);
      assertThat(r.writeUnits())
          .as("the commit's, and the split's slot-count item, written at its first batch")
          .isEqualTo(7.0);
      assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "even")).isEqualTo(150L);
    }
  }

  @Test
  void aHundredKeysNeed101ActionsAndAreCutIntoTwoTransactions() {
    try (Harness h = Harness.on(local, new KvJob())) {
      Transactions tx = new Transactions();
      RunReport r = run(h, h.client(tx, true), ops(100, "count", 0, 0), 0);
      assertThat(tx.actions).containsExactly(100, 2);
      assertThat(r.epochs()).isEqualTo(2);
      assertThat(r.recordsApplied()).isEqualTo(100);
      for (int i = 0; i < 100; i++) {
        assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "k" + i)).isEqualTo(1L);
      }
      assertThat(h.checkpoint("s", 1, 0).get("pos").s()).isEqualTo("99:0");
    }
  }

  @Test
  void stateOfMoreThan4MegabytesIsCutIntoTransactionsThatFit() {
    try (Harness h = Harness.on(local, new KvJob())) {
      Transactions tx = new Transactions();
      RunReport r = run(h, h.client(tx, true), ops(20, "blob", 300 * 1024, 0), 0);
      assertThat(r.recordsApplied()).isEqualTo(20);
      assertThat(r.epochs()).isGreaterThanOrEqualTo(2);
      assertThat(tx.actions.stream().mapToInt(Integer::intValue).max().orElse(0))
          .as("actions per transaction: 300 KB items, at most 13 of them under 4 MB")
          .isLessThanOrEqualTo(14);
      for (int i = 0; i < 20; i++) {
        assertThat(h.state().value(KvJob.UID, KvJob.BLOB, "k" + i)).hasSize(300 * 1024);
      }
    }
  }

  @Test
  void aValueJustUnder400KilobytesFitsAndOneOverFailsNamingKeyStateAndLimit() {
    try (Harness h = Harness.on(local, new KvJob())) {
      run(h, h.client, List.of(new Op("fits", "blob", 380 * 1024, 0)), 0);
      assertThat(h.state().value(KvJob.UID, KvJob.BLOB, "fits")).hasSize(380 * 1024);
      assertThatThrownBy(() -> run(h, h.client, List.of(new Op("huge", "blob", 500 * 1024, 0)), 1))
          .isInstanceOf(StateTooLargeException.class)
          .hasMessageContaining("huge")
          .hasMessageContaining("'blob'")
          .hasMessageContaining("400 KB")
          .hasMessageContaining("MapState or ListState");
      assertThat(h.state().value(KvJob.UID, KvJob.BLOB, "huge")).isNull();
    }
  }

  @Test
  void aMapStateGrowsPast400KilobytesAsOneItemPerEntryAndShrinksBack() {
    try (Harness h = Harness.on(local, new KvJob())) {
      List<Op> grow = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        grow.add(new Op("big", "map", 1024, 50));
      }
      run(h, h.client, grow, 0);
      Map<Integer, String> map = h.state().map(KvJob.UID, KvJob.MAP, "big");
      assertThat(map).hasSize(1000);
      assertThat(map.get(999)).isEqualTo(KvJob.chars(1024, 999));
      assertThat(itemsOfKey(h, "big")).as("main item plus one item per entry").isEqualTo(1001);
      run(h, h.client, List.of(new Op("big", "unmap", 0, 0)), 20);
      assertThat(h.state().map(KvJob.UID, KvJob.MAP, "big")).isEmpty();
      assertThat(itemsOfKey(h, "big")).as("only the main item (the count) is left").isEqualTo(1);
      assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "big")).isEqualTo(21L);
    }
  }

  @Test
  void aListStateGrowsPast400KilobytesInChunksAndKeepsItsOrder() {
    try (Harness h = Harness.on(local, new KvJob())) {
      for (int batch = 0; batch < 5; batch++) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          ops.add(new Op("log", "list", 1024, 50));
        }
        run(h, h.client, ops, batch * 4L);
      }
      List<String> list = h.state().list(KvJob.UID, KvJob.LIST, "log");
      assertThat(list).hasSize(1000);
      for (int i = 0; i < 1000; i++) {
        assertThat(list.get(i)).isEqualTo(KvJob.chars(1024, i % 50));
      }
      assertThat(itemsOfKey(h, "log")).as("main item and 32 KB chunks").isGreaterThan(30);
    }
  }

  @Test
  void aThousandOutputsOfOneRecordCommitTogether() {
    try (Harness h = Harness.on(local, new KvJob())) {
      RunReport r = run(h, h.client, List.of(new Op("burst", "emit", 100, 1000)), 0);
      assertThat(r.outputs()).isEqualTo(1000);
      List<String> out = h.outbox(KvJob.SINK);
      assertThat(out).hasSize(1000);
      assertThat(out.get(999)).startsWith("burst:999:");
    }
  }

  @Test
  void outputsOfOneRecordBeyondOneTransactionFailWithTheLimitsAndNothingCommits() {
    try (Harness h = Harness.on(local, new KvJob())) {
      assertThatThrownBy(
              () -> run(h, h.client, List.of(new Op("flood", "emit", 100 * 1024, 50)), 0))
          .isInstanceOf(StateTooLargeException.class)
          .hasMessageContaining("position 0:0")
          .hasMessageContaining("100 items, 4 MB");
      assertThat(h.<String>outbox(KvJob.SINK)).isEmpty();
      assertThat(h.checkpoint("s", 1, 0)).isNull();
    }
  }

  @Test
  void aFanOutOfAThousandRecordsFromOneSourceRecordCommitsInsideTheRecord() {
    try (Harness h = Harness.on(local, new LedgerJob(8))) {
      List<Txn> txns = List.of(new Txn("fan", 1, 5, 100, 1000), new Txn("solo", 2, 7, 200));
      Transactions tx = new Transactions();
      DynamoDbClient client = h.client(tx, true);
      List<KeyedRecord> keyed = h.keyed(LedgerJob.SOURCE, txns, 0);
      assertThat(keyed).hasSize(1001);
      Batch batch = new Batch("s", 0, 1, keyed, 199, 0);
      // crash after the third commit: the retry resumes inside the fanned-out record
      RunReport first = null;
      try {
        first = h.runner(new CrashAfterCommits(h, 3).client()).run(batch);
      } catch (Calls.Crash expected) {
        // died mid-record
      }
      assertThat(first).isNull();
      Map<String, AttributeValue> checkpoint = h.checkpoint("s", 1, 0);
      assertThat(checkpoint.get("pos").s()).startsWith("0:");
      RunReport rest = h.runner(client).run(batch);
      assertThat(rest.recordsSkipped()).isPositive();
      assertThat(rest.recordsApplied() + rest.recordsSkipped()).isEqualTo(1001);
      assertThat(tx.actions).allMatch(n -> n <= 100);
      h.runner(client).run(Batch.tick(0, 1, Long.MAX_VALUE, 0));
      Ledger.assertMatchesReference(h, txns, true);
    }
  }

  /** A client that crashes the invocation right after its n-th commit applied. */
  private record CrashAfterCommits(Harness h, int n) {
    DynamoDbClient client() {
      Calls calls =
          new Calls() {
            int commits;

            @Override
            public void afterExecution(
                software.amazon.awssdk.core.interceptor.Context.AfterExecution context,
                software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
              if (context.request()
                      instanceof
                      software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest
                  && ++commits == n) {
                throw new Crash("crashed after commit " + n);
              }
            }
          };
      return h.client(calls, true);
    }
  }

  private static int itemsOfKey(Harness h, String key) {
    return h.itemsOfKey(KvJob.UID, key);
  }
}
