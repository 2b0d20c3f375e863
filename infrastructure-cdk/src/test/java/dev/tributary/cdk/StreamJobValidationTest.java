package dev.tributary.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.lambda.StartingPosition;

/** Props out of their limits fail at synth with the field, the value, the limit and the fix. */
class StreamJobValidationTest {
  private static final String CLUSTER = KafkaStreamJobTest.CLUSTER;

  private static void create(StreamJobProps props) {
    new StreamJob(new Stack(new App(), "Validation"), "Job", props);
  }

  @Test
  void aMissingJarNamesThePathAndTheBuildCommand() {
    assertThatThrownBy(
            () ->
                create(
                    StreamJobProps.builder()
                        .jobJar("no/such/job.jar")
                        .jobClass(Stacks.JOB_CLASS)
                        .source(KinesisSource.onDemand())
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("StreamJob 'Job' has invalid props")
        .hasMessageContaining("jobJar is 'no/such/job.jar' but there is no file at")
        .hasMessageContaining("mvn -B -pl examples-lambda -am package -DskipTests");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                create(
                    StreamJobProps.builder()
                        .jobClass("not a class")
                        .jobName("bad name!")
                        .slots(0)
                        .maxAttempts(101)
                        .operatorMemoryMb(64)
                        .coordinatorMemoryMb(20_000)
                        .build()))
        .hasMessageContaining("jobJar is not set")
        .hasMessageContaining("jobClass is 'not a class', which is not a Java class name")
        .hasMessageContaining("jobName is 'bad name!'")
        .hasMessageContaining("source is not set; use KinesisSource.onDemand()")
        .hasMessageContaining("slots is 0; it must be a whole number from 1 to 32768")
        .hasMessageContaining("maxAttempts is 101; it must be a whole number from 1 to 100")
        .hasMessageContaining("operatorMemoryMb is 64 MB; it must be a whole number from 128 to")
        .hasMessageContaining("coordinatorMemoryMb is 20000 MB");
  }

  @Test
  void slotsCannotExceedTheKeyGroups() {
    assertThatThrownBy(
            () -> create(Stacks.props(KinesisSource.onDemand()).maxKeyGroups(16).slots(32).build()))
        .hasMessageContaining("slots is 32; it must be a whole number from 1 to 16")
        .hasMessageContaining("at most as many slots as key groups");
  }

  @Test
  void theMappingMustNotGiveUpBeforeTheCoordinatorSetsTheRecordAside() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .maxAttempts(5)
                        .eventSource(EventSourceSettings.builder().retryAttempts(2).build())
                        .build()))
        .hasMessageContaining("eventSource.retryAttempts is 2 but maxAttempts is 5")
        .hasMessageContaining("Set retryAttempts to at least 5, or -1 (unlimited)");
  }

  @Test
  void anMskSecretWithoutItsKeyIsRefusedAndWithItTheRoleMayDecrypt() {
    String secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_clicks-AbCdEf";
    String key = "arn:aws:kms:eu-west-1:123456789012:key/0123abcd-1111-2222-3333-444455556666";
    Stack bare = new Stack(new App(), "Bare");
    assertThatThrownBy(
            () ->
                new StreamJob(
                    bare,
                    "Job",
                    Stacks.props(
                            KafkaSource.msk(CLUSTER, "clicks")
                                .withSecret(
                                    software.amazon.awscdk.services.secretsmanager.Secret
                                        .fromSecretCompleteArn(bare, "S", secret)))
                        .build()))
        .hasMessageContaining("source.secret has no encryption key the CDK knows of")
        .hasMessageContaining("customer-managed KMS key")
        .hasMessageContaining("Secret.fromSecretAttributes");

    Stack keyed = new Stack(new App(), "Keyed");
    new StreamJob(
        keyed,
        "Job",
        Stacks.props(
                KafkaSource.msk(CLUSTER, "clicks")
                    .withSecret(
                        software.amazon.awscdk.services.secretsmanager.Secret.fromSecretAttributes(
                            keyed,
                            "S",
                            software.amazon.awscdk.services.secretsmanager.SecretAttributes
                                .builder()
                                .secretCompleteArn(secret)
                                .encryptionKey(
                                    software.amazon.awscdk.services.kms.Key.fromKeyArn(
                                        keyed, "K", key))
                                .build())))
            .build());
    assertThat(software.amazon.awscdk.assertions.Template.fromStack(keyed).toJSON().toString())
        .contains("kms:Decrypt")
        .contains(key);
  }

  @Test
  void unlimitedKafkaRetriesStopAtTenWithTheDeadLetterQueue() {
    assertThatThrownBy(
            () -> create(Stacks.props(KafkaSource.msk(CLUSTER, "clicks")).maxAttempts(11).build()))
        .hasMessageContaining("eventSource.retryAttempts is -1 (unlimited) but maxAttempts is 11")
        .hasMessageContaining("retries a batch at most 10 times")
        .hasMessageContaining("Set maxAttempts to at most 10");
    // ten is fine, and so is any number of attempts on Kinesis
    create(Stacks.props(KafkaSource.msk(CLUSTER, "clicks")).maxAttempts(10).build());
    create(Stacks.props(KinesisSource.onDemand()).maxAttempts(50).build());
  }

  @Test
  void mappingSettingsOutOfLambdasLimits() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .eventSource(
                            EventSourceSettings.builder()
                                .batchSize(20_000)
                                .maxBatchingWindow(Duration.minutes(6))
                                .parallelizationFactor(11)
                                .maxRecordAge(Duration.seconds(30))
                                .startingPosition(StartingPosition.AT_TIMESTAMP)
                                .build())
                        .build()))
        .hasMessageContaining("eventSource.batchSize is 20000 records; it must be a whole number")
        .hasMessageContaining("eventSource.maxBatchingWindow is 360 seconds")
        .hasMessageContaining("eventSource.parallelizationFactor is 11")
        .hasMessageContaining("eventSource.maxRecordAge is 30 seconds")
        .hasMessageContaining("startingPosition is AT_TIMESTAMP but startingPositionTimestamp");
  }

  @Test
  void theCoordinatorMustOutwaitTheOperator() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .operatorTimeout(Duration.minutes(5))
                        .coordinatorTimeout(Duration.minutes(5))
                        .build()))
        .hasMessageContaining("coordinatorTimeout is 5 minutes but operatorTimeout is 5 minutes")
        .hasMessageContaining("Give the coordinator more than operatorTimeout plus 10 seconds");
  }

  /**
   * The coordinator stops waiting min(10 s, a fifth of its time) before its timeout (found in
   * review: 61 s against an operator's 60 s passed, and gave up on operators after 51 s).
   */
  @Test
  void theCoordinatorMustOutwaitTheOperatorByWhatItKeepsToAnswer() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .operatorTimeout(Duration.seconds(60))
                        .coordinatorTimeout(Duration.seconds(61))
                        .build()))
        .hasMessageContaining("coordinatorTimeout is 1 minute 1 second but operatorTimeout is")
        .hasMessageContaining("here after 51 seconds");
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .operatorTimeout(Duration.seconds(20))
                        .coordinatorTimeout(Duration.seconds(25))
                        .build()))
        .hasMessageContaining("here after 20 seconds");
    create(
        Stacks.props(KinesisSource.onDemand())
            .operatorTimeout(Duration.seconds(60))
            .coordinatorTimeout(Duration.seconds(71))
            .build());
    create(
        Stacks.props(KinesisSource.onDemand())
            .operatorTimeout(Duration.seconds(20))
            .coordinatorTimeout(Duration.seconds(26))
            .build());
    assertThat(StreamJob.waitsFor(180)).isEqualTo(170);
  }

  /** Lambda's Kafka mappings invoke functions of at most 14 minutes (found in review). */
  @Test
  void aKafkaCoordinatorRunsAtMostFourteenMinutes() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KafkaSource.msk(CLUSTER, "clicks"))
                        .operatorTimeout(Duration.minutes(10))
                        .coordinatorTimeout(Duration.minutes(15))
                        .build()))
        .hasMessageContaining("coordinatorTimeout is 900 seconds; it must be a whole number from 1")
        .hasMessageContaining("840")
        .hasMessageContaining("at most 14 minutes");
    create(
        Stacks.props(KafkaSource.msk(CLUSTER, "clicks"))
            .operatorTimeout(Duration.minutes(10))
            .coordinatorTimeout(Duration.minutes(14))
            .build());
    create(
        Stacks.props(KinesisSource.onDemand())
            .operatorTimeout(Duration.minutes(10))
            .coordinatorTimeout(Duration.minutes(15))
            .build());
  }

  /** CloudFormation snapshots none of the job's resources (found in review). */
  @Test
  void aSnapshotRemovalPolicyIsRefused() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .removalPolicy(software.amazon.awscdk.RemovalPolicy.SNAPSHOT)
                        .build()))
        .hasMessageContaining("removalPolicy is SNAPSHOT")
        .hasMessageContaining("Use RETAIN");
  }

  /**
   * Lambda allows 4 KB for all of a function's variables: a long table prefix next to as many
   * declared partitions as fit TRIBUTARY_SPLITS alone passed the synth and failed the deployment
   * (found in review).
   */
  @Test
  void theWholeEnvironmentMustFitLambdasFourKilobytes() {
    int partitions = 0;
    while (dev.tributary.cdk.internal.SplitNames.length(partitionNames(partitions + 1))
        <= dev.tributary.cdk.internal.SplitNames.MAX_LENGTH) {
      partitions++;
    }
    int most = partitions;
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KafkaSource.msk(CLUSTER, "clicks").withPartitions(most))
                        .tablePrefix("p".repeat(242))
                        .build()))
        .hasMessageContaining("the coordinator's environment variables would take about")
        .hasMessageContaining("Lambda allows 4,096 for all variables");
    // the same partitions with a short prefix fit, and so does the long prefix without them
    create(
        Stacks.props(KafkaSource.msk(CLUSTER, "clicks").withPartitions(most))
            .tablePrefix("payments")
            .build());
    create(Stacks.props(KafkaSource.msk(CLUSTER, "clicks")).tablePrefix("p".repeat(242)).build());
  }

  private static List<String> partitionNames(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> "clicks-" + i).toList();
  }

  @Test
  void theTickRunsInWholeMinutesAndTheQueueKeepsAtMostFourteenDays() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .tickInterval(Duration.seconds(30))
                        .deadLetterRetention(Duration.days(15))
                        .build()))
        .hasMessageContaining("tickInterval is 30 seconds; EventBridge schedules run in whole")
        .hasMessageContaining("deadLetterRetention is 1296000 seconds; it must be a whole number")
        .hasMessageContaining("SQS keeps messages 1 minute to 14 days");
  }

  @Test
  void kafkaSourcesAreCheckedToo() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(
                            KafkaSource.msk("arn:aws:kafka:eu-west-1:1:cluster/x", "")
                                .withConsumerGroupId("bad group")
                                .withPollers(0, 3000))
                        .eventSource(EventSourceSettings.builder().parallelizationFactor(2).build())
                        .build()))
        .hasMessageContaining("source.topic is ''")
        .hasMessageContaining("source.clusterArn is 'arn:aws:kafka:eu-west-1:1:cluster/x'")
        .hasMessageContaining("source.consumerGroupId is 'bad group'")
        .hasMessageContaining("source.minimumPollers is 0")
        .hasMessageContaining("source.maximumPollers is 3000")
        .hasMessageContaining("eventSource.parallelizationFactor is 2 but the source is Kafka");
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KafkaSource.msk(CLUSTER, "clicks"))
                        .tablePrefix("bad prefix")
                        .build()))
        .hasMessageContaining("tablePrefix is 'bad prefix'");
  }

  @Test
  void aProvisionedStreamNeedsShardsAndARetentionKinesisAllows() {
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.provisioned(0).withRetention(Duration.hours(12)))
                        .build()))
        .hasMessageContaining("source.shardCount is 0 shards")
        .hasMessageContaining("source.retention is 12 hours; it must be a whole number from 24");
  }

  @Test
  void validPropsCreateTheJob() {
    Stack stack = new Stack(new App(), "Valid");
    StreamJob job = new StreamJob(stack, "Job", Stacks.props(KinesisSource.provisioned(2)).build());
    org.assertj.core.api.Assertions.assertThat(job.jobName()).isEqualTo(Stacks.JOB_NAME);
    org.assertj.core.api.Assertions.assertThat(
            new StreamJob(
                    stack,
                    "Defaulted",
                    StreamJobProps.builder()
                        .jobJar(Stacks.fakeJar())
                        .jobClass("com.example.PaymentsJob")
                        .source(KinesisSource.existing(job.stream()))
                        .build())
                .jobName())
        .as("the SDK's default job name: the class's simple name")
        .isEqualTo("PaymentsJob");
  }

  @Test
  void theNamesInErrorsAreTheBuildersMethods() {
    // every field an error names is a method of the builders, so the fix can be typed as given
    List<String> fields =
        List.of(
            "jobJar",
            "jobClass",
            "jobName",
            "source",
            "slots",
            "maxAttempts",
            "tablePrefix",
            "splits");
    for (String field : fields) {
      org.assertj.core.api.Assertions.assertThat(StreamJobProps.Builder.class.getMethods())
          .anyMatch(m -> m.getName().equals(field));
    }
  }
}
