package dev.tributary.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ContinuousBackupsStatus;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryDescription;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryStatus;
import software.amazon.awssdk.services.dynamodb.model.TableNotFoundException;

/**
 * UpdateContinuousBackups / DescribeContinuousBackups (KCL sends the former when {@code
 * leaseTablePitrEnabled} is set). Regression: the point-in-time recovery setting was accepted but
 * never kept, so DescribeContinuousBackups always answered DISABLED; and a missing table answered
 * ResourceNotFoundException where DynamoDB answers TableNotFoundException.
 */
class ContinuousBackupsIT {
  private static final long START_MILLIS = 1_800_000_000_000L;

  private static PointInTimeRecoveryDescription pitr(DynamoDbClient client, String table) {
    var description =
        client.describeContinuousBackups(b -> b.tableName(table)).continuousBackupsDescription();
    assertThat(description.continuousBackupsStatus()).isEqualTo(ContinuousBackupsStatus.ENABLED);
    return description.pointInTimeRecoveryDescription();
  }

  @Test
  void pointInTimeRecoveryIsKeptAndDescribed() {
    AtomicLong clock = new AtomicLong(START_MILLIS);
    try (DynamoDbLocal local = DynamoDbLocal.builder().clock(clock::get).build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      Tables.hashTable(client, "pitr");
      assertThat(pitr(client, "pitr").pointInTimeRecoveryStatus())
          .isEqualTo(PointInTimeRecoveryStatus.DISABLED);
      assertThat(pitr(client, "pitr").earliestRestorableDateTime()).isNull();

      PointInTimeRecoveryDescription enabled =
          client
              .updateContinuousBackups(
                  b ->
                      b.tableName("pitr")
                          .pointInTimeRecoverySpecification(
                              p -> p.pointInTimeRecoveryEnabled(true)))
              .continuousBackupsDescription()
              .pointInTimeRecoveryDescription();
      assertThat(enabled.pointInTimeRecoveryStatus()).isEqualTo(PointInTimeRecoveryStatus.ENABLED);
      assertThat(enabled.recoveryPeriodInDays()).isEqualTo(35);
      assertThat(enabled.earliestRestorableDateTime())
          .isEqualTo(Instant.ofEpochMilli(START_MILLIS));

      clock.addAndGet(3_600_000);
      PointInTimeRecoveryDescription later = pitr(client, "pitr");
      assertThat(later.pointInTimeRecoveryStatus()).isEqualTo(PointInTimeRecoveryStatus.ENABLED);
      assertThat(later.earliestRestorableDateTime()).isEqualTo(Instant.ofEpochMilli(START_MILLIS));
      assertThat(later.latestRestorableDateTime())
          .isEqualTo(Instant.ofEpochMilli(START_MILLIS + 3_600_000 - 300_000));

      // enabling again (KCL does on every start) keeps the original start; a period can be set
      client.updateContinuousBackups(
          b ->
              b.tableName("pitr")
                  .pointInTimeRecoverySpecification(
                      p -> p.pointInTimeRecoveryEnabled(true).recoveryPeriodInDays(7)));
      assertThat(pitr(client, "pitr").recoveryPeriodInDays()).isEqualTo(7);
      assertThat(pitr(client, "pitr").earliestRestorableDateTime())
          .isEqualTo(Instant.ofEpochMilli(START_MILLIS));

      client.updateContinuousBackups(
          b ->
              b.tableName("pitr")
                  .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(false)));
      assertThat(pitr(client, "pitr").pointInTimeRecoveryStatus())
          .isEqualTo(PointInTimeRecoveryStatus.DISABLED);
    }
  }

  @Test
  void missingTablesAndInvalidSpecificationsAreRefused() {
    try (DynamoDbLocal local = DynamoDbLocal.builder().build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      assertThatThrownBy(() -> client.describeContinuousBackups(b -> b.tableName("missing")))
          .isInstanceOf(TableNotFoundException.class)
          .hasMessageStartingWith("Table not found: missing");
      assertThatThrownBy(
              () ->
                  client.updateContinuousBackups(
                      b ->
                          b.tableName("missing")
                              .pointInTimeRecoverySpecification(
                                  p -> p.pointInTimeRecoveryEnabled(true))))
          .isInstanceOf(TableNotFoundException.class)
          .hasMessageStartingWith("Table not found: missing");

      Tables.hashTable(client, "pitr");
      assertThatThrownBy(() -> client.updateContinuousBackups(b -> b.tableName("pitr")))
          .isInstanceOf(DynamoDbException.class)
          .hasMessageStartingWith(
              "1 validation error detected: Value null at 'pointInTimeRecoverySpecification'"
                  + " failed to satisfy constraint: Member must not be null");
      assertThatThrownBy(
              () ->
                  client.updateContinuousBackups(
                      b ->
                          b.tableName("pitr")
                              .pointInTimeRecoverySpecification(
                                  p ->
                                      p.pointInTimeRecoveryEnabled(true).recoveryPeriodInDays(36))))
          .isInstanceOf(DynamoDbException.class)
          .hasMessageStartingWith(
              "1 validation error detected: Value '36' at"
                  + " 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy"
                  + " constraint: Member must have value less than or equal to 35");
      assertThat(pitr(client, "pitr").pointInTimeRecoveryStatus())
          .isEqualTo(PointInTimeRecoveryStatus.DISABLED);
    }
  }

  @Test
  void pointInTimeRecoverySurvivesARestart(@TempDir Path dir) {
    try (DynamoDbLocal local = DynamoDbLocal.builder().dataDir(dir).build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      Tables.hashTable(client, "kept");
      client.updateContinuousBackups(
          b ->
              b.tableName("kept")
                  .pointInTimeRecoverySpecification(
                      p -> p.pointInTimeRecoveryEnabled(true).recoveryPeriodInDays(10)));
    }
    try (DynamoDbLocal local = DynamoDbLocal.builder().dataDir(dir).build();
        DynamoDbClient client = LocalClients.client(local.endpoint())) {
      PointInTimeRecoveryDescription kept = pitr(client, "kept");
      assertThat(kept.pointInTimeRecoveryStatus()).isEqualTo(PointInTimeRecoveryStatus.ENABLED);
      assertThat(kept.recoveryPeriodInDays()).isEqualTo(10);
    }
  }
}
