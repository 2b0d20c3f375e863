package dev.tributary.benchmarks.fanout;

import dev.tributary.coordinator.Coordinator;
import dev.tributary.coordinator.CoordinatorRuntime;
import dev.tributary.coordinator.InProcessInvoker;
import dev.tributary.coordinator.LambdaInvoker;
import dev.tributary.coordinator.SlotInvoker;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.lambda.LocalLambda;
import dev.tributary.operator.Functions;
import dev.tributary.operator.OperatorHandler;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.spi.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;

/**
 * Where running a batch's slots inside the coordinator stops paying off against invoking the
 * operator function per slot: coordinator latency per batch for growing batches, with the slots in
 * process and through Lambda Invoke (the local runtime's Invoke endpoint, each concurrent
 * invocation in its own handler instance). Locally an invoke costs one loopback HTTP call; on AWS
 * it costs more, so the crossover there lies at larger batches than measured here.
 *
 * <pre>
 * ./scripts/benchmark-fanout.sh [--batches N]
 * </pre>
 */
public final class FanOutBenchmark {
  private FanOutBenchmark() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int batches = 12;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--batches")) {
        batches = Integer.parseInt(args[++i]);
      }
    }
    int[] sizes = {10, 50, 200, 1000};
    try (DynamoDbLocal local = DynamoDbLocal.builder().build();
        LocalLambda lambda = LocalLambda.start();
        DynamoDbClient dynamo =
            DynamoDbClient.builder()
                .endpointOverride(local.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(ApacheHttpClient.builder().maxConnections(32).build())
                .build()) {
      RuntimeSettings settings =
          RuntimeSettings.from(
              Map.of(
                  RuntimeSettings.JOB_CLASS, "dev.tributary.examples.clicks.ClickWindowSums",
                  RuntimeSettings.TABLE_PREFIX, "fanout",
                  RuntimeSettings.SLOTS, "8"));
      settings.tables().createIfMissing(dynamo);
      lambda.register(
          "operator",
          () -> new OperatorHandler(Functions.slotExecutorUnchecked(settings, dynamo))::handle);
      try (SlotInvoker inProcess =
              new InProcessInvoker(() -> Functions.slotExecutorUnchecked(settings, dynamo), 4);
          SlotInvoker viaLambda =
              new LambdaInvoker(
                  LambdaAsyncClient.builder()
                      .endpointOverride(lambda.endpoint())
                      .region(Region.US_EAST_1)
                      .credentialsProvider(
                          StaticCredentialsProvider.create(
                              AwsBasicCredentials.create("local", "local")))
                      .build(),
                  "operator",
                  true)) {
        Coordinator here =
            new CoordinatorRuntime(settings, dynamo, inProcess, inProcess, Clock.system())
                .coordinator();
        Coordinator there =
            new CoordinatorRuntime(settings, dynamo, viaLambda, viaLambda, Clock.system())
                .coordinator();
        // warm both paths
        run(here, "warm-here", 200, 4);
        run(there, "warm-there", 200, 4);
        System.out.println(
            "| records per batch (8 slots) | in process: median ms/batch | Lambda invoke (local):"
                + " median ms/batch | faster |");
        System.out.println("|---|---|---|---|");
        for (int size : sizes) {
          long a = run(here, "here-" + size, size, batches);
          long b = run(there, "there-" + size, size, batches);
          System.out.printf(
              Locale.ROOT, "| %d | %d | %d | %s |%n", size, a, b, a <= b ? "in process" : "Lambda");
        }
      }
    }
  }

  /** The median latency of {@code count} batches of {@code size} clicks on a fresh split. */
  private static long run(Coordinator coordinator, String split, int size, int count) {
    Random random = new Random(split.hashCode());
    List<Long> millis = new ArrayList<>();
    long sequence = 0;
    long t = 1_767_225_600_000L;
    for (int b = 0; b < count; b++) {
      List<SourceRecord> records = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        t += 3;
        String json =
            "{\"userId\":\"u"
                + random.nextInt(5000)
                + "\",\"page\":\"/p\",\"timestamp\":"
                + t
                + "}";
        records.add(
            new SourceRecord(
                Long.toString(sequence++), 0, t, json.getBytes(StandardCharsets.UTF_8), Map.of()));
      }
      long start = System.nanoTime();
      Coordinator.Outcome o = coordinator.process(null, split, records);
      millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
      if (o.firstUncommitted() >= 0) {
        throw new IllegalStateException("batch of " + split + " not committed");
      }
    }
    Collections.sort(millis);
    return millis.get(millis.size() / 2);
  }
}
