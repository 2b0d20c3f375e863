package dev.tributary.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.JobGraph;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.state.dynamodb.QueryableState;
import dev.tributary.state.dynamodb.StateTables;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The operator's work on the embedded DynamoDB endpoint, and its Lambda handler. */
class SlotExecutorIT {
  private static final AtomicInteger TABLES = new AtomicInteger();
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();
  @AutoClose private static final DynamoDbClient dynamo = client(local.endpoint());
  private final JobGraph graph = JobGraph.of(new Totals());
  private StateTables tables;

  static DynamoDbClient client(URI endpoint) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build())
        .build();
  }

  @BeforeEach
  void tables() {
    tables = StateTables.withPrefix("op" + TABLES.incrementAndGet());
    tables.createIfMissing(dynamo);
  }

  static SourceRecord payment(long sequence, String account, long amount) {
    return new SourceRecord(
        Long.toString(sequence),
        0,
        sequence,
        ("{\"account\":\"" + account + "\",\"amount\":" + amount + "}")
            .getBytes(StandardCharsets.UTF_8),
        Map.of("partitionKey", account));
  }

  private static OperatorRequest request(int slot, int slots, List<SourceRecord> records) {
    return new OperatorRequest(
        Protocol.VERSION, "totals", "payments", "s-1", slot, slots, 0, 0, 1000, records);
  }

  private SlotExecutor executor() {
    return new SlotExecutor(graph, dynamo, tables, 3);
  }

  @Test
  void aRequestCommitsItsSlotsRecordsAndARepeatSkipsThem() {
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(payment(i, "acct-" + (i % 10), 5));
    }
    int slots = 4;
    long mine =
        records.stream()
            .filter(
                r -> {
                  String account = "acct-" + (Integer.parseInt(r.sequence()) % 10);
                  int kg = KeyGroups.keyGroupOf(account.getBytes(StandardCharsets.UTF_8), 128);
                  return KeyGroups.slotOf(kg, 128, slots) == 1;
                })
            .count();
    OperatorResponse first = executor().execute(request(1, slots, records));
    assertThat(first.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(first.applied()).isEqualTo(mine);
    assertThat(first.outputs()).isEqualTo(mine);
    assertThat(first.epoch()).isEqualTo(1);
    assertThat(first.writeUnits()).isPositive();
    OperatorResponse again = executor().execute(request(1, slots, records));
    assertThat(again.applied()).isZero();
    assertThat(again.skipped()).isEqualTo(mine);
    assertThat(again.committedThrough()).isEqualTo(first.committedThrough());
  }

  @Test
  void aRecordThatKeepsFailingIsSetAsideOnItsThirdAttempt() {
    List<SourceRecord> records =
        List.of(payment(1, "a", 5), payment(2, "a", -1), payment(3, "a", 7));
    SlotExecutor executor = executor();
    for (int attempt = 1; attempt <= 2; attempt++) {
      OperatorResponse r = executor.execute(request(0, 1, records));
      assertThat(r.status()).isEqualTo(OperatorResponse.Status.POISON);
      assertThat(r.attempts()).isEqualTo(attempt);
      assertThat(r.poisonPosition()).isEqualTo("2:0");
      assertThat(r.error()).contains("negative amount -1");
      assertThat(r.committedThrough()).as("records before it commit").isEqualTo("1:0");
    }
    OperatorResponse third = executor.execute(request(0, 1, records));
    assertThat(third.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(third.deadLettered()).isEqualTo(1);
    assertThat(third.committedThrough()).isEqualTo("3:0");
    assertThat(new QueryableState(dynamo, tables, graph).value("sum", Totals.TOTAL, "a"))
        .isEqualTo(12L);
    List<Map<String, AttributeValue>> letters =
        dynamo.scan(b -> b.tableName(tables.deadLetters())).items();
    assertThat(letters).hasSize(1);
    assertThat(new String(letters.get(0).get("payload").b().asByteArray(), StandardCharsets.UTF_8))
        .contains("-1");
    assertThat(letters.get(0).get("metadata").m().get("partitionKey").s()).isEqualTo("a");
    assertThat(letters.get(0).get("attempts").n()).isEqualTo("3");
  }

  @Test
  void aRequestForAnotherJobOrVersionIsRefused() {
    OperatorRequest other =
        new OperatorRequest(Protocol.VERSION, "orders", "payments", "s", 0, 1, 0, 0, 0, List.of());
    assertThatThrownBy(() -> executor().execute(other))
        .hasMessageContaining("request is for job 'orders' but this function runs job 'totals'");
  }

  @Test
  void aTickCommitsNothingWhenNothingIsDue() {
    OperatorResponse r = executor().execute(OperatorRequest.tick("totals", 0, 2, 5000, 5000));
    assertThat(r.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(r.applied()).isZero();
    assertThat(r.split()).isNull();
  }

  @Test
  void theHandlerSpeaksTheWireFormat() throws Exception {
    OperatorHandler handler = new OperatorHandler(executor());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(Protocol.write(request(0, 1, List.of(payment(1, "z", 3))))),
        out,
        null);
    OperatorResponse r = Protocol.readResponse(out.toByteArray());
    assertThat(r.status()).isEqualTo(OperatorResponse.Status.COMMITTED);
    assertThat(r.applied()).isEqualTo(1);
  }

  @Test
  void theHandlerChecksTheTablesAtColdStart() {
    StateTables missing = StateTables.withPrefix("absent");
    RuntimeSettings settings =
        RuntimeSettings.from(
            Map.of(
                RuntimeSettings.JOB_CLASS,
                Totals.class.getName(),
                RuntimeSettings.TABLE_PREFIX,
                "absent"));
    assertThat(settings.tables()).isEqualTo(missing);
    assertThatThrownBy(() -> Functions.slotExecutor(settings, dynamo))
        .hasMessageContaining("DynamoDB table 'absent-state' does not exist");
  }
}
