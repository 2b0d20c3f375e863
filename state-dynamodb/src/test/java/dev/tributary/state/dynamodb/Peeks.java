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
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

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

  /** Whether {@code r} writes a split's counts item. */
  static boolean countsPut(SdkRequest r) {
    return r instanceof PutItemRequest p
        && p.item().containsKey("sk")
        && EarlierSlotCounts.HISTORY_SK.equals(p.item().get("sk").s());
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
