package dev.tributary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.graph.ForwardSpec;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.SinkSpec;
import dev.tributary.graph.SourceSpec;
import dev.tributary.internal.graph.GraphValidator;
import dev.tributary.serde.Serdes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The one immutable description of a job, built once from a {@link JobProvider}: its operators in
 * topological order, their uids and stages. Every runtime reads it; none re-derives it. Stage 0 is
 * the stateless prefix (on AWS: the coordinator); each {@code keyBy} starts a keyed stage (on AWS:
 * the operator functions).
 *
 * <p>A graph holds the user's function instances. An executor owns them while it runs, so build one
 * graph per concurrently running executor ({@link #of} is cheap).
 */
public final class JobGraph {
  private final String jobName;
  private final int maxKeyGroups;
  private final List<GraphNode> nodes;
  private final List<List<Integer>> outputs;
  private final JobProvider provider;
  private final boolean sinksKeyed;

  private JobGraph(
      String jobName,
      int maxKeyGroups,
      List<GraphNode> nodes,
      JobProvider provider,
      boolean sinksKeyed) {
    this.provider = provider;
    this.sinksKeyed = sinksKeyed;
    this.jobName = jobName;
    this.maxKeyGroups = maxKeyGroups;
    this.nodes = List.copyOf(nodes);
    List<List<Integer>> outs = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      outs.add(new ArrayList<>());
    }
    for (GraphNode node : nodes) {
      for (int input : node.inputs()) {
        outs.get(input).add(node.id());
      }
    }
    List<List<Integer>> frozen = new ArrayList<>();
    for (List<Integer> out : outs) {
      frozen.add(List.copyOf(out));
    }
    this.outputs = Collections.unmodifiableList(frozen);
  }

  /**
   * Builds and validates the graph of a job.
   *
   * @throws IllegalArgumentException listing every problem, each with the operator and the fix
   */
  public static JobGraph of(JobProvider provider) {
    Objects.requireNonNull(provider, "JobGraph.of(provider): provider is null");
    String defaultName = provider.getClass().getSimpleName();
    if (defaultName.isEmpty() || defaultName.contains("$")) {
      defaultName = "job";
    }
    StreamEnvironment env = new StreamEnvironment(defaultName.replaceAll("[^A-Za-z0-9_.\\-]", "-"));
    provider.build(env);
    List<GraphNode> nodes = env.graph.freeze();
    GraphValidator.validate(env.jobName(), nodes);
    return new JobGraph(env.jobName(), env.maxKeyGroups(), nodes, provider, false);
  }

  /**
   * This graph as the Lambda functions run it: where records that crossed no {@code keyBy} reach a
   * sink (or a union with a keyed stage's output), a {@code keyBy} on a constant key and a {@link
   * ForwardSpec} are put in front, so that the keyed stage's commit holds those outputs too.
   * Outputs are committed exactly once only together with a keyed stage's checkpoint, and the
   * stateless prefix runs in the coordinator and again in each operator, so outputs made there
   * would be lost or repeated.
   *
   * <p>The records reach the sink unchanged, with their timestamps, in their order within a split:
   * the key is the sink's name (or the union's id), so one slot commits all of a split's records of
   * one sink. The forward keeps no state, sets no timers and has no uid (it has no items in
   * DynamoDB, so adding or moving such a sink changes nothing stored), and its {@code keyBy} adds
   * no watermark to the split's ({@link #addedExchange}). A graph whose sinks all sit behind a
   * {@code keyBy} is returned as it is.
   */
  public JobGraph withSinksBehindKeyBy() {
    if (sinksKeyed) {
      return this;
    }
    GraphBuilder builder = new GraphBuilder();
    int[] moved = new int[nodes.size()];
    boolean changed = false;
    for (GraphNode node : nodes) {
      List<Integer> inputs = new ArrayList<>(node.inputs().size());
      for (int input : node.inputs()) {
        boolean unkeyedIntoOutput =
            nodes.get(input).stage() == 0
                && !(node.spec() instanceof KeyBySpec)
                && (node.spec() instanceof SinkSpec || node.stage() > 0);
        if (!unkeyedIntoOutput) {
          inputs.add(moved[input]);
          continue;
        }
        String key = node.spec() instanceof SinkSpec sink ? sink.sinkName() : "union-" + node.id();
        GraphBuilder.Draft keyBy =
            builder.add(
                new KeyBySpec(value -> key, Serdes.string(), String.class),
                List.of(moved[input]),
                "KeyBy: " + key + " (added: outputs are committed by a keyed stage)");
        inputs.add(builder.add(new ForwardSpec(), List.of(keyBy.id), "Forward: " + key).id);
        changed = true;
      }
      GraphBuilder.Draft copy = builder.add(node.spec(), inputs, node.name());
      copy.uid = node.uid();
      moved[node.id()] = copy.id;
    }
    return new JobGraph(jobName, maxKeyGroups, changed ? builder.freeze() : nodes, provider, true);
  }

  /**
   * The same graph with its own instances of the user functions, built again from the program. User
   * functions hold per-executor fields (state handles bound in {@code open}), so executors that run
   * at the same time in one JVM each need their own instance, as Flink gives each parallel task its
   * own copy of a function.
   */
  public JobGraph instance() {
    JobGraph built = of(provider);
    return sinksKeyed ? built.withSinksBehindKeyBy() : built;
  }

  /** The job's name. */
  public String jobName() {
    return jobName;
  }

  /** The number of key groups. */
  public int maxKeyGroups() {
    return maxKeyGroups;
  }

  /** All nodes in topological order; a node's id is its index. */
  public List<GraphNode> nodes() {
    return nodes;
  }

  /** The node with {@code id}. */
  public GraphNode node(int id) {
    return nodes.get(id);
  }

  /** The ids of the nodes that consume {@code id}'s output. */
  public List<Integer> outputsOf(int id) {
    return outputs.get(id);
  }

  /** The source nodes. */
  public List<GraphNode> sources() {
    return nodes.stream().filter(n -> n.spec() instanceof SourceSpec).toList();
  }

  /** The sink nodes. */
  public List<GraphNode> sinks() {
    return nodes.stream().filter(n -> n.spec() instanceof SinkSpec).toList();
  }

  /** The node of the source named {@code sourceName}. */
  public GraphNode source(String sourceName) {
    return sources().stream()
        .filter(n -> ((SourceSpec) n.spec()).sourceName().equals(sourceName))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "job '"
                        + jobName
                        + "' has no source named '"
                        + sourceName
                        + "'; its sources are "
                        + sources().stream()
                            .map(n -> ((SourceSpec) n.spec()).sourceName())
                            .toList()));
  }

  /** The nodes of the stateless prefix (stage 0). */
  public List<GraphNode> statelessPrefix() {
    return stage(0);
  }

  /** The nodes of stage {@code n}. */
  public List<GraphNode> stage(int n) {
    return nodes.stream().filter(node -> node.stage() == n).toList();
  }

  /** The number of keyed stages (0 for a job without {@code keyBy}). */
  public int keyedStageCount() {
    return nodes.stream().mapToInt(GraphNode::stage).max().orElse(0);
  }

  /**
   * Whether node {@code id} is a {@code keyBy} that {@link #withSinksBehindKeyBy} added (it feeds
   * forwards only): its watermark is not the job's, so the split's watermark leaves it out.
   */
  public boolean addedExchange(int id) {
    if (!(nodes.get(id).spec() instanceof KeyBySpec) || outputs.get(id).isEmpty()) {
      return false;
    }
    for (int out : outputs.get(id)) {
      if (!(nodes.get(out).spec() instanceof ForwardSpec)) {
        return false;
      }
    }
    return true;
  }

  /** The keyBy nodes where records cross into a keyed stage. */
  public List<GraphNode> exchanges() {
    return nodes.stream().filter(n -> n.spec() instanceof KeyBySpec).toList();
  }

  /** The graph as indented text: stages, operators, uids, keys, windows and edges. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append("Job '")
        .append(jobName)
        .append("' (maxKeyGroups=")
        .append(maxKeyGroups)
        .append(")\n");
    for (int stage = 0; stage <= keyedStageCount(); stage++) {
      out.append("  Stage ").append(stage).append(": ").append(stageRole(stage)).append('\n');
      for (GraphNode node : stage(stage)) {
        out.append("    [").append(node.id()).append("] ").append(node.name());
        if (node.uid() != null) {
          out.append(" uid=").append(node.uid());
        }
        String details = node.spec().describe();
        if (!details.isEmpty()) {
          out.append(' ').append(details);
        }
        if (!node.inputs().isEmpty()) {
          out.append(" <- ").append(node.inputs());
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** The graph as JSON, for tools. */
  public String describeJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("job", jobName);
    root.put("maxKeyGroups", maxKeyGroups);
    ArrayNode stages = root.putArray("stages");
    for (int stage = 0; stage <= keyedStageCount(); stage++) {
      ObjectNode s = stages.addObject();
      s.put("stage", stage);
      s.put("role", stageRole(stage));
      ArrayNode ids = s.putArray("nodes");
      stage(stage).forEach(n -> ids.add(n.id()));
    }
    ArrayNode array = root.putArray("nodes");
    for (GraphNode node : nodes) {
      ObjectNode n = array.addObject();
      n.put("id", node.id());
      n.put("kind", node.spec().kind());
      n.put("name", node.name());
      if (node.uid() != null) {
        n.put("uid", node.uid());
      }
      n.put("stage", node.stage());
      n.put("stateful", node.spec().stateful());
      n.put("details", node.spec().describe());
      ArrayNode inputs = n.putArray("inputs");
      node.inputs().forEach(inputs::add);
    }
    try {
      return Serdes.jsonWriter().withDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print the graph as JSON", e);
    }
  }

  private static String stageRole(int stage) {
    return stage == 0
        ? "stateless prefix (coordinator)"
        : "keyed stage " + stage + " (operator functions)";
  }

  @Override
  public String toString() {
    return describe();
  }
}
