package dev.tributary.cdk;

import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/** One Tributary function as every one of them is built: java21 on arm64, its alias, its logs. */
final class LambdaParts {
  /** The alias every trigger invokes (SnapStart applies to published versions only). */
  static final String ALIAS = "live";

  final Function function;
  final Alias alias;
  final LogGroup logGroup;

  private LambdaParts(Function function, Alias alias, LogGroup logGroup) {
    this.function = function;
    this.alias = alias;
    this.logGroup = logGroup;
  }

  static LambdaParts create(
      Construct scope,
      String id,
      String description,
      String handler,
      Code code,
      int memoryMb,
      Duration timeout,
      Map<String, String> environment,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      boolean snapStart) {
    LogGroup logs =
        LogGroup.Builder.create(scope, id + "Logs")
            .retention(logRetention)
            .removalPolicy(removalPolicy)
            .build();
    // a role of its own instead of CDK's default with AWSLambdaBasicExecutionRole (logs:* on
    // every log group): the function may write to its own log group only
    Role role =
        Role.Builder.create(scope, id + "Role")
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .description(description)
            .build();
    logs.grantWrite(role);
    Function.Builder builder =
        Function.Builder.create(scope, id)
            .role(role)
            .description(description)
            .runtime(Runtime.JAVA_21)
            .architecture(Architecture.ARM_64)
            .handler(handler)
            .code(code)
            .memorySize(memoryMb)
            .timeout(timeout)
            .environment(environment)
            .tracing(Tracing.ACTIVE)
            .logGroup(logs);
    if (snapStart) {
      builder.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
    }
    Function function = builder.build();
    if (snapStart) {
      Annotations.of(function)
          .acknowledgeWarning(
              "@aws-cdk/aws-lambda:snapStartRequirePublish",
              "the construct publishes a version, and every trigger invokes its alias");
    }
    Alias alias =
        Alias.Builder.create(scope, id + "Alias")
            .aliasName(ALIAS)
            .version(function.getCurrentVersion())
            .build();
    return new LambdaParts(function, alias, logs);
  }
}
