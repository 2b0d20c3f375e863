package dev.tributary.benchmarks.coldstart;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.StateTables;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cold start of the two functions, locally: each run starts a fresh JVM on the shaded function jar
 * (examples-lambda), with Lambda's JVM flags for Java, against the embedded DynamoDB endpoint, and
 * measures JVM start to main, the handler's init (environment, job graph, clients, table check),
 * the first invocation and a warm one. Prints a Markdown table of medians.
 *
 * <pre>
 * ./scripts/benchmark-coldstart.sh [--runs N]
 * </pre>
 */
public final class ColdStartBenchmark {
  private static final Pattern LINE =
      Pattern.compile(
          "COLDSTART \\{\"jvmToMain\":(\\d+),\"init\":(\\d+),\"first\":(\\d+),\"warm\":(\\d+)}");

  private ColdStartBenchmark() {}

  /** Entry point: {@code <function jar> <probe classes dir> [--runs N]}. */
  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    Path probe = Path.of(args[1]);
    int runs = 5;
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--runs")) {
        runs = Integer.parseInt(args[++i]);
      }
    }
    if (!Files.exists(jar)) {
      throw new IllegalArgumentException(
          jar + " does not exist; build it with mvn -pl examples-lambda -am package");
    }
    try (DynamoDbLocal local = DynamoDbLocal.builder().build()) {
      StateTables tables = StateTables.withPrefix("coldstart");
      try (DynamoDbClient client =
          DynamoDbClient.builder()
              .endpointOverride(local.endpoint())
              .region(Region.US_EAST_1)
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
              .httpClient(UrlConnectionHttpClient.create())
              .build()) {
        tables.createIfMissing(client);
      }
      String request =
          "{\"version\":1,\"job\":\"click-window-sums\",\"source\":\"clicks\",\"split\":\"s\","
              + "\"slot\":0,\"slots\":1,\"inputWatermark\":0,\"watermark\":0,\"processingTime\":0,"
              + "\"records\":[{\"sequence\":\"1\",\"subSequence\":0,\"timestamp\":0,\"data\":\""
              + java.util.Base64.getEncoder()
                  .encodeToString(
                      "{\"userId\":\"u\",\"page\":\"/\",\"timestamp\":1000}"
                          .getBytes(StandardCharsets.UTF_8))
              + "\",\"metadata\":{}}]}";
      Map<String, String> env =
          Map.of(
              "TRIBUTARY_JOB_CLASS", "dev.tributary.examples.clicks.ClickWindowSums",
              "TRIBUTARY_TABLE_PREFIX", "coldstart",
              "TRIBUTARY_SLOTS", "1",
              "TRIBUTARY_FAN_OUT", "in-process",
              "AWS_ENDPOINT_URL", local.endpoint().toString(),
              "AWS_REGION", "us-east-1",
              "AWS_ACCESS_KEY_ID", "local",
              "AWS_SECRET_ACCESS_KEY", "local");
      String cp = jar + File.pathSeparator + probe;
      List<long[]> operator = new ArrayList<>();
      List<long[]> coordinator = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        operator.add(probe(cp, env, "dev.tributary.operator.OperatorHandler", "operator", request));
        coordinator.add(probe(cp, env, "dev.tributary.coordinator.TickHandler", "tick", ""));
      }
      System.out.println(
          "| function | JVM start to main | init (handler constructed) | first invocation |"
              + " warm invocation |");
      System.out.println("|---|---|---|---|---|");
      System.out.println(row("operator (OperatorHandler, 1 record)", operator));
      System.out.println(row("coordinator (TickHandler, 1 slot in process)", coordinator));
    }
  }

  private static String row(String name, List<long[]> runs) {
    return String.format(
        Locale.ROOT,
        "| %s | %d ms | %d ms | %d ms | %d ms |",
        name,
        median(runs, 0),
        median(runs, 1),
        median(runs, 2),
        median(runs, 3));
  }

  private static long median(List<long[]> runs, int column) {
    List<Long> values = new ArrayList<>();
    runs.forEach(r -> values.add(r[column]));
    Collections.sort(values);
    return values.get(values.size() / 2);
  }

  private static long[] probe(
      String classpath, Map<String, String> env, String handler, String kind, String request)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                // what Lambda's Java runtimes use by default
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-cp",
                classpath,
                ColdStartProbe.class.getName(),
                handler,
                kind));
    if (!request.isEmpty()) {
      command.add(request);
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      String found = null;
      StringBuilder all = new StringBuilder();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          all.append(line).append('\n');
          if (line.startsWith("COLDSTART")) {
            found = line;
          }
        }
      }
      if (!p.waitFor(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS) || found == null) {
        throw new IllegalStateException("the probe of " + handler + " failed:\n" + all);
      }
      Matcher m = LINE.matcher(found);
      if (!m.find()) {
        throw new IllegalStateException("unexpected probe output: " + found);
      }
      return new long[] {
        Long.parseLong(m.group(1)),
        Long.parseLong(m.group(2)),
        Long.parseLong(m.group(3)),
        Long.parseLong(m.group(4))
      };
    } finally {
      p.destroyForcibly();
    }
  }
}
