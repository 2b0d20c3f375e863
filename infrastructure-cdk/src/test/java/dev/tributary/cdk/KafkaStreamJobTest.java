package dev.tributary.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.cdk.internal.FunctionEnvironment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * Three jobs with default settings in one stack: one on MSK with IAM authentication, one on a
 * self-managed cluster with a SASL/SCRAM secret, one on a self-managed cluster in a VPC. One synth
 * for every assertion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaStreamJobTest {
  static final String CLUSTER =
      "arn:aws:kafka:eu-west-1:123456789012:cluster/clicks/0123abcd-1111-2222-3333-444455556666-1";
  static final String SECRET =
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_kafka-AbCdEf";

  private Stack stack;
  private StreamJob msk;
  private StreamJob selfManaged;
  private StreamJob inVpc;
  private Template template;

  @BeforeAll
  void synthesize() {
    stack =
        Stacks.stack(
            s -> {
              msk =
                  new StreamJob(s, "Msk", Stacks.props(KafkaSource.msk(CLUSTER, "clicks")).build());
              selfManaged =
                  new StreamJob(
                      s,
                      "SelfManaged",
                      Stacks.props(
                              KafkaSource.selfManaged(
                                      List.of("b-1.example.com:9096", "b-2.example.com:9096"),
                                      "clicks",
                                      Secret.fromSecretCompleteArn(s, "KafkaSecret", SECRET))
                                  .withConsumerGroupId("clicks-consumers")
                                  .withPollers(2, 5))
                          .jobName("clicks-self-managed")
                          .build());
              IVpc vpc =
                  Vpc.fromVpcAttributes(
                      s,
                      "Vpc",
                      VpcAttributes.builder()
                          .vpcId("vpc-0123456789abcdef0")
                          .availabilityZones(List.of("eu-west-1a"))
                          .privateSubnetIds(List.of("subnet-0123456789abcdef0"))
                          .privateSubnetRouteTableIds(List.of("rtb-0123456789abcdef0"))
                          .build());
              inVpc =
                  new StreamJob(
                      s,
                      "InVpc",
                      Stacks.props(
                              KafkaSource.selfManaged(
                                      List.of("10.0.0.10:9096"),
                                      "clicks",
                                      Secret.fromSecretCompleteArn(s, "VpcSecret", SECRET))
                                  .withVpc(
                                      vpc,
                                      SubnetSelection.builder()
                                          .subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                                          .build(),
                                      SecurityGroup.fromSecurityGroupId(
                                          s, "Brokers", "sg-0123456789abcdef0")))
                          .jobName("clicks-in-vpc")
                          .build());
            });
    template = Template.fromStack(stack);
  }

  @Test
  void theMskMappingRunsProvisionedWithPartialBatchResponsesAndTheQueue() {
    template.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Map.of(
            "EventSourceArn", CLUSTER,
            "Topics", List.of("clicks"),
            "AmazonManagedKafkaEventSourceConfig",
                Map.of("ConsumerGroupId", "tributary-" + Stacks.JOB_NAME),
            "ProvisionedPollerConfig", Map.of("MinimumPollers", 1, "MaximumPollers", 2),
            "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
            "DestinationConfig",
                Map.of(
                    "OnFailure",
                    Map.of(
                        "Destination",
                        Map.of("Fn::GetAtt", List.of(id(msk.deadLetterQueue()), "Arn")))),
            "BatchSize", 100,
            "StartingPosition", "TRIM_HORIZON",
            "MaximumRetryAttempts", -1));
  }

  @Test
  void theCoordinatorRunsTheKafkaHandlerWithTheDefaults() {
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Map.of(
            "Handler",
            FunctionEnvironment.KAFKA_HANDLER,
            "MemorySize",
            StreamJobProps.DEFAULT_MEMORY_MB,
            "Timeout",
            180,
            "Environment",
            Map.of(
                "Variables",
                Match.objectLike(
                    Map.of(
                        FunctionEnvironment.SLOTS, "4",
                        FunctionEnvironment.MAX_ATTEMPTS, "3",
                        FunctionEnvironment.PARALLELIZATION_FACTOR, "1")))));
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Map.of("Handler", FunctionEnvironment.OPERATOR_HANDLER, "Timeout", 60));
    template.resourcePropertiesCountIs(
        "AWS::Events::Rule", Map.of("ScheduleExpression", "rate(1 minute)"), 3);
    template.resourcePropertiesCountIs(
        "AWS::SQS::Queue", Map.of("MessageRetentionPeriod", 14 * 86_400), 3);
    template.resourcePropertiesCountIs("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30), 9);
    template.resourceCountIs("AWS::Kinesis::Stream", 0);
    assertThat(msk.stream()).isNull();
  }

  @Test
  void mskWithIamMayConnectAndReadOnlyItsTopicAsItsGroup() {
    String prefix = "arn:aws:kafka:eu-west-1:123456789012:";
    String cluster = "clicks/0123abcd-1111-2222-3333-444455556666-1";
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        statement(
                            List.of(
                                "kafka-cluster:Connect",
                                "kafka-cluster:DescribeClusterDynamicConfiguration"),
                            CLUSTER),
                        statement(
                            List.of("kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"),
                            prefix + "topic/" + cluster + "/clicks"),
                        statement(
                            List.of("kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"),
                            prefix + "group/" + cluster + "/tributary-" + Stacks.JOB_NAME))))));
  }

  @Test
  void selfManagedKafkaAuthenticatesWithTheSecretAndReadsIt() {
    template.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Map.of(
            "SelfManagedEventSource",
                Map.of(
                    "Endpoints",
                    Map.of(
                        "KafkaBootstrapServers",
                        List.of("b-1.example.com:9096", "b-2.example.com:9096"))),
            "SourceAccessConfigurations",
                List.of(Map.of("Type", "SASL_SCRAM_512_AUTH", "URI", SECRET)),
            "SelfManagedKafkaEventSourceConfig", Map.of("ConsumerGroupId", "clicks-consumers"),
            "ProvisionedPollerConfig", Map.of("MinimumPollers", 2, "MaximumPollers", 5),
            "FunctionResponseTypes", List.of("ReportBatchItemFailures")));
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        statement(
                            List.of(
                                "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                            SECRET))))));
  }

  @Test
  void aClusterInAVpcIsReachedThroughNetworkInterfacesOfThatJobOnly() {
    Map<String, Object> ec2 =
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Action",
                                Match.arrayWith(List.of("ec2:CreateNetworkInterface")),
                                "Resource",
                                "*"))))));
    template.resourcePropertiesCountIs("AWS::IAM::Policy", ec2, 1);
    template.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Map.of(
            "SourceAccessConfigurations",
            Match.arrayWith(
                List.of(Map.of("Type", "VPC_SECURITY_GROUP", "URI", "sg-0123456789abcdef0")))));
    assertThat(inVpc.jobName()).isEqualTo("clicks-in-vpc");
  }

  @Test
  void theLagAlarmWatchesTheOffsetLag() {
    template.resourcePropertiesCountIs(
        "AWS::CloudWatch::Alarm",
        Map.of("Namespace", "AWS/Lambda", "MetricName", "OffsetLag", "Threshold", 100_000),
        3);
    template.resourcePropertiesCountIs(
        "AWS::CloudWatch::Alarm", Map.of("MetricName", "IteratorAge"), 0);
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Map.of(
            "MetricName",
            "Conflicts",
            "Dimensions",
            List.of(Map.of("Name", "job", "Value", "clicks-self-managed"))));
  }

  @Test
  void aPartitionFailingWhileOthersGoOnRaisesAnAlarm() {
    template.resourcePropertiesCountIs(
        "AWS::CloudWatch::Alarm",
        Map.of("Namespace", "Tributary", "MetricName", "PartitionFailures", "Threshold", 0),
        3);
  }

  @Test
  void cdkNagFindsNothingUnsuppressed() {
    assertThat(Stacks.findings(stack)).isEmpty();
  }

  private static Object statement(List<String> actions, String resource) {
    return Match.objectLike(Map.of("Action", actions, "Effect", "Allow", "Resource", resource));
  }

  private String id(Object construct) {
    return Stacks.logicalId(stack, construct);
  }
}
