package dev.tributary.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.state.dynamodb.StateTables;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Deploys the example job with {@code cdklocal} (scripts/cdklocal.sh) to the LocalStack at {@code
 * AWS_ENDPOINT_URL}, checks the tables with state-dynamodb's own schema check, and destroys the
 * stack. Skipped, with the reason, without LocalStack, the CDK CLI or the example jar.
 */
class CdkLocalDeployIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String STACK = "TributaryLocalStackIT";

  /**
   * cdklocal 3 stops before deploying anything when AWS_ENDPOINT_URL comes without
   * AWS_ENDPOINT_URL_S3, and drops AWS_* variables it is not told to keep (the region among them):
   * the script's environment passes cdklocal's own check, with the region kept.
   */
  @Test
  void theScriptsEnvironmentPassesCdklocalsChecks() throws Exception {
    Path lib = ROOT.resolve(".tools/node/node_modules/aws-cdk-local/src/index.js");
    Assumptions.assumeTrue(
        Files.isRegularFile(lib), "cdklocal is not installed: run scripts/install-tools.sh");
    ProcessBuilder pb =
        new ProcessBuilder("bash", ROOT.resolve("scripts/cdklocal.sh").toString())
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().put("TRIBUTARY_CDKLOCAL_CHECK_ENV", "1");
    pb.environment().put("AWS_ENDPOINT_URL", "http://127.0.0.1:4599");
    pb.environment().put("AWS_REGION", "eu-west-1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    JsonNode env = new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
    assertThat(env.path("AWS_ENDPOINT_URL").asText()).isEqualTo("http://127.0.0.1:4599");
    assertThat(env.path("AWS_ENDPOINT_URL_S3").asText())
        .isEqualTo("http://s3.localhost.localstack.cloud:4599");
    assertThat(env.path("AWS_REGION").asText()).isEqualTo("eu-west-1");
    assertThat(env.path("AWS_DEFAULT_REGION").asText()).isEqualTo("eu-west-1");

    // a LocalStack elsewhere: its S3 endpoint cannot be guessed
    pb.environment().put("AWS_ENDPOINT_URL", "http://localstack:4566");
    Process remote = pb.start();
    String said = new String(remote.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(remote.waitFor()).as(said).isEqualTo(2);
    assertThat(said).contains("set AWS_ENDPOINT_URL_S3");
  }

  @Test
  void theExampleJobDeploysToLocalStack() throws Exception {
    String endpoint = System.getenv("AWS_ENDPOINT_URL");
    Assumptions.assumeTrue(
        endpoint != null && !endpoint.isBlank(),
        "AWS_ENDPOINT_URL is not set: start LocalStack and set it (e.g. http://localhost:4566) to"
            + " deploy the example job with cdklocal; see docs/deploy.md");
    Assumptions.assumeTrue(
        Files.isExecutable(ROOT.resolve(".tools/node/node_modules/.bin/cdklocal")),
        "cdklocal is not installed: run scripts/install-tools.sh");
    Assumptions.assumeTrue(
        Files.isRegularFile(ROOT.resolve("examples-lambda/target/tributary-examples-lambda.jar")),
        "the example job's jar is not built: mvn -B -pl examples-lambda -am package -DskipTests");
    Assumptions.assumeTrue(
        Files.isRegularFile(Path.of("target/cdk-app.classpath")),
        "the CDK app is not built: mvn -B -pl infrastructure-cdk -am package -DskipTests");

    Path outputs = Path.of("target/localstack-outputs.json").toAbsolutePath();
    try {
      run("bootstrap");
      run(
          "deploy",
          "--require-approval",
          "never",
          "-c",
          "stackName=" + STACK,
          "-c",
          "removalPolicy=destroy",
          "--outputs-file",
          outputs.toString());
      JsonNode stack = new ObjectMapper().readTree(outputs.toFile()).get(STACK);
      String state = output(stack, "StateTableName");
      String outbox = output(stack, "OutboxTableName");
      String dead = output(stack, "DeadLetterTableName");
      String region = System.getenv().getOrDefault("AWS_REGION", "us-east-1");
      try (DynamoDbClient dynamo =
          DynamoDbClient.builder()
              .endpointOverride(URI.create(endpoint))
              .region(Region.of(region))
              .credentialsProvider(
                  StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
              .build()) {
        // the functions run this same check at cold start
        new StateTables(state, outbox, dead).validate(dynamo);
        assertThat(
                dynamo
                    .describeTimeToLive(b -> b.tableName(state))
                    .timeToLiveDescription()
                    .attributeName())
            .isEqualTo(StateTables.TTL);
      }
    } finally {
      run("destroy", "--force", "-c", "stackName=" + STACK, "-c", "removalPolicy=destroy");
    }
  }

  private static String output(JsonNode stack, String suffix) {
    Iterator<Map.Entry<String, JsonNode>> fields = stack.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (f.getKey().matches("Job" + suffix + "[0-9A-F]{8}")) {
        return f.getValue().asText();
      }
    }
    throw new AssertionError("no output Job" + suffix + " in " + stack);
  }

  private static void run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ROOT.resolve("scripts/cdklocal.sh").toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("cdklocal", ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          "cdklocal " + args[0] + " did not finish in 15 minutes; log: " + log);
    }
    assertThat(p.exitValue())
        .as("cdklocal %s failed:%n%s", args[0], Files.readString(log))
        .isZero();
  }
}
