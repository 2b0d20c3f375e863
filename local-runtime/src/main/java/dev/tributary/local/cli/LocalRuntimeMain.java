package dev.tributary.local.cli;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The local runtime's command line: {@code java -jar tributary-local-runtime-all.jar dynamodb
 * --port 8000 [--data-dir DIR]} serves the DynamoDB-compatible endpoint until interrupted.
 */
@Command(
    name = "tributary-local",
    mixinStandardHelpOptions = true,
    description = "Tributary's local stack, part by part.",
    subcommands = {LocalRuntimeMain.DynamoDb.class})
public final class LocalRuntimeMain implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new LocalRuntimeMain()).execute(args));
  }

  /** Serves the DynamoDB-compatible endpoint. */
  @Command(
      name = "dynamodb",
      mixinStandardHelpOptions = true,
      description = {
        "Serves Tributary's DynamoDB-compatible endpoint on 127.0.0.1.",
        "Point the AWS CLI or an SDK at it with any credentials, e.g.:",
        "  aws dynamodb list-tables --endpoint-url http://127.0.0.1:8000"
      })
  static final class DynamoDb implements Callable<Integer> {
    @Option(
        names = "--port",
        description = "Port on 127.0.0.1 (0 = any free port; default ${DEFAULT-VALUE}).")
    int port = 8000;

    @Option(
        names = "--data-dir",
        description = "Directory to load dynamodb.json from at start and save it to at exit.")
    Path dataDir;

    @Option(
        names = "--ttl-sweep-seconds",
        description = "How often expired TTL items are deleted (default ${DEFAULT-VALUE}).")
    long ttlSweepSeconds = 30;

    @Option(names = "--region", description = "Region in ARNs (default ${DEFAULT-VALUE}).")
    String region = "us-east-1";

    @Override
    public Integer call() throws InterruptedException {
      DynamoDbLocal.Builder builder =
          DynamoDbLocal.builder()
              .port(port)
              .region(region)
              .ttlSweepInterval(Duration.ofSeconds(ttlSweepSeconds));
      if (dataDir != null) {
        builder.dataDir(dataDir);
      }
      DynamoDbLocal local = builder.build();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    local.close();
                    stopped.countDown();
                  },
                  "dynamodb-local-shutdown"));
      System.out.println("DynamoDB endpoint: " + local.endpoint());
      if (dataDir != null) {
        System.out.println("Data: " + dataDir.resolve("dynamodb.json") + " (saved at exit)");
      }
      System.out.println("Press Ctrl-C to stop.");
      stopped.await();
      return 0;
    }
  }
}
