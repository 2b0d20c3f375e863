package dev.tributary.cdk.app;

import dev.tributary.cdk.EventSourceSettings;
import dev.tributary.cdk.JobSource;
import dev.tributary.cdk.KafkaSource;
import dev.tributary.cdk.KinesisSource;
import dev.tributary.cdk.StreamJob;
import dev.tributary.cdk.StreamJobProps;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import io.github.cdklabs.cdknag.ServerlessChecks;
import java.util.List;
import java.util.Locale;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.kinesis.Stream;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretAttributes;

/**
 * The CDK app of this module ({@code cdk.json}): deploys one job with {@link StreamJob}, by default
 * the example {@code ClickWindowSums} from the examples-lambda jar on a new on-demand Kinesis
 * stream, and checks it with cdk-nag's AWS Solutions and Serverless packs at every synth. Context
 * values ({@code cdk deploy -c key=value}) deploy your own job with the same app; see
 * docs/deploy.md.
 */
public final class ExampleApp {
  /** The example job's jar, relative to this module (where cdk.json is). */
  public static final String EXAMPLE_JAR =
      "../examples-lambda/target/tributary-examples-lambda.jar";

  /** The example job. */
  public static final String EXAMPLE_JOB_CLASS = "dev.tributary.examples.clicks.ClickWindowSums";

  /** The example job's name (it sets it with {@code StreamEnvironment.jobName}). */
  public static final String EXAMPLE_JOB_NAME = "click-window-sums";

  private ExampleApp() {}

  /** Synthesizes the app; a wrong context value ends it with the problem and the fix. */
  public static void main(String[] args) {
    App app = new App();
    try {
      stack(app);
    } catch (IllegalArgumentException e) {
      System.err.println("tributary: " + e.getMessage());
      System.exit(1);
    }
    app.synth();
  }

  /**
   * Adds the stack the context describes to {@code app}, and cdk-nag's packs (unless {@code -c
   * nag=false}).
   *
   * @throws IllegalArgumentException naming a wrong context value, or the props that are wrong
   */
  public static Stack stack(App app) {
    String stackName = context(app, "stackName", "TributaryExample");
    String account = System.getenv("CDK_DEFAULT_ACCOUNT");
    String region = System.getenv("CDK_DEFAULT_REGION");
    StackProps.Builder stackProps =
        StackProps.builder().description("Tributary job " + context(app, "jobName", "?"));
    if (account != null && region != null) {
      stackProps.env(Environment.builder().account(account).region(region).build());
    }
    Stack stack = new Stack(app, stackName, stackProps.build());
    StreamJobProps.Builder props =
        StreamJobProps.builder()
            .jobJar(context(app, "jobJar", EXAMPLE_JAR))
            .jobClass(context(app, "jobClass", EXAMPLE_JOB_CLASS))
            .jobName(context(app, "jobName", EXAMPLE_JOB_NAME))
            .source(source(app, stack))
            .slots(integer(app, "slots", 4))
            .eventSource(
                EventSourceSettings.builder().batchSize(integer(app, "batchSize", 100)).build());
    String removal = context(app, "removalPolicy", "retain").toLowerCase(Locale.ROOT);
    switch (removal) {
      case "retain" -> props.removalPolicy(RemovalPolicy.RETAIN);
      case "destroy" -> props.removalPolicy(RemovalPolicy.DESTROY);
      default ->
          throw new IllegalArgumentException(
              "context removalPolicy is '"
                  + removal
                  + "'; use retain (the default: tables outlive the stack) or destroy");
    }
    String splits = context(app, "splits", null);
    if (splits != null) {
      props.splits(List.of(splits.split(",", -1)));
    }
    String prefix = context(app, "tablePrefix", null);
    if (prefix != null) {
      props.tablePrefix(prefix);
    }
    new StreamJob(stack, "Job", props.build());
    if (!"false".equals(context(app, "nag", "true"))) {
      Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
      Aspects.of(app).add(new ServerlessChecks(NagPackProps.builder().verbose(true).build()));
    }
    return stack;
  }

  private static JobSource source(App app, Stack stack) {
    String kind = context(app, "source", "kinesis").toLowerCase(Locale.ROOT);
    switch (kind) {
      case "kinesis":
        String streamArn = context(app, "streamArn", null);
        if (streamArn != null) {
          return KinesisSource.existing(Stream.fromStreamArn(stack, "Source", streamArn));
        }
        String shards = context(app, "shards", null);
        return shards == null
            ? KinesisSource.onDemand()
            : KinesisSource.provisioned(integer(app, "shards", 1));
      case "msk":
        KafkaSource msk =
            KafkaSource.msk(required(app, "clusterArn", kind), required(app, "topic", kind));
        String mskSecret = context(app, "secretArn", null);
        return partitions(
            app, mskSecret == null ? msk : msk.withSecret(mskSecret(app, stack, mskSecret)));
      case "kafka":
        return partitions(
            app,
            KafkaSource.selfManaged(
                List.of(required(app, "bootstrapServers", kind).split(",")),
                required(app, "topic", kind),
                Secret.fromSecretCompleteArn(
                    stack, "KafkaSecret", required(app, "secretArn", kind))));
      default:
        throw new IllegalArgumentException(
            "context source is '"
                + kind
                + "'; use kinesis (the default: a new on-demand stream, or -c streamArn=...), msk"
                + " (-c clusterArn=... -c topic=...) or kafka (-c bootstrapServers=host:port,..."
                + " -c topic=... -c secretArn=...)");
    }
  }

  /** {@code source} with the topic's partitions declared if {@code -c partitions=N} says so. */
  private static KafkaSource partitions(App app, KafkaSource source) {
    return context(app, "partitions", null) == null
        ? source
        : source.withPartitions(integer(app, "partitions", 1));
  }

  private static String required(App app, String key, String source) {
    String value = context(app, key, null);
    if (value == null) {
      throw new IllegalArgumentException(
          "context "
              + key
              + " is not set but source is "
              + source
              + "; add -c "
              + key
              + "=... to the cdk command");
    }
    return value;
  }

  private static int integer(App app, String key, int fallback) {
    String value = context(app, key, null);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "context "
              + key
              + " is '"
              + value
              + "'; it must be a whole number, e.g. -c "
              + key
              + "="
              + fallback);
    }
  }

  private static String context(App app, String key, String fallback) {
    Object value = app.getNode().tryGetContext(key);
    return value == null || value.toString().isBlank() ? fallback : value.toString().trim();
  }

  /**
   * An MSK cluster's SASL/SCRAM secret {@code arn} with its customer-managed key ({@code -c
   * secretKeyArn=...}), which MSK requires: the mapping's role needs {@code kms:Decrypt} on it.
   */
  private static ISecret mskSecret(App app, Stack stack, String arn) {
    String key = context(app, "secretKeyArn", null);
    return Secret.fromSecretAttributes(
        stack,
        "KafkaSecret",
        SecretAttributes.builder()
            .secretCompleteArn(arn)
            .encryptionKey(key == null ? null : Key.fromKeyArn(stack, "KafkaSecretKey", key))
            .build());
  }
}
