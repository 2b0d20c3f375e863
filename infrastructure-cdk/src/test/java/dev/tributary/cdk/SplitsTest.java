package dev.tributary.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.cdk.internal.FunctionEnvironment;
import dev.tributary.coordinator.KafkaHandler;
import dev.tributary.coordinator.KinesisHandler;
import dev.tributary.operator.RuntimeSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.kinesis.Stream;

/**
 * {@code TRIBUTARY_SPLITS}: the coordinator and the tick are told the source's splits at the job's
 * start when the construct knows them (a new provisioned stream) or they are declared (Kafka
 * partitions, Kinesis shard ids, explicit names), and not otherwise. One synth of several jobs for
 * the template assertions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SplitsTest {
  private static final String CLUSTER = KafkaStreamJobTest.CLUSTER;
  private static final String STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";

  private Stack stack;
  private StreamJob provisioned;
  private StreamJob kafka;
  private StreamJob onDemand;
  private StreamJob declaredShards;
  private StreamJob existing;
  private StreamJob explicit;
  private StreamJob undeclaredKafka;
  private Map<String, Map<String, Object>> resources;

  @BeforeAll
  void synthesize() {
    stack =
        Stacks.stack(
            s -> {
              provisioned =
                  new StreamJob(
                      s, "Provisioned", Stacks.props(KinesisSource.provisioned(3)).build());
              kafka =
                  new StreamJob(
                      s,
                      "Kafka",
                      Stacks.props(KafkaSource.msk(CLUSTER, "topic").withPartitions(2)).build());
              undeclaredKafka =
                  new StreamJob(
                      s,
                      "UndeclaredKafka",
                      Stacks.props(KafkaSource.msk(CLUSTER, "other")).build());
              onDemand =
                  new StreamJob(s, "OnDemand", Stacks.props(KinesisSource.onDemand()).build());
              declaredShards =
                  new StreamJob(
                      s,
                      "DeclaredShards",
                      Stacks.props(
                              KinesisSource.onDemand()
                                  .withShardIds(KinesisSource.shardId(0), KinesisSource.shardId(1)))
                          .build());
              existing =
                  new StreamJob(
                      s,
                      "Existing",
                      Stacks.props(
                              KinesisSource.existing(
                                      Stream.fromStreamArn(s, "ClicksStream", STREAM_ARN))
                                  .withShardIds("shardId-000000000004", "shardId-000000000005"))
                          .build());
              explicit =
                  new StreamJob(
                      s,
                      "Explicit",
                      Stacks.props(KinesisSource.provisioned(2))
                          .splits(
                              "resharded/shardId-000000000002", "resharded/shardId-000000000003")
                          .build());
            });
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> all =
        (Map<String, Map<String, Object>>) Template.fromStack(stack).toJSON().get("Resources");
    resources = all;
  }

  @Test
  void aNewProvisionedStreamDeclaresItsShardsWithTheStreamsName() {
    String stream = id(provisioned.stream());
    List<Object> parts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      parts.add(Map.of("Ref", stream));
      parts.add(String.format("/shardId-%012d", i) + (i < 2 ? "," : ""));
    }
    Map<String, Object> expected = Map.of("Fn::Join", List.of("", parts));
    assertThat(variables(provisioned.coordinator().function()))
        .containsEntry(FunctionEnvironment.SPLITS, expected);
    assertThat(variables(provisioned.coordinator().tickFunction()))
        .containsEntry(FunctionEnvironment.SPLITS, expected);
    assertThat(variables(provisioned.operator().function()))
        .doesNotContainKey(FunctionEnvironment.SPLITS);
  }

  @Test
  void kafkaPartitionsAreTheTopicsSplits() {
    assertThat(variables(kafka.coordinator().function()))
        .containsEntry(FunctionEnvironment.SPLITS, "topic-0,topic-1");
    assertThat(variables(kafka.coordinator().tickFunction()))
        .containsEntry(FunctionEnvironment.SPLITS, "topic-0,topic-1");
    // the names the coordinator gives the partitions (the construct does not depend on it)
    assertThat(KafkaHandler.splitName("topic", 1)).isEqualTo("topic-1");
  }

  @Test
  void declaredShardsOfANewOrAnExistingStreamAreNamedByItsName() {
    String stream = id(declaredShards.stream());
    assertThat(variables(declaredShards.coordinator().function()))
        .containsEntry(
            FunctionEnvironment.SPLITS,
            Map.of(
                "Fn::Join",
                List.of(
                    "",
                    List.of(
                        Map.of("Ref", stream),
                        "/shardId-000000000000,",
                        Map.of("Ref", stream),
                        "/shardId-000000000001"))));
    assertThat(variables(existing.coordinator().function()))
        .containsEntry(
            FunctionEnvironment.SPLITS, "clicks/shardId-000000000004,clicks/shardId-000000000005");
    // the names the coordinator gives the shards (the construct does not depend on it)
    assertThat(KinesisHandler.splitName("clicks", "shardId-000000000004"))
        .isEqualTo("clicks/shardId-000000000004");
  }

  @Test
  void explicitSplitsReplaceTheShardsTheStreamIsCreatedWith() {
    assertThat(variables(explicit.coordinator().function()))
        .containsEntry(
            FunctionEnvironment.SPLITS,
            "resharded/shardId-000000000002,resharded/shardId-000000000003");
  }

  @Test
  void withoutADeclarationTheVariableIsAbsent() {
    for (StreamJob job : List.of(onDemand, undeclaredKafka)) {
      assertThat(variables(job.coordinator().function()))
          .containsKey(FunctionEnvironment.JOB_CLASS)
          .doesNotContainKey(FunctionEnvironment.SPLITS);
      assertThat(variables(job.coordinator().tickFunction()))
          .doesNotContainKey(FunctionEnvironment.SPLITS);
    }
  }

  @Test
  void runtimeSettingsAcceptTheEnvironmentWithTheSplits() {
    Map<String, String> env = new HashMap<>();
    variables(kafka.coordinator().function())
        .forEach(
            (k, v) -> env.put(k, v instanceof Map<?, ?> m ? "ref:" + m.get("Ref") : v.toString()));
    assertThat(RuntimeSettings.from(env).slots()).isEqualTo(4);
  }

  @Test
  void cdkNagFindsNothingUnsuppressed() {
    assertThat(Stacks.findings(stack)).isEmpty();
  }

  @Test
  void shardsOfALargeProvisionedStreamThatDoNotFitAreLeftOutWithAWarning() {
    StreamJob[] job = new StreamJob[1];
    Stack large =
        Stacks.stack(
            s ->
                job[0] =
                    new StreamJob(s, "Large", Stacks.props(KinesisSource.provisioned(40)).build()));
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> all =
        (Map<String, Map<String, Object>>) Template.fromStack(large).toJSON().get("Resources");
    Map<String, Object> coordinator =
        all.get(Stacks.logicalId(large, job[0].coordinator().function()));
    assertThat(variables(coordinator)).doesNotContainKey(FunctionEnvironment.SPLITS);
    assertThat(Stacks.findings(large))
        .singleElement()
        .asString()
        .contains(
            "the 40 splits of a new provisioned Kinesis stream of 40 shards would take about",
            "TRIBUTARY_SPLITS is not set",
            "StreamJobProps.splits or KinesisSource.withShardIds");
  }

  // --- validation

  private static void create(StreamJobProps props) {
    new StreamJob(new Stack(new App(), "Validation"), "Job", props);
  }

  @Test
  void kafkaPartitionsAreAtLeastOneAndFitInTheEnvironment() {
    assertThatThrownBy(
            () ->
                create(Stacks.props(KafkaSource.msk(CLUSTER, "clicks").withPartitions(0)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("StreamJob 'Job' has invalid props")
        .hasMessageContaining("source.partitions is 0; a topic has at least 1 partition")
        .hasMessageContaining("kafka-topics.sh --describe --topic clicks");
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KafkaSource.msk(CLUSTER, "clicks").withPartitions(1000)).build()))
        .hasMessageContaining("source.partitions is 1000; the splits clicks-0 to clicks-999 would")
        .hasMessageContaining("Lambda allows 4 KB for all variables (at most 3072 for the splits)")
        .hasMessageContaining("At most 289 partitions of this topic fit");
    // the most that fit are accepted
    create(Stacks.props(KafkaSource.msk(CLUSTER, "clicks").withPartitions(289)).build());
  }

  @Test
  void shardIdsAreKinesisShardIds() {
    assertThatThrownBy(
            () -> create(Stacks.props(KinesisSource.onDemand().withShardIds(List.of())).build()))
        .hasMessageContaining(
            "source.shardIds is empty; list the stream's open shards at the job's")
        .hasMessageContaining("or do not declare them");
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(
                            KinesisSource.onDemand()
                                .withShardIds(
                                    "shardId-000000000000", "shard 1,2", "shardId-000000000000"))
                        .build()))
        .hasMessage(
            "StreamJob 'Job' has invalid props:\n"
                + "  - source.shardIds has 'shard 1,2'; a shard id is 1 to 128 characters of"
                + " [a-zA-Z0-9_.-], e.g. shardId-000000000000 (aws kinesis list-shards"
                + " --stream-name <name>)\n"
                + "  - source.shardIds has 'shardId-000000000000' twice; list each shard once");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      many.add(KinesisSource.shardId(i));
    }
    assertThatThrownBy(
            () -> create(Stacks.props(KinesisSource.onDemand().withShardIds(many)).build()))
        .hasMessageContaining("source.shardIds would take 4499 characters")
        .hasMessageContaining("a name CloudFormation chooses counted as 128")
        .hasMessageContaining("at most 3072 for the splits. Declare fewer shards, or none.");
  }

  @Test
  void explicitSplitsAreNonEmptyNamesWithoutCommasDeclaredOnce() {
    assertThatThrownBy(() -> create(Stacks.props(KinesisSource.onDemand()).splits().build()))
        .hasMessageContaining("splits is empty; list the source's splits at the job's start")
        .hasMessageContaining("or leave it unset");
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KinesisSource.onDemand())
                        .splits("clicks-0", " ", "clicks-1,clicks-2", "clicks-0")
                        .build()))
        .hasMessageContaining("splits has a blank name at index 1")
        .hasMessageContaining(
            "splits has 'clicks-1,clicks-2'; a split name cannot contain ',' (TRIBUTARY_SPLITS is"
                + " a comma-separated list)")
        .hasMessageContaining("splits has 'clicks-0' twice; list each split once");
    assertThatThrownBy(
            () ->
                create(
                    Stacks.props(KafkaSource.msk(CLUSTER, "clicks").withPartitions(2))
                        .splits("clicks-0")
                        .build()))
        .hasMessageContaining(
            "splits is set and the source declares its splits too (KafkaSource.withPartitions or"
                + " KinesisSource.withShardIds); declare them in one place");
  }

  // --- helpers

  private Map<String, Object> variables(Object function) {
    return variables(resources.get(id(function)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> variables(Map<String, Object> resource) {
    Map<String, Object> properties = (Map<String, Object>) resource.get("Properties");
    return (Map<String, Object>)
        ((Map<String, Object>) properties.get("Environment")).get("Variables");
  }

  private String id(Object construct) {
    return Stacks.logicalId(stack, construct);
  }
}
