package dev.tributary.cdk.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The module's CDK app: its context, its errors, and the files the cdk CLI reads. */
class ExampleAppTest {
  private static App app(Map<String, Object> context) throws IOException {
    return App.Builder.create()
        .outdir(Files.createTempDirectory("cdk.out").toString())
        .context(context)
        .build();
  }

  private static String jar() throws IOException {
    Path jar = Files.createTempFile("job", ".jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
      zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      zip.closeEntry();
    }
    return jar.toString();
  }

  @Test
  void theAppDeploysTheExampleJobAndPassesCdkNag() throws IOException {
    Map<String, Object> context = new HashMap<>();
    context.put("jobJar", jar());
    context.put("stackName", "Clicks");
    context.put("slots", "2");
    context.put("removalPolicy", "destroy");
    Stack stack = ExampleApp.stack(app(context));
    Template template = Template.fromStack(stack);
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Map.of(
            "Handler",
            "dev.tributary.coordinator.KinesisHandler::handleRequest",
            "Environment",
            Map.of(
                "Variables",
                Match.objectLike(
                    Map.of(
                        "TRIBUTARY_JOB_CLASS",
                        ExampleApp.EXAMPLE_JOB_CLASS,
                        "TRIBUTARY_SLOTS",
                        "2",
                        "TRIBUTARY_JOB_NAME",
                        ExampleApp.EXAMPLE_JOB_NAME)))));
    template.hasResource("AWS::DynamoDB::Table", Map.of("DeletionPolicy", "Delete"));
    template.resourceCountIs("AWS::Kinesis::Stream", 1);
    // the stream goes with the stack too (the CDK keeps streams by default)
    template.hasResource("AWS::Kinesis::Stream", Map.of("DeletionPolicy", "Delete"));
    assertThat(dev.tributary.cdk.StacksAccess.findings(stack)).isEmpty();
  }

  @Test
  void partitionsAndSplitsInTheContextAreTheCoordinatorsSplits() throws IOException {
    String jar = jar();
    Map<String, Object> kafka = new HashMap<>();
    kafka.put("jobJar", jar);
    kafka.put("source", "msk");
    kafka.put(
        "clusterArn",
        "arn:aws:kafka:eu-west-1:123456789012:cluster/clicks/0123abcd-1111-2222-3333-444455556666-1");
    kafka.put("topic", "clicks");
    kafka.put("partitions", "3");
    assertSplits(app(kafka), "clicks-0,clicks-1,clicks-2");
    assertSplits(
        app(Map.of("jobJar", jar, "splits", "clicks/shardId-000000000003")),
        "clicks/shardId-000000000003");
  }

  /** A function of the app's stack has {@code TRIBUTARY_SPLITS} = {@code splits}. */
  private static void assertSplits(App app, String splits) {
    Template.fromStack(ExampleApp.stack(app))
        .hasResourceProperties(
            "AWS::Lambda::Function",
            Map.of(
                "Environment",
                Map.of("Variables", Match.objectLike(Map.of("TRIBUTARY_SPLITS", splits)))));
  }

  @Test
  void anUnbuiltJarFailsWithTheBuildCommand() {
    assertThatThrownBy(() -> ExampleApp.stack(app(Map.of("jobJar", "missing/job.jar"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jobJar is 'missing/job.jar' but there is no file at")
        .hasMessageContaining("mvn -B -pl examples-lambda -am package -DskipTests");
  }

  @Test
  void wrongContextNamesTheKeyAndTheChoices() throws IOException {
    String jar = jar();
    assertThatThrownBy(() -> ExampleApp.stack(app(Map.of("jobJar", jar, "source", "sqs"))))
        .hasMessageContaining("context source is 'sqs'; use kinesis");
    assertThatThrownBy(() -> ExampleApp.stack(app(Map.of("jobJar", jar, "source", "msk"))))
        .hasMessageContaining("context clusterArn is not set but source is msk");
    assertThatThrownBy(() -> ExampleApp.stack(app(Map.of("jobJar", jar, "slots", "many"))))
        .hasMessageContaining("context slots is 'many'; it must be a whole number");
  }

  @Test
  void cdkJsonRunsTheAppOfflineWithoutNoticesOrTelemetry() throws IOException {
    JsonNode cdk = new ObjectMapper().readTree(Path.of("cdk.json").toFile());
    assertThat(cdk.get("app").asText()).isEqualTo("./cdk-app.sh");
    assertThat(cdk.get("notices").asBoolean()).isFalse();
    assertThat(cdk.get("versionReporting").asBoolean()).isFalse();
    assertThat(cdk.at("/context/cli-telemetry").asBoolean(true)).isFalse();
    assertThat(Files.isExecutable(Path.of("cdk-app.sh"))).isTrue();
    assertThat(Files.readString(Path.of("cdk-app.sh")))
        .contains("dev.tributary.cdk.app.ExampleApp", "target/cdk-app.classpath");
    String install = Files.readString(Path.of("../scripts/install-tools.sh"));
    assertThat(install).containsPattern("\"aws-cdk@\\d+\\.\\d+\\.\\d+\"");
    assertThat(install).containsPattern("\"aws-cdk-local@\\d+\\.\\d+\\.\\d+\"");
  }
}
