package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.state.dynamodb.OpsJobs.Op;
import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/**
 * What the rescaling race tests share: {@link OpsJobs} operations on keys k0, k1, ..., "peek"
 * records (they emit the key's count and write no state, so no key version condition catches one
 * applied twice), and the DynamoDB requests the races are staged around.
 */
final class Peeks {
  private Peeks() {}

  /** {@code n} operations of {@code kind}, on keys k0, k1, ... */
  static List<Op> ops(String kind, int n) {
    List<Op> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Op("k" + i, kind, 0));
    }
    return out;
  }

  /**
   * Peek records on split "s", ready to be cut into the batches of any slot count.
   *
   * @param h the harness
   * @param records the keyed peeks
   */
  record Staged(Harness h, List<KeyedRecord> records) {
    /** The batches of every slot at {@code slots} slots, without a watermark. */
    List<Batch> at(int slots) {
      return h.batches("s", slots, records, Long.MIN_VALUE, 0);
    }

    /** The first batch at {@code slots} slots that has records. */
    Batch first(int slots) {
      return firstNonEmpty(at(slots));
    }

    /** The batch at {@code slots} slots of the slot that owns {@code b}'s first record. */
    Batch owning(int slots, Batch b) {
      return at(slots).get(h.slotOf(b.records().get(0).key(), slots));
    }

    /** The batch at 2 slots of the slot that does not own {@code b}'s first record. */
    Batch otherOfTwo(Batch b) {
      return at(2).get(1 - h.slotOf(b.records().get(0).key(), 2));
    }
  }

  /** Keys k0, k1, ... set (count 1) at {@code slots} slots on split "s", then their peeks. */
  static Staged setThenPeek(Harness h, int keys, int slots) {
    h.runAll(h.batches("s", slots, h.keyed("ops", ops("set", keys), 0), Long.MIN_VALUE, 0));
    return new Staged(h, h.keyed("ops", ops("peek", keys), keys));
  }

  /** Peeks of keys k0, k1, ... that were never set, on a split nothing ran on yet. */
  static Staged peeksOnly(Harness h, int keys) {
    return new Staged(h, h.keyed("ops", ops("peek", keys), 0));
  }

  /** Whether {@code r} is a Query of a split's checkpoint partition. */
  static boolean checkpointQuery(SdkRequest r) {
    return r instanceof QueryRequest q
        && q.expressionAttributeValues().containsKey(":pk")
        && q.expressionAttributeValues().get(":pk").s().startsWith("C#");
  }

  /**
   * The items checkpoint-partition Query {@code q} reads now (one page), on the harness's client.
   */
  static List<Map<String, AttributeValue>> itemsNow(Harness h, QueryRequest q) {
    return h.client
        .query(
            b ->
                b.tableName(q.tableName())
                    .keyConditionExpression(q.keyConditionExpression())
                    .expressionAttributeValues(q.expressionAttributeValues())
                    .consistentRead(true))
        .items();
  }

  /** The checkpoint partition of split {@code s} (the harness's split) as it is now. */
  static List<Map<String, AttributeValue>> checkpointPartition(Harness h) {
    return h.client
        .query(
            b ->
                b.tableName(h.tables.state())
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(
                        Map.of(":pk", AttributeValue.fromS("C#" + h.graph.jobName() + "#s")))
                    .consistentRead(true))
        .items();
  }

  /**
   * Whether {@code r} writes a split's counts item: a start's fence (a transaction, or a PutItem
   * when nothing else is to be fenced).
   */
  static boolean countsPut(SdkRequest r) {
    return fenceWrites(r, p -> EarlierSlotCounts.HISTORY_SK.equals(p.item().get("sk").s()));
  }

  /** Whether {@code r} is a PutItem, or a transaction with a Put, that {@code put} accepts. */
  static boolean fenceWrites(SdkRequest r, Predicate<Put> put) {
    if (r instanceof PutItemRequest p) {
      return p.item().containsKey("sk") && put.test(Put.builder().item(p.item()).build());
    }
    return r instanceof TransactWriteItemsRequest t
        && t.transactItems().stream()
            .anyMatch(
                i -> i.put() != null && i.put().item().containsKey("sk") && put.test(i.put()));
  }

  /** The first of {@code batches} that has records. */
  static Batch firstNonEmpty(List<Batch> batches) {
    return batches.stream().filter(x -> !x.records().isEmpty()).findFirst().orElseThrow();
  }

  /** Runs {@code b} on a client that throws just before the first request {@code when} accepts. */
  static void crashBefore(Harness h, Batch b, Predicate<SdkRequest> when) {
    try (DynamoDbClient c =
        h.client(
            new ExecutionInterceptor() {
              @Override
              public void beforeExecution(Context.BeforeExecution ctx, ExecutionAttributes a) {
                if (when.test(ctx.request())) {
                  throw new IllegalStateException("crash (test)");
                }
              }
            },
            false)) {
      assertThatThrownBy(() -> h.runner(c).run(b)).hasStackTraceContaining("crash (test)");
    }
  }

  /**
   * Fires everything at {@code slots} slots, then checks that each record of {@code b} was peeked
   * exactly once, emitting {@code key + value}.
   */
  static void assertPeekedOnce(Harness h, Batch b, int slots, String value) {
    KeyedStageRunnerIT.finish(h, slots);
    Map<String, Integer> outputs = new HashMap<>();
    h.outboxText("out").forEach(o -> outputs.merge(o, 1, Integer::sum));
    for (KeyedRecord r : b.records()) {
      assertThat(outputs.get(r.key() + value)).as("peek of " + r.key()).isEqualTo(1);
    }
  }
}
