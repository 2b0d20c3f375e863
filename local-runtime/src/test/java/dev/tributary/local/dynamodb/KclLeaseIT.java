package dev.tributary.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.dynamodbv2.AcquireLockOptions;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.util.DefaultSdkAutoConstructList;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryStatus;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.kinesis.common.DdbTableConfig;
import software.amazon.kinesis.common.HashKeyRangeForLease;
import software.amazon.kinesis.common.StreamIdentifier;
import software.amazon.kinesis.coordinator.CoordinatorConfig;
import software.amazon.kinesis.coordinator.CoordinatorState;
import software.amazon.kinesis.coordinator.CoordinatorStateDAO;
import software.amazon.kinesis.coordinator.migration.ClientVersion;
import software.amazon.kinesis.coordinator.migration.MigrationState;
import software.amazon.kinesis.coordinator.migration.TableMigrationStateMachineImpl;
import software.amazon.kinesis.coordinator.migration.TableMigrationStatus;
import software.amazon.kinesis.coordinator.migration.TableMigrationStatusProvider;
import software.amazon.kinesis.leader.DynamoDBLockBasedLeaderDecider;
import software.amazon.kinesis.leases.EntityDAO;
import software.amazon.kinesis.leases.EntityType;
import software.amazon.kinesis.leases.Lease;
import software.amazon.kinesis.leases.LeaseManagementConfig.WorkerMetricsTableConfig;
import software.amazon.kinesis.leases.LeaseSerializer;
import software.amazon.kinesis.leases.LeaseStatsRecorder;
import software.amazon.kinesis.leases.MultiStreamLease;
import software.amazon.kinesis.leases.UpdateField;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseRefresher;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseRenewer;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseTableDao;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseTaker;
import software.amazon.kinesis.leases.dynamodb.DynamoDBMultiStreamLeaseSerializer;
import software.amazon.kinesis.leases.dynamodb.TableCreatorCallback;
import software.amazon.kinesis.leases.exceptions.DependencyException;
import software.amazon.kinesis.metrics.MetricsFactory;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStats;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStatsDAO;

/**
 * The Kinesis Client Library's (KCL 3.x) DynamoDB lease management against the local endpoint:
 * KCL's own classes ({@link DynamoDBLeaseRefresher}, {@link DynamoDBLeaseTaker}, {@link
 * DynamoDBLeaseRenewer}, the coordinator state DAO, the DynamoDB lock client behind the leader
 * decider, the worker metrics DAO and the lease table DAO) over one {@link DynamoDbAsyncClient}, as
 * a KCL application uses them. KCL writes with the legacy {@code Expected} / {@code
 * AttributeUpdates} parameters, creates the {@code LeaseOwnerToLeaseKeyIndex} GSI with UpdateTable
 * and relies on ConditionalCheckFailedException (with the old item) for every ownership change.
 */
class KclLeaseIT {
  private static final String APP = "kcl-app";
  private static final MetricsFactory METRICS = new NullMetricsFactory();
  private static final long HEARTBEAT_MILLIS = 100;

  /**
   * One Netty event loop for every test's client: a client that owns its event loop waits for
   * Netty's two-second quiet period when it closes.
   */
  private static SdkEventLoopGroup eventLoop;

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private DynamoDbLocal local;
  private DynamoDbAsyncClient ddb;
  private DynamoDbClient sync;
  private ExecutorService executor;

  @BeforeAll
  static void startEventLoop() {
    eventLoop = SdkEventLoopGroup.builder().numberOfThreads(2).build();
  }

  @AfterAll
  static void stopEventLoop() {
    eventLoop.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void start() {
    local = DynamoDbLocal.builder().build();
    resources.push(local);
    ddb =
        DynamoDbAsyncClient.builder()
            .endpointOverride(local.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(eventLoop))
            .build();
    resources.push(ddb);
    sync = LocalClients.client(local.endpoint());
    resources.push(sync);
    executor = Executors.newFixedThreadPool(8);
    resources.push(
        () -> {
          executor.shutdownNow();
          executor.awaitTermination(10, TimeUnit.SECONDS);
        });
  }

  /** Closes everything opened, latest first, even when a test or an earlier close failed. */
  @AfterEach
  void stop() throws Exception {
    Exception failure = null;
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private DynamoDBLeaseRefresher refresher(String table, LeaseSerializer serializer, boolean pitr) {
    return new DynamoDBLeaseRefresher(
        table,
        ddb,
        serializer,
        true,
        TableCreatorCallback.NOOP_TABLE_CREATOR_CALLBACK,
        Duration.ofSeconds(10),
        new DdbTableConfig(),
        false,
        pitr,
        DefaultSdkAutoConstructList.getInstance());
  }

  /** A lease table with the owner index, the way KCL 3 sets it up at start. */
  private DynamoDBLeaseRefresher leaseTable() throws Exception {
    DynamoDBLeaseRefresher refresher = refresher(APP, new DynamoDBLeaseSerializer(), false);
    assertThat(refresher.createLeaseTableIfNotExists()).isTrue();
    assertThat(refresher.waitUntilLeaseTableExists(1, 10)).isTrue();
    assertThat(refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists()).isEqualTo("ACTIVE");
    return refresher;
  }

  private static Lease lease(String key, String owner) {
    Lease lease = new Lease();
    lease.leaseKey(key);
    lease.leaseOwner(owner);
    lease.leaseCounter(0L);
    lease.ownerSwitchesSinceCheckpoint(0L);
    lease.checkpoint(ExtendedSequenceNumber.TRIM_HORIZON);
    lease.parentShardIds(List.of());
    lease.childShardIds(List.of());
    return lease;
  }

  private static Set<String> keys(List<? extends Lease> leases) {
    return leases.stream().map(Lease::leaseKey).collect(Collectors.toSet());
  }

  // ---- the lease table and its index ----

  @Test
  void createsTheLeaseTableAndTheOwnerIndexLikeKcl3() throws Exception {
    DynamoDBLeaseRefresher refresher = refresher(APP, new DynamoDBLeaseSerializer(), false);
    assertThat(refresher.leaseTableExists()).isFalse();
    assertThat(refresher.getLeaseTableIdentifier()).isEmpty();

    long started = System.nanoTime();
    assertThat(refresher.createLeaseTableIfNotExists()).isTrue();
    // ACTIVE at once, so KCL's 10 s poll never sleeps (one poll would take 10 s or more)
    assertThat(sync.describeTable(b -> b.tableName(APP)).table().tableStatus())
        .isEqualTo(TableStatus.ACTIVE);
    assertThat(refresher.waitUntilLeaseTableExists(10, 60)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
    assertThat(refresher.leaseTableExists()).isTrue();
    assertThat(refresher.isLeaseTableEmpty()).isTrue();
    assertThat(refresher.getLeaseTableIdentifier()).isNotEmpty();
    // a second worker finds the table (DescribeTable first, no CreateTable)
    assertThat(refresher(APP, new DynamoDBLeaseSerializer(), false).createLeaseTableIfNotExists())
        .isFalse();

    assertThat(refresher.isLeaseOwnerToLeaseKeyIndexActive()).isFalse();
    assertThat(refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists()).isEqualTo("ACTIVE");
    assertThat(refresher.waitUntilLeaseOwnerToLeaseKeyIndexExists(10, 60)).isTrue();
    assertThat(refresher.isLeaseOwnerToLeaseKeyIndexActive()).isTrue();
    // idempotent: the existing index is reported, not created again
    assertThat(refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists()).isEqualTo("ACTIVE");

    TableDescription table = sync.describeTable(b -> b.tableName(APP)).table();
    assertThat(table.tableStatus()).isEqualTo(TableStatus.ACTIVE);
    assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    assertThat(table.provisionedThroughput().readCapacityUnits()).isZero();
    assertThat(table.tableSizeBytes()).isZero();
    assertThat(table.deletionProtectionEnabled()).isFalse();
    assertThat(table.keySchema())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.attributeName()).isEqualTo("leaseKey");
              assertThat(k.keyType()).isEqualTo(KeyType.HASH);
            });
    GlobalSecondaryIndexDescription index = table.globalSecondaryIndexes().get(0);
    assertThat(index.indexName()).isEqualTo("LeaseOwnerToLeaseKeyIndex");
    assertThat(index.indexStatus()).isEqualTo(IndexStatus.ACTIVE);
    assertThat(index.projection().projectionType()).isEqualTo(ProjectionType.KEYS_ONLY);
    assertThat(index.keySchema())
        .extracting(k -> k.attributeName() + ":" + k.keyType())
        .containsExactly("leaseOwner:HASH", "leaseKey:RANGE");
  }

  @Test
  void tableOptionsProvisionedCapacityPitrDeletionProtectionAndTags() throws Exception {
    DynamoDBLeaseRefresher refresher =
        refresher("provisioned", new DynamoDBLeaseSerializer(), true);
    assertThat(refresher.createLeaseTableIfNotExists(5L, 7L)).isTrue();
    assertThat(refresher.waitUntilLeaseTableExists(1, 10)).isTrue();
    assertThat(refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists()).isEqualTo("ACTIVE");

    TableDescription table = sync.describeTable(b -> b.tableName("provisioned")).table();
    assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PROVISIONED);
    assertThat(table.globalSecondaryIndexes().get(0).provisionedThroughput())
        .satisfies(
            t -> {
              assertThat(t.readCapacityUnits()).isEqualTo(5L);
              assertThat(t.writeCapacityUnits()).isEqualTo(7L);
            });

    // leaseTablePitrEnabled: UpdateContinuousBackups on every createLeaseTableIfNotExists;
    // leaseTableDeletionProtectionEnabled and tags go into CreateTable
    DynamoDBLeaseRefresher pitr =
        new DynamoDBLeaseRefresher(
            APP,
            ddb,
            new DynamoDBLeaseSerializer(),
            false,
            TableCreatorCallback.NOOP_TABLE_CREATOR_CALLBACK,
            Duration.ofSeconds(10),
            new DdbTableConfig(),
            true,
            true,
            List.of(Tag.builder().key("team").value("streams").build()));
    assertThat(pitr.createLeaseTableIfNotExists()).isTrue();
    assertThat(pitr.createLeaseTableIfNotExists()).isTrue(); // PITR sent again, still accepted
    TableDescription protectedTable = sync.describeTable(b -> b.tableName(APP)).table();
    assertThat(protectedTable.deletionProtectionEnabled()).isTrue();
    assertThat(sync.listTagsOfResource(b -> b.resourceArn(protectedTable.tableArn())).tags())
        .containsExactly(Tag.builder().key("team").value("streams").build());
    assertThatThrownBy(() -> sync.deleteTable(b -> b.tableName(APP)))
        .hasMessageContaining("protected against deletion");
    assertThat(
            sync.describeContinuousBackups(b -> b.tableName(APP))
                .continuousBackupsDescription()
                .pointInTimeRecoveryDescription()
                .pointInTimeRecoveryStatus())
        .isEqualTo(PointInTimeRecoveryStatus.ENABLED);
  }

  // ---- lease items ----

  @Test
  void createsReadsListsAndDeletesLeases() throws Exception {
    DynamoDBLeaseRefresher refresher = leaseTable();
    Lease full = lease("shardId-000000000001", null);
    full.checkpoint(
        new ExtendedSequenceNumber("49590338271490256608559692538361571095921575989136588818", 7L));
    full.parentShardIds(List.of("shardId-000000000000"));
    full.childShardIds(List.of("shardId-000000000002", "shardId-000000000003"));
    full.hashKeyRange(
        new HashKeyRangeForLease(
            BigInteger.ZERO, new BigInteger("340282366920938463463374607431768211455")));
    full.throughputKBps(0.0001);
    assertThat(refresher.createLeaseIfNotExists(full)).isTrue();
    assertThat(refresher.createLeaseIfNotExists(full)).as("Expected leaseKey not exists").isFalse();
    for (int i = 2; i <= 20; i++) {
      assertThat(refresher.createLeaseIfNotExists(lease(String.format("shardId-%012d", i), null)))
          .isTrue();
    }

    Lease read = refresher.getLease("shardId-000000000001");
    assertThat(read.leaseOwner()).isNull();
    assertThat(read.leaseCounter()).isZero();
    assertThat(read.checkpoint()).isEqualTo(full.checkpoint());
    assertThat(read.parentShardIds()).containsExactly("shardId-000000000000");
    assertThat(read.childShardIds())
        .containsExactlyInAnyOrder("shardId-000000000002", "shardId-000000000003");
    assertThat(read.hashKeyRangeForLease()).isEqualTo(full.hashKeyRangeForLease());
    assertThat(read.throughputKBps()).isEqualTo(0.0001);
    assertThat(refresher.getLease("shardId-999999999999")).isNull();
    assertThat(refresher.getCheckpoint("shardId-000000000001")).isEqualTo(full.checkpoint());

    assertThat(refresher.isLeaseTableEmpty()).isFalse();
    List<Lease> all = refresher.listLeases();
    assertThat(all).hasSize(20);
    // the renewer's parallel scan: Segment / TotalSegments partition the table
    for (int segments : new int[] {1, 3, 7, 32}) {
      Map.Entry<List<Lease>, List<String>> parallel =
          refresher.listLeasesParallely(executor, segments);
      assertThat(parallel.getKey()).hasSize(20);
      assertThat(keys(parallel.getKey())).isEqualTo(keys(all));
      assertThat(parallel.getValue()).isEmpty();
    }
    // 0 segments: KCL sizes the scan from DescribeTable's TableSizeBytes
    assertThat(keys(refresher.listLeasesParallely(executor, 0).getKey())).isEqualTo(keys(all));

    refresher.deleteLease(read);
    assertThat(refresher.getLease("shardId-000000000001")).isNull();
    // deleting a missing lease is not an error
    refresher.deleteLease(read);
    refresher.deleteAll();
    assertThat(refresher.isLeaseTableEmpty()).isTrue();
  }

  @Test
  void ownershipChangesAreConditionalWritesThatFailAsOnAws() throws Exception {
    DynamoDBLeaseRefresher refresher = leaseTable();
    refresher.createLeaseIfNotExists(lease("shardId-000000000000", null));

    // worker A takes the unowned lease and renews it
    Lease a = refresher.getLease("shardId-000000000000");
    assertThat(refresher.takeLease(a, "worker-a")).isTrue();
    assertThat(a.leaseCounter()).isEqualTo(1L);
    assertThat(refresher.renewLease(a)).isTrue();
    assertThat(refresher.renewLease(a)).isTrue();
    assertThat(refresher.getLease(a.leaseKey()).leaseCounter()).isEqualTo(3L);

    // worker B steals it with the counter it read
    Lease b = refresher.getLease("shardId-000000000000");
    assertThat(refresher.takeLease(b, "worker-b")).isTrue();
    Lease stored = refresher.getLease(b.leaseKey());
    assertThat(stored.leaseOwner()).isEqualTo("worker-b");
    assertThat(stored.leaseCounter()).isEqualTo(4L);
    assertThat(stored.ownerSwitchesSinceCheckpoint()).isEqualTo(1L);

    // A's counter is stale: renew, take, checkpoint and assignment all fail
    assertThat(refresher.renewLease(a)).isFalse();
    assertThat(refresher.takeLease(a, "worker-a")).isFalse();
    a.checkpoint(new ExtendedSequenceNumber("123"));
    assertThat(refresher.updateLease(a)).isFalse();
    assertThat(refresher.assignLease(a, "worker-a")).as("leaseOwner is not worker-a").isFalse();
    assertThat(refresher.evictLease(a)).isFalse();
    assertThat(refresher.initiateGracefulLeaseHandoff(a, "worker-c")).isFalse();
    assertThat(refresher.getLease(b.leaseKey()).leaseCounter()).isEqualTo(4L);

    // B checkpoints (leaseCounter expectation, pending checkpoint state as B)
    b.checkpoint(
        new ExtendedSequenceNumber("49590338271490256608559692538361571095921575989136588818"));
    b.pendingCheckpoint(
        new ExtendedSequenceNumber("49590338271490256608559692538361571095921575989136588999", 2L));
    b.pendingCheckpointState(new byte[] {1, 2, 3});
    b.ownerSwitchesSinceCheckpoint(0L);
    assertThat(refresher.updateLease(b)).isTrue();
    stored = refresher.getLease(b.leaseKey());
    assertThat(stored.checkpoint()).isEqualTo(b.checkpoint());
    assertThat(stored.pendingCheckpoint()).isEqualTo(b.pendingCheckpoint());
    assertThat(stored.pendingCheckpointState()).containsExactly(1, 2, 3);
    assertThat(stored.ownerSwitchesSinceCheckpoint()).isZero();
    assertThat(stored.leaseCounter()).isEqualTo(5L);
    // clearing the pending checkpoint removes the attributes (AttributeUpdates DELETE)
    b.pendingCheckpoint(null);
    b.pendingCheckpointState(null);
    assertThat(refresher.updateLease(b)).isTrue();
    Map<String, AttributeValue> item =
        sync.getItem(
                r -> r.tableName(APP).key(Map.of("leaseKey", AttributeValue.fromS(b.leaseKey()))))
            .item();
    assertThat(item).doesNotContainKeys("pendingCheckpoint", "pendingCheckpointState");
    assertThat(item.get("leaseCounter").n()).isEqualTo("6");

    // the lease assignment manager moves it to C (ReturnValues ALL_NEW is parsed)
    Lease assigned = refresher.getLease(b.leaseKey());
    assertThat(refresher.assignLease(assigned, "worker-c")).isTrue();
    assertThat(assigned.leaseOwner()).isEqualTo("worker-c");
    assertThat(assigned.leaseCounter()).isEqualTo(7L);
    assertThat(assigned.ownerSwitchesSinceCheckpoint()).isEqualTo(1L);
    assertThat(refresher.renewLease(b)).as("B lost the lease").isFalse();

    // eviction removes the owner; the lease is then unassigned
    assertThat(refresher.evictLease(assigned)).isTrue();
    assertThat(assigned.leaseOwner()).isNull();
    stored = refresher.getLease(b.leaseKey());
    assertThat(stored.leaseOwner()).isNull();
    assertThat(stored.leaseCounter()).isEqualTo(8L);
    // assigning an unowned lease expects leaseOwner to be absent
    assertThat(refresher.assignLease(stored, "worker-d")).isTrue();
    assertThat(refresher.getLease(b.leaseKey()).leaseOwner()).isEqualTo("worker-d");
  }

  @Test
  void gracefulHandoffReachesTheOldOwnerThroughTheFailedRenewal() throws Exception {
    DynamoDBLeaseRefresher refresher = leaseTable();
    refresher.createLeaseIfNotExists(lease("shardId-000000000000", null));
    Lease a = refresher.getLease("shardId-000000000000");
    assertThat(refresher.takeLease(a, "worker-a")).isTrue();

    Lease view = refresher.getLease(a.leaseKey());
    assertThat(refresher.initiateGracefulLeaseHandoff(view, "worker-b")).isTrue();
    assertThat(view.leaseOwner()).isEqualTo("worker-b");
    assertThat(view.checkpointOwner()).isEqualTo("worker-a");
    // a second handoff finds a checkpointOwner and fails
    assertThat(refresher.initiateGracefulLeaseHandoff(refresher.getLease(a.leaseKey()), "worker-c"))
        .isFalse();

    // A's renewal expects no checkpointOwner, fails, reads the old item from the
    // ConditionalCheckFailedException, learns of the shutdown and renews without that expectation
    assertThat(a.shutdownRequested()).isFalse();
    FaultRule reads = local.faults().add(FaultRule.on("GetItem").delay(Duration.ZERO));
    FaultRule updates = local.faults().add(FaultRule.on("UpdateItem").delay(Duration.ZERO));
    assertThat(refresher.renewLease(a)).isTrue();
    assertThat(updates.triggered()).as("the failed renewal and its retry").isEqualTo(2);
    assertThat(reads.triggered())
        .as("no GetItem: the ConditionalCheckFailedException carried the item (ALL_OLD)")
        .isZero();
    local.faults().clear();
    assertThat(a.shutdownRequested()).isTrue();
    assertThat(a.checkpointOwner()).isEqualTo("worker-a");
    assertThat(a.leaseOwner()).isEqualTo("worker-b");
    Lease stored = refresher.getLease(a.leaseKey());
    assertThat(stored.leaseCounter()).isEqualTo(2L);
    assertThat(stored.checkpointOwner()).isEqualTo("worker-a");

    // evicting a lease in handoff only clears the checkpoint owner
    assertThat(refresher.evictLease(stored)).isTrue();
    stored = refresher.getLease(a.leaseKey());
    assertThat(stored.leaseOwner()).isEqualTo("worker-b");
    assertThat(stored.checkpointOwner()).isNull();
  }

  @Test
  void metaInfoUpdatesNeverCreateADeletedLease() throws Exception {
    DynamoDBLeaseRefresher refresher = leaseTable();
    Lease lease = lease("shardId-000000000000", null);
    refresher.createLeaseIfNotExists(lease);
    lease.childShardIds(List.of("shardId-000000000001", "shardId-000000000002"));
    refresher.updateLeaseWithMetaInfo(lease, UpdateField.CHILD_SHARDS);
    lease.hashKeyRange(new HashKeyRangeForLease(BigInteger.ONE, BigInteger.TEN));
    refresher.updateLeaseWithMetaInfo(lease, UpdateField.HASH_KEY_RANGE);
    Lease stored = refresher.getLease(lease.leaseKey());
    assertThat(stored.childShardIds())
        .containsExactlyInAnyOrder("shardId-000000000001", "shardId-000000000002");
    assertThat(stored.hashKeyRangeForLease()).isEqualTo(lease.hashKeyRangeForLease());
    assertThat(stored.leaseCounter()).as("no counter change").isZero();

    refresher.deleteLease(lease);
    // Expected {leaseKey: {Value}} fails on the missing item, so the upsert does not happen
    refresher.updateLeaseWithMetaInfo(lease, UpdateField.CHILD_SHARDS);
    assertThat(refresher.getLease(lease.leaseKey())).isNull();
    Lease ghost = lease("shardId-000000000000", "worker-a");
    assertThat(refresher.renewLease(ghost)).isFalse();
    assertThat(refresher.takeLease(ghost, "worker-a")).isFalse();
    assertThat(refresher.assignLease(ghost, "worker-b")).isFalse();
    assertThat(refresher.evictLease(ghost)).isFalse();
    assertThat(refresher.isLeaseTableEmpty()).isTrue();
  }

  @Test
  void listsLeaseKeysOfAWorkerThroughTheSparseOwnerIndex() throws Exception {
    DynamoDBLeaseRefresher refresher = refresher(APP, new DynamoDBLeaseSerializer(), false);
    refresher.createLeaseTableIfNotExists();
    refresher.waitUntilLeaseTableExists(1, 10);
    // leases written before the index exists are backfilled into it
    for (int i = 0; i < 30; i++) {
      refresher.createLeaseIfNotExists(
          lease(String.format("shardId-%012d", i), i % 3 == 0 ? null : "worker-" + (i % 3)));
    }
    // without the index the Query fails (AWS: ValidationException, KCL: DependencyException)
    assertThatThrownBy(() -> refresher.listLeaseKeysForWorker("worker-1"))
        .isInstanceOf(DependencyException.class)
        .hasStackTraceContaining("The table does not have the specified index");

    assertThat(refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists()).isEqualTo("ACTIVE");
    List<String> worker1 = refresher.listLeaseKeysForWorker("worker-1");
    assertThat(worker1)
        .hasSize(10)
        .isSorted()
        .allSatisfy(k -> assertThat(Integer.parseInt(k.substring(8)) % 3).isEqualTo(1));
    assertThat(refresher.listLeaseKeysForWorker("nobody")).isEmpty();

    // ownership changes move the key between index partitions
    Lease moved = refresher.getLease(worker1.get(0));
    assertThat(refresher.takeLease(moved, "worker-2")).isTrue();
    assertThat(refresher.listLeaseKeysForWorker("worker-1")).hasSize(9);
    assertThat(refresher.listLeaseKeysForWorker("worker-2")).hasSize(11).contains(moved.leaseKey());
    assertThat(refresher.evictLease(moved)).isTrue();
    assertThat(refresher.listLeaseKeysForWorker("worker-2")).hasSize(10);
  }

  @Test
  void multiStreamLeasesAreFilteredByStream() throws Exception {
    DynamoDBLeaseRefresher refresher =
        refresher(APP, new DynamoDBMultiStreamLeaseSerializer(), false);
    refresher.createLeaseTableIfNotExists();
    refresher.waitUntilLeaseTableExists(1, 10);
    List<String> streams =
        List.of("123456789012:orders:1700000000", "123456789012:payments:1700000001");
    for (String stream : streams) {
      for (int shard = 0; shard < 4; shard++) {
        MultiStreamLease lease = new MultiStreamLease();
        String shardId = String.format("shardId-%012d", shard);
        lease.leaseKey(MultiStreamLease.getLeaseKey(stream, shardId));
        lease.streamIdentifier(stream);
        lease.shardId(shardId);
        lease.leaseCounter(0L);
        lease.ownerSwitchesSinceCheckpoint(0L);
        lease.checkpoint(ExtendedSequenceNumber.LATEST);
        assertThat(refresher.createLeaseIfNotExists(lease)).isTrue();
      }
    }
    List<Lease> orders =
        refresher.listLeasesForStream(StreamIdentifier.multiStreamInstance(streams.get(0)));
    assertThat(orders)
        .hasSize(4)
        .allSatisfy(
            l -> {
              assertThat(l).isInstanceOf(MultiStreamLease.class);
              assertThat(((MultiStreamLease) l).streamIdentifier()).isEqualTo(streams.get(0));
              assertThat(l.checkpoint()).isEqualTo(ExtendedSequenceNumber.LATEST);
            });
    assertThat(refresher.listLeases()).hasSize(8);

    MultiStreamLease one = (MultiStreamLease) orders.get(0);
    assertThat(refresher.takeLease(one, "worker-a")).isTrue();
    one.checkpoint(new ExtendedSequenceNumber("42"));
    assertThat(refresher.updateLease(one)).isTrue();
    MultiStreamLease stored = (MultiStreamLease) refresher.getLease(one.leaseKey());
    assertThat(stored.shardId()).isEqualTo(one.shardId());
    assertThat(stored.checkpoint()).isEqualTo(new ExtendedSequenceNumber("42"));
  }

  // ---- KCL's taker and renewer, two workers ----

  @Test
  void takerAndRenewerBalanceStealAndFailOverBetweenTwoWorkers() throws Exception {
    // long enough that a slow Scan, Query or steal between two renewals never lets a held lease
    // expire (getCurrentlyHeldLease(s) hides such a lease); the failover below waits one out
    long leaseDurationMillis = 3_000;
    DynamoDBLeaseRefresher refresher = leaseTable();
    for (int i = 0; i < 4; i++) {
      refresher.createLeaseIfNotExists(lease(String.format("shardId-%012d", i), null));
    }
    DynamoDBLeaseTaker takerA =
        new DynamoDBLeaseTaker(refresher, "worker-a", leaseDurationMillis, METRICS);
    DynamoDBLeaseTaker takerB =
        new DynamoDBLeaseTaker(refresher, "worker-b", leaseDurationMillis, METRICS);
    DynamoDBLeaseRenewer renewerA = renewer(refresher, "worker-a", leaseDurationMillis);
    DynamoDBLeaseRenewer renewerB = renewer(refresher, "worker-b", leaseDurationMillis);
    renewerA.initialize();
    renewerB.initialize();

    // A takes every unowned lease
    Map<String, Lease> takenByA = takerA.takeLeases();
    assertThat(takenByA).hasSize(4);
    renewerA.addLeasesToRenew(takenByA.values());
    renewerA.renewLeases();
    assertThat(renewerA.getCurrentlyHeldLeases()).hasSize(4);
    assertThat(refresher.listLeaseKeysForWorker("worker-a")).hasSize(4);

    // B finds none available and steals one (target 2 each, one steal at a time)
    Map<String, Lease> stolen = takerB.takeLeases();
    assertThat(stolen).hasSize(1);
    renewerB.addLeasesToRenew(stolen.values());
    String stolenKey = stolen.keySet().iterator().next();
    assertThat(refresher.getLease(stolenKey).leaseOwner()).isEqualTo("worker-b");

    // A's renewal of the stolen lease fails its leaseCounter expectation: A drops it
    renewerA.renewLeases();
    assertThat(renewerA.getCurrentlyHeldLeases()).hasSize(3).doesNotContainKey(stolenKey);
    renewerB.renewLeases();
    assertThat(renewerB.getCurrentlyHeldLeases()).containsOnlyKeys(stolenKey);

    // A dies (stops renewing); once its leases expire B takes them all
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (renewerB.getCurrentlyHeldLeases().size() < 4 && System.nanoTime() < deadline) {
      renewerB.renewLeases();
      Map<String, Lease> taken = takerB.takeLeases();
      renewerB.addLeasesToRenew(taken.values());
      Thread.sleep(leaseDurationMillis / 4);
    }
    assertThat(renewerB.getCurrentlyHeldLeases()).hasSize(4);
    assertThat(refresher.listLeases())
        .allSatisfy(l -> assertThat(l.leaseOwner()).isEqualTo("worker-b"));
    assertThat(refresher.listLeaseKeysForWorker("worker-a")).isEmpty();

    // A comes back: every renewal fails, it holds nothing
    renewerA.renewLeases();
    assertThat(renewerA.getCurrentlyHeldLeases()).isEmpty();

    // B checkpoints through the renewer (the lease's concurrency token must match)
    Lease held = renewerB.getCurrentlyHeldLease(stolenKey);
    held.checkpoint(new ExtendedSequenceNumber("4711"));
    assertThat(renewerB.updateLease(held, held.concurrencyToken(), "checkpoint", stolenKey))
        .isTrue();
    assertThat(refresher.getCheckpoint(stolenKey)).isEqualTo(new ExtendedSequenceNumber("4711"));
  }

  private DynamoDBLeaseRenewer renewer(
      DynamoDBLeaseRefresher refresher, String worker, long leaseDurationMillis) {
    return new DynamoDBLeaseRenewer(
        refresher,
        worker,
        leaseDurationMillis,
        executor,
        METRICS,
        new LeaseStatsRecorder(1000L, System::currentTimeMillis),
        lease -> {},
        3);
  }

  // ---- coordinator state, leader election, worker metrics (all in the lease table) ----

  private record Worker(
      CoordinatorStateDAO dao,
      TableMigrationStateMachineImpl migration,
      TableMigrationStatusProvider status) {}

  /** A worker's coordinator state, set up as KCL 3.5 does for a new application. */
  private Worker worker(String workerId) throws Exception {
    CoordinatorConfig config = new CoordinatorConfig(APP);
    TableMigrationStatusProvider status = new TableMigrationStatusProvider();
    CoordinatorStateDAO dao =
        new CoordinatorStateDAO(ddb, config.coordinatorStateTableConfig(), APP, status);
    ExecutorService migrationExecutor = Executors.newSingleThreadExecutor();
    TableMigrationStateMachineImpl migration =
        new TableMigrationStateMachineImpl(
            status, dao, workerId, config, METRICS, migrationExecutor);
    resources.push(
        () -> {
          migration.shutdown();
          migrationExecutor.shutdownNow();
        });
    // DescribeTable "<app>-CoordinatorState" -> ResourceNotFoundException -> everything in the
    // lease table
    migration.initialize();
    return new Worker(dao, migration, status);
  }

  @Test
  void coordinatorStateLivesInTheLeaseTable() throws Exception {
    DynamoDBLeaseRefresher refresher = leaseTable();
    refresher.createLeaseIfNotExists(lease("shardId-000000000000", null));
    Worker worker = worker("worker-a");
    assertThat(worker.status().getTableMigrationStatus())
        .isEqualTo(TableMigrationStatus.TABLE_MIGRATION_STATUS_COMPLETE);
    CoordinatorStateDAO dao = worker.dao();

    assertThat(dao.getCoordinatorState(MigrationState.MIGRATION_HASH_KEY)).isNull();
    MigrationState initial =
        new MigrationState("worker-a").update(ClientVersion.CLIENT_VERSION_3X, "worker-a");
    assertThat(dao.createCoordinatorStateIfNotExists(initial)).isTrue();
    assertThat(dao.createCoordinatorStateIfNotExists(initial)).isFalse();
    MigrationState stored =
        (MigrationState) dao.getCoordinatorState(MigrationState.MIGRATION_HASH_KEY);
    assertThat(stored.getClientVersion()).isEqualTo(ClientVersion.CLIENT_VERSION_3X);
    assertThat(stored.getModifiedBy()).isEqualTo("worker-a");
    assertThat(stored.getHistory()).hasSize(1);

    // Expected {leaseKey: {Value}, cv: {Value: old}}, AttributeUpdates PUT cv, mb, mts, h (L of M)
    MigrationState next =
        stored.copy().update(ClientVersion.CLIENT_VERSION_3X_WITH_ROLLBACK, "worker-b");
    assertThat(
            dao.updateCoordinatorStateWithExpectation(
                next, stored.getDynamoClientVersionExpectation()))
        .isTrue();
    MigrationState stale = stored.copy().update(ClientVersion.CLIENT_VERSION_2X, "worker-c");
    assertThat(
            dao.updateCoordinatorStateWithExpectation(
                stale, stored.getDynamoClientVersionExpectation()))
        .as("cv changed in between")
        .isFalse();
    stored = (MigrationState) dao.getCoordinatorState(MigrationState.MIGRATION_HASH_KEY);
    assertThat(stored.getClientVersion()).isEqualTo(ClientVersion.CLIENT_VERSION_3X_WITH_ROLLBACK);
    assertThat(stored.getHistory()).hasSize(2);

    // Scan with FilterExpression "entityType = :entityType"
    List<CoordinatorState> migrations =
        dao.listCoordinatorStateByEntityType(
            EntityType.CoordinatorStateType.CLIENT_VERSION_MIGRATION);
    assertThat(migrations)
        .singleElement()
        .extracting(CoordinatorState::getKey)
        .isEqualTo(MigrationState.MIGRATION_HASH_KEY);
    assertThat(dao.listCoordinatorState()).hasSize(2); // the lease is listed as a generic state
    // lease listings skip the other entity types
    assertThat(refresher.listLeases()).hasSize(1);

    // updating a missing state fails the leaseKey expectation instead of creating it
    assertThat(dao.deleteCoordinatorState(MigrationState.MIGRATION_HASH_KEY)).isTrue();
    assertThat(dao.updateCoordinatorStateWithExpectation(next, null)).isFalse();
    assertThat(dao.getCoordinatorState(MigrationState.MIGRATION_HASH_KEY)).isNull();
  }

  /** The leader lock item, or null. */
  private Map<String, AttributeValue> leaderLock() {
    var response =
        sync.getItem(
            r ->
                r.tableName(APP)
                    .key(Map.of("leaseKey", AttributeValue.fromS("Leader")))
                    .consistentRead(true));
    return response.hasItem() ? response.item() : null;
  }

  private DynamoDBLockBasedLeaderDecider leader(String workerId, long leaseDurationMillis)
      throws Exception {
    Worker worker = worker(workerId);
    DynamoDBLockBasedLeaderDecider leader =
        DynamoDBLockBasedLeaderDecider.create(
            worker.dao(),
            workerId,
            METRICS,
            leaseDurationMillis,
            HEARTBEAT_MILLIS,
            worker.migration());
    resources.push(leader::shutdown);
    leader.initialize();
    return leader;
  }

  @Test
  void leaderElectionWithTheDynamoDbLockClient() throws Exception {
    leaseTable();
    long leaseDurationMillis = 3_000;
    DynamoDBLockBasedLeaderDecider leaderA = leader("worker-a", leaseDurationMillis);
    DynamoDBLockBasedLeaderDecider leaderB = leader("worker-b", leaseDurationMillis);
    DynamoDBLockBasedLeaderDecider leaderC = leader("worker-c", leaseDurationMillis);

    // PutItem "attribute_not_exists(#pk)" grants the lock to A only
    assertThat(leaderA.isLeader("worker-a")).isTrue();
    assertThat(leaderB.isLeader("worker-b")).isFalse();
    Map<String, AttributeValue> lock = leaderLock();
    assertThat(lock.get("ownerName").s()).isEqualTo("worker-a");
    assertThat(lock.get("entityType").s()).isEqualTo("LEADER");
    String firstVersion = lock.get("recordVersionNumber").s();

    // the heartbeat thread (UpdateItem "SET #ld = :ld, #rvn = :newRvn" under a condition) keeps it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String version = firstVersion;
    while (version.equals(firstVersion) && System.nanoTime() < deadline) {
      Thread.sleep(HEARTBEAT_MILLIS);
      version = leaderLock().get("recordVersionNumber").s();
    }
    assertThat(version).as("heartbeat changed the record version").isNotEqualTo(firstVersion);
    assertThat(leaderA.isLeader("worker-a")).isTrue();

    // A releases (DeleteItem under "attribute_exists(#pk) AND #rvn = :rvn AND #on = :on")
    leaderA.shutdown();
    assertThat(leaderLock()).isNull();
    Thread.sleep(2 * HEARTBEAT_MILLIS); // B caches its last "no" for a heartbeat period
    assertThat(leaderB.isLeader("worker-b")).isTrue();
    assertThat(leaderA.isLeader("worker-a")).isFalse();

    // B's heartbeats stop getting through; once its record version has stood still for a lease
    // duration, C takes the lock over with PutItem "attribute_exists(#pk) AND #rvn = :rvn"
    FaultRule heartbeats =
        local
            .faults()
            .add(
                FaultRule.on("UpdateItem")
                    .table(APP)
                    .key("leaseKey", "Leader")
                    .failWith(FaultError.TRANSACTION_CONFLICT));
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean cIsLeader = false;
    while (!cIsLeader && System.nanoTime() < deadline) {
      Thread.sleep(2 * HEARTBEAT_MILLIS);
      cIsLeader = leaderC.isLeader("worker-c");
    }
    assertThat(cIsLeader).isTrue();
    assertThat(heartbeats.triggered()).isPositive();
    local.faults().clear();
    assertThat(leaderLock().get("ownerName").s()).isEqualTo("worker-c");
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean bIsLeader = true;
    while (bIsLeader && System.nanoTime() < deadline) {
      Thread.sleep(2 * HEARTBEAT_MILLIS);
      bIsLeader = leaderB.isLeader("worker-b");
    }
    assertThat(bIsLeader).as("B sees it lost the lock").isFalse();
    assertThat(leaderC.isLeader("worker-c")).isTrue();
  }

  @Test
  void workerMetricStatsAndTheUnifiedEntityScan() throws Exception {
    DynamoDBLeaseRefresher refresher = leaseTable();
    refresher.createLeaseIfNotExists(lease("shardId-000000000000", "worker-a"));
    Worker worker = worker("worker-a");
    worker.dao().createCoordinatorStateIfNotExists(new MigrationState("worker-a"));
    WorkerMetricStatsDAO metrics =
        new WorkerMetricStatsDAO(
            ddb, new WorkerMetricsTableConfig(APP), APP, 30_000L, worker.status());
    // DescribeTable "<app>-WorkerMetricStats" -> ResourceNotFoundException: lease table only
    metrics.initialize();

    long now = Instant.now().getEpochSecond();
    for (String id : List.of("worker-a", "worker-b")) {
      metrics.updateMetrics(
          WorkerMetricStats.builder()
              .workerId(id)
              .lastUpdateTime(now)
              .metricStats(Map.of("CPU", List.of(10.5, 20.25, 30.0)))
              .operatingRange(Map.of("CPU", List.of(80L)))
              .properties(Map.of("host", id + ".local"))
              .build());
    }
    // an upsert again, SET only the non-null attributes
    metrics.updateMetrics(
        WorkerMetricStats.builder()
            .workerId("worker-a")
            .lastUpdateTime(now + 1)
            .metricStats(Map.of("CPU", List.of(50.0)))
            .build());
    List<WorkerMetricStats> all = metrics.getAllWorkerMetricStats();
    assertThat(all)
        .extracting(WorkerMetricStats::getWorkerId)
        .containsExactlyInAnyOrder("worker-a", "worker-b");
    WorkerMetricStats a =
        all.stream().filter(s -> s.getWorkerId().equals("worker-a")).findFirst().orElseThrow();
    assertThat(a.getLastUpdateTime()).isEqualTo(now + 1);
    assertThat(a.getMetricStats()).containsEntry("CPU", List.of(50.0));
    assertThat(a.getOperatingRange()).containsEntry("CPU", List.of(80L));
    assertThat(a.getProperties()).containsEntry("host", "worker-a.local");

    // the parallel scan of the whole table, split by entityType
    DynamoDBLeaseTableDao tableDao =
        new DynamoDBLeaseTableDao(
            ddb,
            APP,
            new DynamoDBLeaseSerializer(),
            worker.dao().getLeaseTableDaoDelegate(),
            executor,
            0);
    Map<EntityType, EntityDAO.EntityScanList> entities = tableDao.scanAllEntities();
    assertThat(entities.get(EntityType.LEASE).getEntities()).hasSize(1);
    assertThat(entities.get(EntityType.WORKER_METRIC_STATS).getEntities()).hasSize(2);
    assertThat(entities.get(EntityType.CLIENT_VERSION_MIGRATION).getEntities()).hasSize(1);
    assertThat(entities.values())
        .allSatisfy(list -> assertThat(list.getDeserializationFailures()).isEmpty());
    assertThat(refresher.listLeases()).hasSize(1);

    // stale-worker cleanup: DeleteItem "#key = :value AND attribute_exists (leaseKey)"
    WorkerMetricStats b =
        all.stream().filter(s -> s.getWorkerId().equals("worker-b")).findFirst().orElseThrow();
    WorkerMetricStats outdated =
        WorkerMetricStats.builder().workerId("worker-b").lastUpdateTime(now - 60).build();
    assertThat(metrics.deleteMetrics(outdated)).as("lut changed since it was read").isFalse();
    assertThat(metrics.deleteMetrics(b)).isTrue();
    assertThat(metrics.deleteMetrics(b)).as("already gone").isFalse();
    assertThat(metrics.getAllWorkerMetricStats())
        .extracting(WorkerMetricStats::getWorkerId)
        .containsExactly("worker-a");
  }

  @Test
  void legacyTableMigrationMovesCoordinatorStateInFencedTransactions() throws Exception {
    leaseTable();
    // the table KCL 3.0 to 3.4 created for coordinator state
    String legacyTable = APP + "-CoordinatorState";
    sync.createTable(
        b ->
            b.tableName(legacyTable)
                .keySchema(k -> k.attributeName("key").keyType(KeyType.HASH))
                .attributeDefinitions(d -> d.attributeName("key").attributeType("S"))
                .billingMode(BillingMode.PAY_PER_REQUEST));
    Worker worker = worker("worker-a");
    assertThat(worker.status().getTableMigrationStatus())
        .isEqualTo(TableMigrationStatus.TABLE_MIGRATION_STATUS_INIT);
    CoordinatorStateDAO dao = worker.dao();
    List<CoordinatorState> entries = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      CoordinatorState entry =
          CoordinatorState.builder()
              .key(String.format("state-%02d", i))
              .attributes(Map.of("payload", AttributeValue.fromS("v" + i)))
              .build();
      assertThat(dao.createCoordinatorStateIfNotExists(entry)).isTrue(); // INIT: legacy table
      entries.add(entry);
    }
    assertThat(dao.getLegacyTableDaoDelegate().listCoordinatorState()).hasSize(30);

    // the leader lock lives in the legacy table until the migration completes
    dao.initializeLockClients(3_000, 100, "worker-a");
    resources.push(dao::shutdownLockClients);
    assertThat(
            dao.getDDBLockClient()
                .tryAcquireLock(
                    AcquireLockOptions.builder("Leader").withShouldSkipBlockingWait(true).build()))
        .isPresent();

    // a stale leader's batch is cancelled as a whole
    assertThatThrownBy(
            () -> dao.executeTransactWrite(moveBatch(dao, "worker-b", entries.subList(0, 25))))
        .isInstanceOf(DependencyException.class)
        .cause()
        .isInstanceOfSatisfying(
            TransactionCanceledException.class,
            e -> {
              assertThat(e.cancellationReasons()).hasSize(51);
              assertThat(e.cancellationReasons().get(0).code()).isEqualTo("ConditionalCheckFailed");
              assertThat(e.cancellationReasons().subList(1, 51))
                  .allSatisfy(r -> assertThat(r.code()).isEqualTo("None"));
            });
    assertThat(dao.getLegacyTableDaoDelegate().listCoordinatorState()).hasSize(31);

    // 1 ConditionCheck + 25 Put + 25 Delete across both tables, then the rest
    dao.executeTransactWrite(moveBatch(dao, "worker-a", entries.subList(0, 25)));
    dao.executeTransactWrite(moveBatch(dao, "worker-a", entries.subList(25, 30)));
    assertThat(dao.getLegacyTableDaoDelegate().listCoordinatorState())
        .extracting(CoordinatorState::getKey)
        .containsExactly("Leader");
    assertThat(dao.getLeaseTableDaoDelegate().listCoordinatorState())
        .extracting(CoordinatorState::getKey)
        .containsAll(entries.stream().map(CoordinatorState::getKey).toList());
    // moving an entry twice fails its attribute_not_exists(leaseKey) condition
    assertThatThrownBy(
            () -> dao.executeTransactWrite(moveBatch(dao, "worker-a", entries.subList(0, 1))))
        .isInstanceOf(DependencyException.class);
  }

  /** The transaction TableMigrationStateMachineImpl#moveBatch builds. */
  private static List<TransactWriteItem> moveBatch(
      CoordinatorStateDAO dao, String leader, List<CoordinatorState> batch) {
    List<TransactWriteItem> items = new ArrayList<>();
    items.add(
        TransactWriteItem.builder()
            .conditionCheck(
                ConditionCheck.builder()
                    .tableName(dao.getLegacyTableDaoDelegate().getTableName())
                    .key(Map.of("key", AttributeValue.fromS("Leader")))
                    .conditionExpression("ownerName = :owner")
                    .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(leader)))
                    .build())
            .build());
    for (CoordinatorState entry : batch) {
      items.add(dao.getLeaseTableDaoDelegate().createTransactPut(entry));
      items.add(dao.getLegacyTableDaoDelegate().createTransactDelete(entry.getKey()));
    }
    return items;
  }
}
