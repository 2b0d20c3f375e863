package dev.tributary.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.cdk.internal.FunctionEnvironment;
import dev.tributary.operator.RuntimeSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.StartingPosition;
import software.amazon.awscdk.services.logs.RetentionDays;

/** A job on a new on-demand Kinesis stream with tuned settings: one synth for every assertion. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KinesisStreamJobTest {
  private Stack stack;
  private StreamJob job;
  private Template template;
  private Map<String, Map<String, Object>> resources;

  @BeforeAll
  void synthesize() {
    stack =
        Stacks.stack(
            s ->
                job =
                    new StreamJob(
                        s,
                        "Clicks",
                        Stacks.props(KinesisSource.onDemand().withRetention(Duration.hours(48)))
                            .slots(8)
                            .maxKeyGroups(128)
                            .operatorMemoryMb(2048)
                            .coordinatorMemoryMb(1536)
                            .tickInterval(Duration.minutes(2))
                            .deadLetterRetention(Duration.days(7))
                            .logRetention(RetentionDays.ONE_WEEK)
                            .tablePrefix("clicks")
                            .eventSource(
                                EventSourceSettings.builder()
                                    .batchSize(500)
                                    .maxBatchingWindow(Duration.seconds(2))
                                    .startingPosition(StartingPosition.LATEST)
                                    .parallelizationFactor(2)
                                    .retryAttempts(10)
                                    .maxRecordAge(Duration.hours(1))
                                    .bisectBatchOnError(true)
                                    .build())
                            .build()));
    template = Template.fromStack(stack);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> all =
        (Map<String, Map<String, Object>>) template.toJSON().get("Resources");
    resources = all;
  }

  @Test
  void tablesHaveExactlyTheSchemaOfStateTables() {
    template.resourceCountIs("AWS::DynamoDB::Table", 3);
    for (String name : List.of("clicks-state", "clicks-outbox", "clicks-dead-letters")) {
      template.hasResource(
          "AWS::DynamoDB::Table",
          Map.of(
              "DeletionPolicy",
              "Retain",
              "Properties",
              Match.objectEquals(
                  Map.of(
                      "TableName", name,
                      "KeySchema",
                          List.of(
                              Map.of("AttributeName", "pk", "KeyType", "HASH"),
                              Map.of("AttributeName", "sk", "KeyType", "RANGE")),
                      "AttributeDefinitions",
                          List.of(
                              Map.of("AttributeName", "pk", "AttributeType", "S"),
                              Map.of("AttributeName", "sk", "AttributeType", "S")),
                      "BillingMode", "PAY_PER_REQUEST",
                      "PointInTimeRecoverySpecification",
                          Map.of("PointInTimeRecoveryEnabled", true),
                      "SSESpecification", Map.of("SSEEnabled", true),
                      "TimeToLiveSpecification",
                          Map.of("AttributeName", "expiresAt", "Enabled", true)))));
    }
    // the names the state backend reads (state-dynamodb's StateTables)
    assertThat(List.of("pk", "sk", "expiresAt"))
        .containsExactly(
            dev.tributary.state.dynamodb.StateTables.PK,
            dev.tributary.state.dynamodb.StateTables.SK,
            dev.tributary.state.dynamodb.StateTables.TTL);
  }

  @Test
  void functionsRunJava21OnArm64WithSnapStartTracingAndTheirHandlers() {
    template.resourceCountIs("AWS::Lambda::Function", 3);
    Map<String, Object> common =
        Map.of(
            "Runtime", "java21",
            "Architectures", List.of("arm64"),
            "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
            "TracingConfig", Map.of("Mode", "Active"));
    for (Object[] f :
        new Object[][] {
          {FunctionEnvironment.KINESIS_HANDLER, 1536, 180},
          {FunctionEnvironment.TICK_HANDLER, 1536, 180},
          {FunctionEnvironment.OPERATOR_HANDLER, 2048, 60}
        }) {
      Map<String, Object> expected = new HashMap<>(common);
      expected.put("Handler", f[0]);
      expected.put("MemorySize", f[1]);
      expected.put("Timeout", f[2]);
      template.hasResourceProperties("AWS::Lambda::Function", expected);
    }
  }

  @Test
  void everyTriggerInvokesThePublishedAlias() {
    template.resourceCountIs("AWS::Lambda::Alias", 3);
    template.resourceCountIs("AWS::Lambda::Version", 3);
    String coordinatorAlias = logicalId(job.coordinator().alias());
    String tickAlias = logicalId(job.coordinator().tickAlias());
    String operatorAlias = logicalId(job.operator().alias());
    template.hasResourceProperties(
        "AWS::Lambda::Alias", Map.of("Name", "live", "FunctionVersion", Match.anyValue()));
    assertThat(json(mapping().get("FunctionName"))).contains(coordinatorAlias);
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Map.of("Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Ref", tickAlias))))));
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Map.of(
            "Handler",
            FunctionEnvironment.KINESIS_HANDLER,
            "Environment",
            Map.of(
                "Variables",
                Match.objectLike(
                    Map.of(FunctionEnvironment.OPERATOR_FUNCTION, Map.of("Ref", operatorAlias))))));
  }

  @Test
  void theEnvironmentIsOneThatRuntimeSettingsAccepts() {
    Map<String, String> env = environment(FunctionEnvironment.KINESIS_HANDLER);
    assertThat(env)
        .containsEntry(RuntimeSettings.JOB_CLASS, Stacks.JOB_CLASS)
        .containsEntry(RuntimeSettings.SLOTS, "8")
        .containsEntry(RuntimeSettings.MAX_KEY_GROUPS, "128")
        .containsEntry(RuntimeSettings.MAX_ATTEMPTS, "3")
        .containsEntry(RuntimeSettings.FAN_OUT, "auto")
        .containsEntry(RuntimeSettings.PARALLELIZATION_FACTOR, "2");
    RuntimeSettings settings = RuntimeSettings.from(env);
    assertThat(settings.graph().jobName()).isEqualTo(job.jobName());
    // the metrics carry the name the alarms watch
    assertThat(settings.metricsName()).isEqualTo(job.jobName());
    assertThat(settings.slots()).isEqualTo(8);
    assertThat(settings.parallelizationFactor()).isEqualTo(2);
    assertThat(settings.tables().names())
        .containsExactly(
            "ref:" + logicalId(job.stateTable()),
            "ref:" + logicalId(job.outboxTable()),
            "ref:" + logicalId(job.deadLetterTable()));
    assertThat(settings.operatorFunction()).isEqualTo("ref:" + logicalId(job.operator().alias()));
    assertThat(RuntimeSettings.from(environment(FunctionEnvironment.OPERATOR_HANDLER)).slots())
        .isEqualTo(8);
    assertThat(RuntimeSettings.from(environment(FunctionEnvironment.TICK_HANDLER)).tables())
        .isEqualTo(settings.tables());
  }

  @Test
  void theMappingReportsBatchItemFailuresAndSendsFailuresToTheQueue() {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Map.of(
            "EventSourceArn",
            Map.of("Fn::GetAtt", List.of(logicalId(job.stream()), "Arn")),
            "FunctionResponseTypes",
            List.of("ReportBatchItemFailures"),
            "DestinationConfig",
            Map.of(
                "OnFailure",
                Map.of(
                    "Destination",
                    Map.of("Fn::GetAtt", List.of(logicalId(job.deadLetterQueue()), "Arn")))),
            "BatchSize",
            500,
            "MaximumBatchingWindowInSeconds",
            2,
            "StartingPosition",
            "LATEST",
            "ParallelizationFactor",
            2,
            "MaximumRetryAttempts",
            10,
            "MaximumRecordAgeInSeconds",
            3600,
            "BisectBatchOnFunctionError",
            true));
  }

  @Test
  void theNewStreamIsOnDemandAndEncrypted() {
    template.hasResourceProperties(
        "AWS::Kinesis::Stream",
        Map.of(
            "StreamModeDetails", Map.of("StreamMode", "ON_DEMAND"),
            "StreamEncryption", Map.of("EncryptionType", "KMS", "KeyId", "alias/aws/kinesis"),
            "RetentionPeriodHours", 48));
  }

  @Test
  void theDeadLetterQueueIsEncryptedKeepsMessagesAndRefusesPlainHttp() {
    template.hasResourceProperties(
        "AWS::SQS::Queue",
        Map.of("SqsManagedSseEnabled", true, "MessageRetentionPeriod", 7 * 86_400));
    template.hasResourceProperties(
        "AWS::SQS::QueuePolicy",
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Effect",
                                "Deny",
                                "Condition",
                                Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
  }

  @Test
  void theTickRuleSendsTheScheduleWithRetriesAndADeadLetterQueue() {
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Map.of(
            "ScheduleExpression", "rate(2 minutes)",
            "State", "ENABLED",
            "Targets",
                List.of(
                    Match.objectLike(
                        Map.of(
                            "DeadLetterConfig",
                            Map.of(
                                "Arn",
                                Map.of(
                                    "Fn::GetAtt",
                                    List.of(logicalId(job.deadLetterQueue()), "Arn"))),
                            "RetryPolicy",
                            Map.of("MaximumRetryAttempts", 2, "MaximumEventAgeInSeconds", 300))))));

    // a tick that fails in the function is not retried by Lambda: the next tick does its work
    template.resourceCountIs("AWS::Lambda::EventInvokeConfig", 1);
    template.hasResourceProperties(
        "AWS::Lambda::EventInvokeConfig",
        Map.of("MaximumRetryAttempts", 0, "MaximumEventAgeInSeconds", 300));
  }

  @Test
  void permissionsAreGrantsOnTheJobsOwnResources() {
    template.resourcePropertiesCountIs(
        "AWS::IAM::Role", Map.of("ManagedPolicyArns", Match.anyValue()), 0);
    for (Map<String, Object> r : resources.values()) {
      if (!"AWS::IAM::Policy".equals(r.get("Type"))) {
        continue;
      }
      for (Map<String, Object> statement : statements(r)) {
        List<String> actions = strings(statement.get("Action"));
        assertThat(actions).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
        if ("*".equals(statement.get("Resource"))) {
          assertThat(actions)
              .as("only X-Ray takes no resource")
              .allMatch(a -> a.startsWith("xray:"));
        }
      }
    }
    String operatorPolicy = json(policyOf(logicalId(job.operator().function())));
    assertThat(operatorPolicy)
        .doesNotContain("kinesis:", "lambda:InvokeFunction", "sqs:")
        .contains("dynamodb:PutItem", logicalId(job.stateTable()));
    String coordinatorPolicy = json(policyOf(logicalId(job.coordinator().function())));
    assertThat(coordinatorPolicy)
        .contains("kinesis:GetRecords", "lambda:InvokeFunction", "logs:PutLogEvents")
        .contains(logicalId(job.operator().alias()), logicalId(job.coordinator().logGroup()));
  }

  @Test
  void logGroupsKeepTheLogsForTheRetention() {
    template.resourceCountIs("AWS::Logs::LogGroup", 3);
    template.allResourcesProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 7));
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Map.of(
            "Handler",
            FunctionEnvironment.OPERATOR_HANDLER,
            "LoggingConfig",
            Map.of("LogGroup", Map.of("Ref", logicalId(job.operator().logGroup())))));
  }

  @Test
  void alarmsWatchIteratorAgeDeadLettersConflictsAndErrors() {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 9);
    template.resourcePropertiesCountIs(
        "AWS::CloudWatch::Alarm", Map.of("MetricName", "PartitionFailures"), 0);
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Map.of(
            "Namespace", "AWS/Lambda",
            "MetricName", "IteratorAge",
            "Statistic", "Maximum",
            "Threshold", 300_000,
            "ComparisonOperator", "GreaterThanThreshold"));
    for (String metric : List.of("DeadLetters", "Conflicts", "DeadlineMisses", "SlotFailures")) {
      template.hasResourceProperties(
          "AWS::CloudWatch::Alarm",
          Map.of(
              "Namespace",
              FunctionEnvironment.METRIC_NAMESPACE,
              "MetricName",
              metric,
              "Dimensions",
              List.of(Map.of("Name", "job", "Value", Stacks.JOB_NAME))));
    }
    template.resourcePropertiesCountIs(
        "AWS::CloudWatch::Alarm", Map.of("Namespace", "AWS/Lambda", "MetricName", "Errors"), 3);
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Map.of("Namespace", "AWS/SQS", "MetricName", "ApproximateNumberOfMessagesVisible"));
    assertThat(job.alarms()).hasSize(9);
  }

  @Test
  void theDashboardShowsTheJobsMetrics() {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    String body = json(resources.get(logicalId(job.dashboard())).get("Properties"));
    assertThat(body).contains("Tributary", "IteratorAge", "Errors", "Throttles");
    for (String metric : JobMonitoring.JOB_METRICS) {
      assertThat(body).contains("\\\"" + metric + "\\\"");
    }
  }

  @Test
  void outputsAndPropertiesNameTheTablesAndTheirArns() {
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> outputs =
        (Map<String, Map<String, Object>>) template.toJSON().get("Outputs");
    Map<String, Object> values = new HashMap<>();
    outputs.forEach((id, o) -> values.put(id.replaceAll("[0-9A-F]{8}$", ""), o.get("Value")));
    assertThat(values)
        .containsEntry("ClicksStateTableName", Map.of("Ref", logicalId(job.stateTable())))
        .containsEntry(
            "ClicksStateTableArn",
            Map.of("Fn::GetAtt", List.of(logicalId(job.stateTable()), "Arn")))
        .containsEntry("ClicksOutboxTableName", Map.of("Ref", logicalId(job.outboxTable())))
        .containsEntry(
            "ClicksDeadLetterTableArn",
            Map.of("Fn::GetAtt", List.of(logicalId(job.deadLetterTable()), "Arn")))
        .containsKeys("ClicksDeadLetterQueueUrl", "ClicksStreamName", "ClicksStreamArn");
    assertThat(stack.resolve(job.tables().state().getTableName()))
        .isEqualTo(Map.of("Ref", logicalId(job.stateTable())));
  }

  @Test
  void cdkNagFindsNothingUnsuppressed() {
    assertThat(Stacks.findings(stack)).isEmpty();
  }

  // --- helpers

  private Map<String, Object> mapping() {
    return resources.values().stream()
        .filter(r -> "AWS::Lambda::EventSourceMapping".equals(r.get("Type")))
        .map(KinesisStreamJobTest::properties)
        .findFirst()
        .orElseThrow();
  }

  /** The environment of the function with {@code handler}, every {Ref: X} as "ref:X". */
  private Map<String, String> environment(String handler) {
    for (Map<String, Object> r : resources.values()) {
      Map<String, Object> p = properties(r);
      if ("AWS::Lambda::Function".equals(r.get("Type")) && handler.equals(p.get("Handler"))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> vars =
            (Map<String, Object>) ((Map<String, Object>) p.get("Environment")).get("Variables");
        Map<String, String> env = new HashMap<>();
        vars.forEach(
            (k, v) -> env.put(k, v instanceof Map<?, ?> m ? "ref:" + m.get("Ref") : v.toString()));
        return env;
      }
    }
    throw new AssertionError("no function with handler " + handler);
  }

  /** The policy attached to the role of the function {@code functionLogicalId}. */
  private Map<String, Object> policyOf(String functionLogicalId) {
    Map<?, ?> role = (Map<?, ?>) properties(resources.get(functionLogicalId)).get("Role");
    Object roleId = ((List<?>) role.get("Fn::GetAtt")).get(0);
    return resources.values().stream()
        .filter(r -> "AWS::IAM::Policy".equals(r.get("Type")))
        .filter(r -> ((List<?>) properties(r).get("Roles")).contains(Map.of("Ref", roleId)))
        .findFirst()
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(Map<String, Object> resource) {
    return (Map<String, Object>) resource.get("Properties");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> statements(Map<String, Object> policy) {
    return (List<Map<String, Object>>)
        ((Map<String, Object>) properties(policy).get("PolicyDocument")).get("Statement");
  }

  private static List<String> strings(Object o) {
    return o instanceof List<?> l
        ? l.stream().map(Object::toString).toList()
        : List.of(o.toString());
  }

  private String logicalId(Object construct) {
    return Stacks.logicalId(stack, construct);
  }

  private static String json(Object o) {
    try {
      return new ObjectMapper().writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
