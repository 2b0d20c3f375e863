package dev.tributary.cdk;

import dev.tributary.cdk.internal.FunctionEnvironment;
import java.util.List;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;

/**
 * The three DynamoDB tables of a job, exactly as state-dynamodb's {@code StateTables} expects them
 * (docs/protocol.md, "Tables"): partition key {@code pk} (S), sort key {@code sk} (S), no index,
 * TTL on {@code expiresAt}; on-demand, with point-in-time recovery and encryption at rest under the
 * AWS-managed DynamoDB key.
 */
public final class JobTables extends Construct {
  private final Table state;
  private final Table outbox;
  private final Table deadLetters;

  /** The state table's name is the prefix and this. */
  static final String STATE_SUFFIX = "-state";

  /** The outbox table's name is the prefix and this. */
  static final String OUTBOX_SUFFIX = "-outbox";

  /** The dead-letter table's name is the prefix and this. */
  static final String DEAD_LETTER_SUFFIX = "-dead-letters";

  JobTables(Construct scope, String id, String prefix, RemovalPolicy removalPolicy) {
    super(scope, id);
    this.state = table("State", prefix == null ? null : prefix + STATE_SUFFIX, removalPolicy);
    this.outbox = table("Outbox", prefix == null ? null : prefix + OUTBOX_SUFFIX, removalPolicy);
    this.deadLetters =
        table("DeadLetters", prefix == null ? null : prefix + DEAD_LETTER_SUFFIX, removalPolicy);
  }

  private Table table(String id, String name, RemovalPolicy removalPolicy) {
    return Table.Builder.create(this, id)
        .tableName(name)
        .partitionKey(
            Attribute.builder()
                .name(FunctionEnvironment.PARTITION_KEY)
                .type(AttributeType.STRING)
                .build())
        .sortKey(
            Attribute.builder()
                .name(FunctionEnvironment.SORT_KEY)
                .type(AttributeType.STRING)
                .build())
        .billingMode(BillingMode.PAY_PER_REQUEST)
        .pointInTimeRecoverySpecification(
            PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
        .encryption(TableEncryption.AWS_MANAGED)
        .timeToLiveAttribute(FunctionEnvironment.TTL_ATTRIBUTE)
        .removalPolicy(removalPolicy)
        .build();
  }

  /** Keyed state, timers, checkpoints and attempt counters: every commit writes here. */
  public ITable state() {
    return state;
  }

  /** Committed sink records waiting for the publisher. */
  public ITable outbox() {
    return outbox;
  }

  /** Records set aside after too many failed attempts, with their payload and error. */
  public ITable deadLetters() {
    return deadLetters;
  }

  /** The three tables. */
  public List<ITable> all() {
    return List.of(state, outbox, deadLetters);
  }

  /** Lets {@code grantee} read and write the items of every table (and describe them). */
  public void grantReadWriteData(IGrantable grantee) {
    for (ITable table : all()) {
      table.grantReadWriteData(grantee);
    }
  }
}
