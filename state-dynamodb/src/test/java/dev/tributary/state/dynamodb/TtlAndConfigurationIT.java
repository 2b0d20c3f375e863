package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.JobGraph;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.dynamodb.FaultError;
import dev.tributary.local.dynamodb.FaultRule;
import dev.tributary.state.dynamodb.KvJob.Op;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;

/**
 * State TTL (the DynamoDB TTL attribute plus the read-side check) and configuration errors found at
 * start: a missing table, a wrong key schema, no permission.
 */
class TtlAndConfigurationIT {
  private static final AtomicLong NOW = new AtomicLong(1_700_000_000_000L);

  @AutoClose
  private static final DynamoDbLocal local = DynamoDbLocal.builder().clock(NOW::get).build();

  private static RunReport run(Harness h, Op op, long offset, long processingTime) {
    List<KeyedRecord> keyed = h.keyed(KvJob.SOURCE, List.of(op), offset);
    return h.runner().run(new Batch("s", 0, 1, keyed, Long.MIN_VALUE, processingTime));
  }

  @Test
  void expiredStateIsNeverReturnedEvenBeforeDynamoDbDeletesIt() {
    try (Harness h = Harness.on(local, new KvJob())) {
      long t0 = NOW.get();
      run(h, new Op("user", "session", 0, 0), 0, t0);
      run(h, new Op("user", "session", 0, 0), 1, t0 + 500);
      // 1.5 s after the last write the session has expired: the function sees nothing
      run(h, new Op("user", "session", 0, 0), 2, t0 + 2000);
      assertThat(h.<String>outbox(KvJob.SINK))
          .containsExactly("user had null", "user had seen-0", "user had null");
      // queryable state applies the same check with its own clock
      QueryableState at = new QueryableState(h.client, h.tables, h.graph, () -> t0 + 2100);
      assertThat(at.value(KvJob.UID, KvJob.SESSION, "user")).isEqualTo("seen-2");
      QueryableState later = new QueryableState(h.client, h.tables, h.graph, () -> t0 + 3100);
      assertThat(later.value(KvJob.UID, KvJob.SESSION, "user")).isNull();
    }
  }

  @Test
  void aKeyWhoseStateAllHasATtlGetsTheTtlAttributeAndTheSweepDeletesIt() {
    JobGraph graph = JobGraph.of(new SessionOnlyJob());
    try (Harness h = Harness.on(local, new SessionOnlyJob())) {
      long t0 = NOW.get();
      List<KeyedRecord> keyed = h.keyed("events", List.of("visitor"), 0);
      h.runner().run(new Batch("s", 0, 1, keyed, Long.MIN_VALUE, t0));
      assertThat(h.itemsOfKey("last-seen", "visitor")).isEqualTo(1);
      Map<String, AttributeValue> main = mainItem(h, "visitor");
      long expiresAt = Long.parseLong(main.get(StateTables.TTL).n());
      assertThat(expiresAt).isBetween(t0 / 1000 + 60, t0 / 1000 + 62);
      NOW.set((expiresAt + 1) * 1000);
      local.sweepExpiredItems();
      assertThat(h.itemsOfKey("last-seen", "visitor")).isZero();
      assertThat(graph.jobName()).isEqualTo("sessions-only");
    }
  }

  private static Map<String, AttributeValue> mainItem(Harness h, String key) {
    return h.client.scan(b -> b.tableName(h.tables.state())).items().stream()
        .filter(i -> i.get("pk").s().startsWith("K#") && i.get("sk").s().equals("#"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aMissingTableFailsAtStartNamingTheTableTheSchemaAndTheFix() {
    try (Harness h = Harness.on(local, new KvJob())) {
      StateTables missing = StateTables.withPrefix("nope");
      assertThatThrownBy(() -> missing.validate(h.client))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("'nope-state' does not exist")
          .hasMessageContaining("partition key 'pk' (S) and sort key 'sk' (S)")
          .hasMessageContaining("createIfMissing");
      h.tables.validate(h.client);
    }
  }

  @Test
  void aTableWithAnotherKeySchemaFailsAtStart() {
    try (Harness h = Harness.on(local, new KvJob())) {
      StateTables wrong = StateTables.withPrefix("wrong-" + System.nanoTime());
      for (String name : wrong.names()) {
        h.client.createTable(
            b ->
                b.tableName(name)
                    .keySchema(
                        KeySchemaElement.builder()
                            .attributeName("id")
                            .keyType(KeyType.HASH)
                            .build())
                    .attributeDefinitions(
                        AttributeDefinition.builder()
                            .attributeName("id")
                            .attributeType("S")
                            .build())
                    .billingMode(BillingMode.PAY_PER_REQUEST));
      }
      assertThatThrownBy(() -> wrong.validate(h.client))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(wrong.state())
          .hasMessageContaining("has key schema")
          .hasMessageContaining("Recreate the table");
    }
  }

  @Test
  void noPermissionFailsAtStartNamingTheActionToGrant() {
    try (Harness h = Harness.on(local, new KvJob())) {
      local.faults().add(FaultRule.on("DescribeTable").failWith(FaultError.ACCESS_DENIED));
      try {
        assertThatThrownBy(() -> h.tables.validate(h.client))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no permission to describe DynamoDB table '" + h.tables.state())
            .hasMessageContaining("grant dynamodb:DescribeTable");
      } finally {
        local.faults().clear();
      }
    }
  }

  @Test
  void queryableStateNamesTheKeyedOperatorsWhenTheUidIsUnknown() {
    try (Harness h = Harness.on(local, new KvJob())) {
      assertThatThrownBy(() -> h.state().value("nope", KvJob.COUNT, "k"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no keyed operator with uid 'nope'")
          .hasMessageContaining("[kv]");
    }
  }

  /** A job whose only state has a TTL: its items carry the TTL attribute. */
  static final class SessionOnlyJob implements dev.tributary.JobProvider {
    @Override
    public void build(dev.tributary.StreamEnvironment env) {
      env.jobName("sessions-only")
          .kinesis("events", dev.tributary.serde.Serdes.string())
          .keyBy(v -> v)
          .process(new LastSeen())
          .uid("last-seen")
          .sinkTo("out", dev.tributary.serde.Serdes.string());
    }
  }

  /** Remembers when a visitor was last seen, for a minute. */
  static final class LastSeen
      extends dev.tributary.functions.KeyedProcessFunction<String, String, String> {
    static final dev.tributary.state.ValueStateDescriptor<Long> LAST =
        new dev.tributary.state.ValueStateDescriptor<>("last", Long.class)
            .withTtl(dev.tributary.state.StateTtlConfig.ofWrite(java.time.Duration.ofMinutes(1)));

    private transient dev.tributary.state.ValueState<Long> last;

    @Override
    public void open(dev.tributary.functions.OpenContext context) {
      last = getRuntimeContext().getState(LAST);
    }

    @Override
    public void processElement(
        String visitor, Context ctx, dev.tributary.functions.Collector<String> out) {
      last.update(ctx.timerService().currentProcessingTime());
    }
  }
}
