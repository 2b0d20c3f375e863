package dev.tributary.cdk;

import dev.tributary.cdk.internal.FunctionEnvironment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The coordinator (the job manager), as two functions of one jar and one environment: the one the
 * event source mapping invokes ({@code KinesisHandler} or {@code KafkaHandler}), and the tick,
 * which an EventBridge schedule invokes with a {@code ScheduledEvent} to fire timers and windows
 * when no records arrive. Both may read and write the job's tables and invoke the operator's alias.
 */
public final class CoordinatorFunction extends Construct {
  private final LambdaParts coordinator;
  private final LambdaParts tick;
  private final Rule tickRule;

  CoordinatorFunction(
      Construct scope,
      String id,
      String handler,
      Code code,
      int memoryMb,
      Duration timeout,
      Map<String, String> environment,
      JobTables tables,
      OperatorFunction operator,
      Duration tickInterval,
      IQueue deadLetters,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      boolean snapStart,
      String jobName) {
    super(scope, id);
    Map<String, String> env = new HashMap<>(environment);
    env.put(FunctionEnvironment.OPERATOR_FUNCTION, operator.alias().getFunctionArn());
    this.coordinator =
        LambdaParts.create(
            this,
            "Function",
            "Tributary coordinator of job " + jobName,
            handler,
            code,
            memoryMb,
            timeout,
            env,
            logRetention,
            removalPolicy,
            snapStart);
    this.tick =
        LambdaParts.create(
            this,
            "Tick",
            "Tributary tick of job " + jobName + ": fires timers and windows of an idle job",
            FunctionEnvironment.TICK_HANDLER,
            code,
            memoryMb,
            timeout,
            env,
            logRetention,
            removalPolicy,
            snapStart);
    for (LambdaParts parts : List.of(coordinator, tick)) {
      tables.grantReadWriteData(parts.function);
      operator.alias().grantInvoke(parts.function);
    }
    // EventBridge invokes the tick asynchronously: a tick that fails in the function is not retried
    // by Lambda (its two retries would overlap the next ticks, which do the same work) and shows in
    // the tick's Errors alarm; the rule's retries and dead-letter queue cover ticks not delivered
    tick.alias.configureAsyncInvoke(
        EventInvokeConfigOptions.builder()
            .retryAttempts(0)
            .maxEventAge(Duration.minutes(5))
            .build());
    this.tickRule =
        Rule.Builder.create(this, "TickSchedule")
            .description("Tributary tick of job " + jobName)
            .schedule(Schedule.rate(tickInterval))
            .targets(
                List.of(
                    LambdaFunction.Builder.create(tick.alias)
                        .deadLetterQueue(deadLetters)
                        .retryAttempts(2)
                        .maxEventAge(Duration.minutes(5))
                        .build()))
            .build();
  }

  /** Adds {@code key} to the environment of both functions. */
  void addEnvironment(String key, String value) {
    coordinator.function.addEnvironment(key, value);
    tick.function.addEnvironment(key, value);
  }

  /** The function the event source mapping invokes. */
  public Function function() {
    return coordinator.function;
  }

  /** The alias the event source mapping invokes. */
  public Alias alias() {
    return coordinator.alias;
  }

  /** The coordinator's log group. */
  public LogGroup logGroup() {
    return coordinator.logGroup;
  }

  /** The tick function. */
  public Function tickFunction() {
    return tick.function;
  }

  /** The alias the schedule invokes. */
  public Alias tickAlias() {
    return tick.alias;
  }

  /** The tick's log group. */
  public LogGroup tickLogGroup() {
    return tick.logGroup;
  }

  /** The EventBridge schedule of the tick. */
  public Rule tickRule() {
    return tickRule;
  }
}
