package dev.tributary.cdk;

import dev.tributary.cdk.internal.FunctionEnvironment;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The operator function (the task manager): the coordinator invokes its alias once per touched
 * slot; it reads the slot's keyed state and commits each epoch with one TransactWriteItems. It may
 * read and write the job's tables and nothing else.
 */
public final class OperatorFunction extends Construct {
  private final LambdaParts parts;

  OperatorFunction(
      Construct scope,
      String id,
      Code code,
      int memoryMb,
      Duration timeout,
      Map<String, String> environment,
      JobTables tables,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      boolean snapStart,
      String jobName) {
    super(scope, id);
    this.parts =
        LambdaParts.create(
            this,
            "Function",
            "Tributary operator of job " + jobName,
            FunctionEnvironment.OPERATOR_HANDLER,
            code,
            memoryMb,
            timeout,
            environment,
            logRetention,
            removalPolicy,
            snapStart);
    tables.grantReadWriteData(parts.function);
  }

  /** The function. */
  public Function function() {
    return parts.function;
  }

  /** The alias the coordinator invokes. */
  public Alias alias() {
    return parts.alias;
  }

  /** The function's log group. */
  public LogGroup logGroup() {
    return parts.logGroup;
  }
}
