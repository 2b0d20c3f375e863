package dev.tributary.cdk;

import dev.tributary.cdk.internal.FunctionEnvironment;
import dev.tributary.cdk.internal.Problems;
import dev.tributary.cdk.internal.SplitNames;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kinesis.IStream;
import software.amazon.awscdk.services.lambda.IEventSourceDlq;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.eventsources.AuthenticationMethod;
import software.amazon.awscdk.services.lambda.eventsources.ManagedKafkaEventSource;
import software.amazon.awscdk.services.lambda.eventsources.ManagedKafkaEventSourceProps;
import software.amazon.awscdk.services.lambda.eventsources.ProvisionedPollerConfig;
import software.amazon.awscdk.services.lambda.eventsources.SelfManagedKafkaEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SelfManagedKafkaEventSourceProps;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.constructs.Construct;

/**
 * A Kafka topic as a job's source, on Amazon MSK ({@link #msk}) or a self-managed cluster ({@link
 * #selfManaged}). Each topic-partition is a split; the coordinator runs {@code KafkaHandler}.
 * Declare the topic's partitions with {@link #withPartitions}, so that each holds the watermark
 * from the job's first batch until it delivers records or stays quiet for the idle timeout, and a
 * partition whose first batch comes after another's does not find its first records late.
 *
 * <p>The mapping runs in provisioned mode (at least one poller), because Lambda offers partial
 * batch responses, retries and the on-failure destination for Kafka only there, and the
 * exactly-once protocol needs the partial responses. MSK without a secret authenticates with IAM:
 * the coordinator may then connect to the cluster and read the topic as its consumer group, and
 * nothing else.
 */
public final class KafkaSource extends JobSource {
  private static final Pattern GROUP_ID = Pattern.compile("[a-zA-Z0-9\\-/*:_+=.@]{1,200}");

  private String clusterArn;
  private List<String> bootstrapServers;
  private String topic;
  private ISecret secret;
  private AuthenticationMethod authenticationMethod;
  private IVpc vpc;
  private SubnetSelection vpcSubnets;
  private ISecurityGroup securityGroup;
  private String consumerGroupId;
  private int minimumPollers;
  private int maximumPollers;
  private Integer partitions;

  // the withers copy and set one field: the fields are private, so the instances stay immutable
  private KafkaSource(String clusterArn, List<String> bootstrapServers, String topic) {
    this.clusterArn = clusterArn;
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.minimumPollers = 1;
    this.maximumPollers = 2;
  }

  private KafkaSource copy() {
    KafkaSource c = new KafkaSource(clusterArn, bootstrapServers, topic);
    c.secret = secret;
    c.authenticationMethod = authenticationMethod;
    c.vpc = vpc;
    c.vpcSubnets = vpcSubnets;
    c.securityGroup = securityGroup;
    c.consumerGroupId = consumerGroupId;
    c.minimumPollers = minimumPollers;
    c.maximumPollers = maximumPollers;
    c.partitions = partitions;
    return c;
  }

  /** {@code topic} of the MSK cluster {@code clusterArn}, authenticated with IAM. */
  public static KafkaSource msk(String clusterArn, String topic) {
    return new KafkaSource(
        Objects.requireNonNull(clusterArn, "clusterArn"),
        null,
        Objects.requireNonNull(topic, "topic"));
  }

  /**
   * {@code topic} of a self-managed cluster reached at {@code bootstrapServers} ({@code
   * host:port}), authenticated with {@code secret} (SASL/SCRAM-512 unless {@link
   * #withAuthentication} says otherwise).
   */
  public static KafkaSource selfManaged(
      List<String> bootstrapServers, String topic, ISecret secret) {
    KafkaSource source =
        new KafkaSource(
            null, List.copyOf(bootstrapServers), Objects.requireNonNull(topic, "topic"));
    source.secret = Objects.requireNonNull(secret, "secret");
    source.authenticationMethod = AuthenticationMethod.SASL_SCRAM_512_AUTH;
    return source;
  }

  /**
   * The same source, authenticated with SASL/SCRAM-512 credentials from {@code secret}. On MSK the
   * secret must be encrypted with a customer-managed KMS key and carry it ({@code
   * Secret.fromSecretAttributes(..., encryptionKey(key))} for an existing one), so that the
   * coordinator's role is granted {@code kms:Decrypt} with the read.
   */
  public KafkaSource withSecret(ISecret secret) {
    KafkaSource c = copy();
    c.secret = secret;
    return c;
  }

  /** The same self-managed source, with another authentication method for its secret. */
  public KafkaSource withAuthentication(AuthenticationMethod method) {
    KafkaSource c = copy();
    c.authenticationMethod = method;
    return c;
  }

  /** The same self-managed source, reached inside {@code vpc}. */
  public KafkaSource withVpc(IVpc vpc, SubnetSelection subnets, ISecurityGroup securityGroup) {
    KafkaSource c = copy();
    c.vpc = vpc;
    c.vpcSubnets = subnets;
    c.securityGroup = securityGroup;
    return c;
  }

  /**
   * The same source, read as consumer group {@code groupId} (default {@code tributary-<job name>}).
   * It cannot change once the mapping exists.
   */
  public KafkaSource withConsumerGroupId(String groupId) {
    KafkaSource c = copy();
    c.consumerGroupId = groupId;
    return c;
  }

  /** The same source with {@code minimum} to {@code maximum} provisioned pollers (default 1-2). */
  public KafkaSource withPollers(int minimum, int maximum) {
    KafkaSource c = copy();
    c.minimumPollers = minimum;
    c.maximumPollers = maximum;
    return c;
  }

  /**
   * The same source, declaring that the topic has {@code partitions} partitions at the job's start:
   * the coordinator gets {@code <topic>-0} to {@code <topic>-<partitions - 1>} as the splits that
   * hold the watermark from the job's first batch until they deliver records or stay quiet for the
   * idle timeout.
   */
  public KafkaSource withPartitions(int partitions) {
    KafkaSource c = copy();
    c.partitions = partitions;
    return c;
  }

  /** The topic. */
  public String topic() {
    return topic;
  }

  /** The consumer group, or null for the default. */
  public String consumerGroupId() {
    return consumerGroupId;
  }

  /** The topic's declared partitions, or null if not declared. */
  public Integer partitions() {
    return partitions;
  }

  @Override
  boolean isKinesis() {
    return false;
  }

  @Override
  String handler() {
    return FunctionEnvironment.KAFKA_HANDLER;
  }

  @Override
  void validate(Problems problems) {
    if (!Token.isUnresolved(topic) && (topic.isBlank() || topic.length() > 249)) {
      problems.add(
          "source.topic is '"
              + topic
              + "'; a Kafka topic name has 1 to 249 characters. Set the topic the job reads");
    }
    if (clusterArn != null
        && !Token.isUnresolved(clusterArn)
        && !clusterArn.matches("arn:aws[a-z-]*:kafka:[^:]+:\\d{12}:cluster/[^/]+/[^/]+")) {
      problems.add(
          "source.clusterArn is '"
              + clusterArn
              + "'; it must be an MSK cluster ARN, arn:aws:kafka:<region>:<account>:cluster/<name>/"
              + "<uuid> (the cluster's ClusterArn output)");
    }
    if (clusterArn != null && secret != null && secret.getEncryptionKey() == null) {
      problems.add(
          "source.secret has no encryption key the CDK knows of; MSK accepts SASL/SCRAM secrets"
              + " only under a customer-managed KMS key, and the mapping reads the secret with the"
              + " coordinator's role, which then needs kms:Decrypt on that key. Import the secret"
              + " with its key: Secret.fromSecretAttributes(scope, id,"
              + " SecretAttributes.builder().secretCompleteArn(arn).encryptionKey(key).build())"
              + " (the example app: -c secretKeyArn=...)");
    }
    if (bootstrapServers != null) {
      if (bootstrapServers.isEmpty()) {
        problems.add(
            "source.bootstrapServers is empty; list at least one broker as host:port, e.g."
                + " broker-1.example.com:9092");
      }
      for (String server : bootstrapServers) {
        if (!Token.isUnresolved(server) && !server.matches("[^:\\s]+:\\d{1,5}")) {
          problems.add(
              "source.bootstrapServers has '"
                  + server
                  + "'; each broker must be host:port, e.g. broker-1.example.com:9092");
        }
      }
      if (vpc != null && (vpcSubnets == null || securityGroup == null)) {
        problems.add(
            "source.vpc is set but "
                + (vpcSubnets == null ? "the subnets are" : "the security group is")
                + " not; pass the subnets and the security group that reach the brokers to"
                + " withVpc");
      }
    }
    if (consumerGroupId != null
        && !Token.isUnresolved(consumerGroupId)
        && !GROUP_ID.matcher(consumerGroupId).matches()) {
      problems.add(
          "source.consumerGroupId is '"
              + consumerGroupId
              + "'; it must be 1 to 200 characters of [a-zA-Z0-9-/*:_+=.@]");
    }
    problems.range(
        "source.minimumPollers",
        minimumPollers,
        1,
        200,
        "",
        "Kafka mappings run in provisioned mode (partial batch responses need it): at least one"
            + " poller.");
    problems.range(
        "source.maximumPollers",
        maximumPollers,
        Math.max(1, minimumPollers),
        2000,
        "",
        "The maximum must be at least the minimum and at most 2,000.");
    if (partitions != null) {
      if (partitions < 1) {
        problems.add(
            "source.partitions is "
                + partitions
                + "; a topic has at least 1 partition. Declare the topic's partition count"
                + " (kafka-topics.sh --describe --topic "
                + topic
                + "), or leave it undeclared");
      } else if (SplitNames.length(names(partitions)) > SplitNames.MAX_LENGTH) {
        problems.add(
            "source.partitions is "
                + partitions
                + "; the splits "
                + topic
                + "-0 to "
                + topic
                + "-"
                + (partitions - 1)
                + " would take "
                + SplitNames.length(names(partitions))
                + " characters of the functions' environment, where Lambda allows 4 KB for all"
                + " variables (at most "
                + SplitNames.MAX_LENGTH
                + " for the splits). At most "
                + mostPartitions()
                + " partitions of this topic fit; leave partitions undeclared for a topic with"
                + " more");
      }
    }
  }

  /** How many partitions' names fit in {@link SplitNames#MAX_LENGTH}. */
  private int mostPartitions() {
    int n = 0;
    while (SplitNames.length(names(n + 1)) <= SplitNames.MAX_LENGTH) {
      n++;
    }
    return n;
  }

  @Override
  void bind(
      Construct scope,
      IFunction target,
      EventSourceSettings settings,
      IEventSourceDlq onFailure,
      String jobName,
      RemovalPolicy removalPolicy) {
    String group = consumerGroupId != null ? consumerGroupId : "tributary-" + jobName;
    ProvisionedPollerConfig pollers =
        ProvisionedPollerConfig.builder()
            .minimumPollers(minimumPollers)
            .maximumPollers(maximumPollers)
            .build();
    if (clusterArn != null) {
      ManagedKafkaEventSourceProps.Builder props =
          ManagedKafkaEventSourceProps.builder()
              .clusterArn(clusterArn)
              .topic(topic)
              .consumerGroupId(group)
              .provisionedPollerConfig(pollers)
              .startingPosition(settings.startingPosition())
              .batchSize(settings.batchSize())
              .retryAttempts(settings.retryAttempts())
              .bisectBatchOnError(settings.bisectBatchOnError())
              .reportBatchItemFailures(true)
              .onFailure(onFailure);
      if (secret != null) {
        props.secret(secret);
      }
      common(settings, props);
      target.addEventSource(new ManagedKafkaEventSource(props.build()));
      if (secret == null) {
        grantIamAccess(target, group);
      } else {
        // MSK's SCRAM secrets are under a customer-managed key: the mapping reads the secret with
        // this role, through Secrets Manager. The secret's own grant does not reach a key imported
        // from another (or an unresolved) account, so the role gets it here
        target.addToRolePolicy(
            PolicyStatement.Builder.create()
                .actions(List.of("kms:Decrypt"))
                .resources(List.of(secret.getEncryptionKey().getKeyArn()))
                .conditions(
                    java.util.Map.of(
                        "StringEquals",
                        java.util.Map.of(
                            "kms:ViaService",
                            "secretsmanager." + Stack.of(scope).getRegion() + ".amazonaws.com")))
                .build());
      }
    } else {
      SelfManagedKafkaEventSourceProps.Builder props =
          SelfManagedKafkaEventSourceProps.builder()
              .bootstrapServers(bootstrapServers)
              .topic(topic)
              .secret(secret)
              .authenticationMethod(authenticationMethod)
              .consumerGroupId(group)
              .provisionedPollerConfig(pollers)
              .startingPosition(settings.startingPosition())
              .batchSize(settings.batchSize())
              .retryAttempts(settings.retryAttempts())
              .bisectBatchOnError(settings.bisectBatchOnError())
              .reportBatchItemFailures(true)
              .onFailure(onFailure);
      if (vpc != null) {
        props.vpc(vpc).vpcSubnets(vpcSubnets).securityGroup(securityGroup);
        // Lambda's poller reaches brokers in a VPC through network interfaces it creates with the
        // function's role; CDK's SelfManagedKafkaEventSource does not grant that. The EC2 actions
        // take no resource ARN.
        target.addToRolePolicy(
            PolicyStatement.Builder.create()
                .actions(
                    List.of(
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DeleteNetworkInterface",
                        "ec2:DescribeVpcs",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups"))
                .resources(List.of("*"))
                .build());
      }
      if (settings.maxBatchingWindow() != null) {
        props.maxBatchingWindow(settings.maxBatchingWindow());
      }
      if (settings.maxRecordAge() != null) {
        props.maxRecordAge(settings.maxRecordAge());
      }
      if (settings.startingPositionTimestamp() != null) {
        props.startingPositionTimestamp(settings.startingPositionTimestamp());
      }
      target.addEventSource(new SelfManagedKafkaEventSource(props.build()));
    }
  }

  private static void common(EventSourceSettings settings, ManagedKafkaEventSourceProps.Builder p) {
    if (settings.maxBatchingWindow() != null) {
      p.maxBatchingWindow(settings.maxBatchingWindow());
    }
    if (settings.maxRecordAge() != null) {
      p.maxRecordAge(settings.maxRecordAge());
    }
    if (settings.startingPositionTimestamp() != null) {
      p.startingPositionTimestamp(settings.startingPositionTimestamp());
    }
  }

  /**
   * MSK with IAM authentication: connect to the cluster, describe and read the topic, join the
   * consumer group; the ARNs of topic and group derive from the cluster's.
   */
  private void grantIamAccess(IFunction target, String group) {
    // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>
    // -> ...:topic/<name>/<uuid>/<topic> and ...:group/<name>/<uuid>/<group>
    String prefix = Fn.select(0, Fn.split(":cluster/", clusterArn));
    String cluster = Fn.select(1, Fn.split(":cluster/", clusterArn));
    String topicArn = Fn.join("", List.of(prefix, ":topic/", cluster, "/", topic));
    String groupArn = Fn.join("", List.of(prefix, ":group/", cluster, "/", group));
    target.addToRolePolicy(
        PolicyStatement.Builder.create()
            .actions(
                List.of(
                    "kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"))
            .resources(List.of(clusterArn))
            .build());
    target.addToRolePolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"))
            .resources(List.of(topicArn))
            .build());
    target.addToRolePolicy(
        PolicyStatement.Builder.create()
            .actions(List.of("kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"))
            .resources(List.of(groupArn))
            .build());
  }

  @Override
  IStream stream() {
    return null;
  }

  @Override
  List<String> splits() {
    return partitions == null ? null : names(partitions);
  }

  @Override
  boolean declaresSplits() {
    return partitions != null;
  }

  /** {@code <topic>-0} to {@code <topic>-<n - 1>}. */
  private List<String> names(int n) {
    return IntStream.range(0, n).mapToObj(i -> topic + "-" + i).toList();
  }

  @Override
  IMetric lagMetric(IFunction coordinator) {
    return coordinator.metric(
        "OffsetLag",
        MetricOptions.builder().statistic("Maximum").period(Duration.minutes(1)).build());
  }

  @Override
  String describe() {
    return (clusterArn != null ? "MSK" : "self-managed Kafka") + " topic " + topic;
  }
}
