package dev.tributary.coordinator;

import dev.tributary.JobProvider;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.operator.Functions;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.spi.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A coordinator on the embedded DynamoDB endpoint with fresh tables, its slots run in process
 * through the wire format, and a manual clock; reads back the outbox and the dead letters.
 */
final class Fixture implements AutoCloseable {
  private static final AtomicInteger TABLES = new AtomicInteger();

  final DynamoDbClient dynamo;
  final RuntimeSettings settings;
  final ManualClock clock = new ManualClock(1_767_225_600_000L);
  final InProcessInvoker invoker;
  final CoordinatorRuntime runtime;
  private final Map<String, String> vars;

  Fixture(DynamoDbLocal local, JobProvider job, String... env) {
    this(local, job, false, env);
  }

  /**
   * A fixture whose in-process slots get every request and answer through the wire format when
   * {@code throughWire}, as the operator function does.
   */
  Fixture(DynamoDbLocal local, JobProvider job, boolean throughWire, String... env) {
    dynamo =
        DynamoDbClient.builder()
            .endpointOverride(local.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            // outlasts a stalled endpoint on a loaded machine: a retried attempt could repeat a
            // non-idempotent write
            .httpClient(ApacheHttpClient.builder().socketTimeout(Duration.ofSeconds(60)).build())
            .build();
    Map<String, String> vars = new HashMap<>();
    vars.put(RuntimeSettings.JOB_CLASS, job.getClass().getName());
    vars.put(RuntimeSettings.TABLE_PREFIX, "c" + TABLES.incrementAndGet());
    vars.put(RuntimeSettings.SLOTS, "4");
    vars.put(RuntimeSettings.FAN_OUT, "in-process");
    for (int i = 0; i < env.length; i += 2) {
      vars.put(env[i], env[i + 1]);
    }
    this.vars = vars;
    settings = RuntimeSettings.from(vars);
    settings.tables().createIfMissing(dynamo);
    invoker = new InProcessInvoker(() -> Functions.slotExecutor(settings, dynamo), 4, throughWire);
    runtime = new CoordinatorRuntime(settings, dynamo, invoker, invoker, clock);
  }

  Coordinator coordinator() {
    return runtime.coordinator();
  }

  /**
   * A coordinator of the same job and tables deployed again with the variables {@code env} set
   * (name, value, ...; a null value removes the variable).
   */
  CoordinatorRuntime redeployed(String... env) {
    Map<String, String> changed = new HashMap<>(vars);
    for (int i = 0; i < env.length; i += 2) {
      if (env[i + 1] == null) {
        changed.remove(env[i]);
      } else {
        changed.put(env[i], env[i + 1]);
      }
    }
    return new CoordinatorRuntime(RuntimeSettings.from(changed), dynamo, invoker, invoker, clock);
  }

  /** A second coordinator on the same tables (another invocation, e.g. a duplicate). */
  CoordinatorRuntime another() {
    return new CoordinatorRuntime(settings, dynamo, invoker, invoker, clock);
  }

  static SourceRecord text(long sequence, String text) {
    return new SourceRecord(
        Long.toString(sequence), 0, sequence, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** The committed sink records (as UTF-8 text), in outbox order. */
  List<String> outbox(String sink) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      Map<String, AttributeValue> exclusive = start;
      var page =
          dynamo.scan(b -> b.tableName(settings.tables().outbox()).exclusiveStartKey(exclusive));
      items.addAll(page.items());
      start =
          page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
              ? page.lastEvaluatedKey()
              : null;
    } while (start != null);
    items.sort(
        Comparator.comparing((Map<String, AttributeValue> i) -> i.get("pk").s())
            .thenComparing(i -> i.get("sk").s()));
    List<String> out = new ArrayList<>();
    for (Map<String, AttributeValue> item : items) {
      for (AttributeValue r : item.get("r").l()) {
        if (r.m().get("s").s().equals(sink)) {
          out.add(new String(r.m().get("v").b().asByteArray(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  List<Map<String, AttributeValue>> deadLetters() {
    return dynamo.scan(b -> b.tableName(settings.tables().deadLetters())).items();
  }

  @Override
  public void close() {
    invoker.close();
    dynamo.close();
  }
}
