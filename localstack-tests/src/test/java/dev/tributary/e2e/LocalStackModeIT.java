package dev.tributary.e2e;

import static dev.tributary.e2e.E2e.clicks;
import static dev.tributary.e2e.E2e.mapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.cli.JobRun;
import dev.tributary.cli.LocalStackDeployment;
import dev.tributary.examples.clicks.ClickWindowSums;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The same job deployed to a running LocalStack (AWS_ENDPOINT_URL): stream, tables, functions from
 * the examples' Lambda jar, and LocalStack's own Kinesis event source mapping. Skipped, saying how
 * to enable it, when no LocalStack is reachable.
 */
class LocalStackModeIT {
  private static final Path JAR =
      E2e.projectRoot().resolve("examples-lambda/target/tributary-examples-lambda.jar");

  private static URI localStack() {
    LocalStackDeployment.unavailableReason()
        .ifPresent(reason -> Assumptions.abort("LocalStack mode skipped: " + reason));
    return LocalStackDeployment.endpoint().orElseThrow();
  }

  @Test
  void aMissingJobJarIsExplainedBeforeAnythingIsCreated() {
    Path missing = Path.of("no-such-dir/job.jar");
    assertThatThrownBy(
            () ->
                LocalStackDeployment.deploy(
                    URI.create("http://127.0.0.1:1"),
                    ClickWindowSums.class,
                    missing,
                    "s",
                    1,
                    4,
                    "t",
                    mapping(100, 1, false),
                    Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-such-dir/job.jar")
        .hasMessageContaining("mvn -pl examples-lambda -am package");
  }

  @Test
  void theJobRunsExactlyOnceOnLocalStack() {
    URI endpoint = localStack();
    Assumptions.assumeTrue(
        JAR.toFile().isFile(), "LocalStack mode skipped: build " + JAR + " first");
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    try (LocalStackDeployment stack =
        LocalStackDeployment.deploy(
            endpoint,
            ClickWindowSums.class,
            JAR,
            "clicks-" + suffix,
            2,
            4,
            "e2e-" + suffix,
            mapping(100, 1, false),
            Duration.ofSeconds(1))) {
      JobRun.Result result = E2e.check(JobRun.of(stack, clicks(2_000)));
      assertThat(result.epochs()).isPositive();
    }
  }
}
