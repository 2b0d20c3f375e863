package dev.tributary.state.dynamodb;

import dev.tributary.JobGraph;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.internal.exec.StateReader;
import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.spi.Clock;
import dev.tributary.spi.OperatorStateSpec;
import dev.tributary.spi.OperatorStateStore;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.StateDescriptor;
import dev.tributary.state.ValueStateDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Reads the keyed state of a running or stopped job as of its last committed epoch: a strongly
 * consistent read of the key's items, decoded with the state's descriptor, with TTL applied (an
 * expired value reads as absent even before DynamoDB deletes it). Reads never write and never block
 * commits.
 *
 * <pre>{@code
 * QueryableState state = new QueryableState(dynamo, StateTables.withPrefix("payments"), graph);
 * Long total = state.value("totals", new ValueStateDescriptor<>("total", Serdes.LONG), "acct-42");
 * }</pre>
 */
public final class QueryableState {
  private final DynamoDbClient client;
  private final StateTables tables;
  private final JobGraph graph;
  private final Clock clock;

  /** A reader using the system clock for TTL. */
  public QueryableState(DynamoDbClient client, StateTables tables, JobGraph graph) {
    this(client, tables, graph, Clock.system());
  }

  /** A reader judging TTL expiry by {@code clock}. */
  public QueryableState(DynamoDbClient client, StateTables tables, JobGraph graph, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.tables = Objects.requireNonNull(tables, "tables");
    this.graph = Objects.requireNonNull(graph, "graph");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The value of a value state of operator {@code uid} for {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public <T> T value(String uid, ValueStateDescriptor<T> descriptor, Object key) {
    return (T) read(uid, descriptor, key);
  }

  /** The entries of a map state of operator {@code uid} for {@code key} (empty if none). */
  @SuppressWarnings("unchecked")
  public <K, V> Map<K, V> map(String uid, MapStateDescriptor<K, V> descriptor, Object key) {
    Object value = read(uid, descriptor, key);
    return value == null ? Map.of() : (Map<K, V>) value;
  }

  /** The elements of a list state of operator {@code uid} for {@code key} (empty if none). */
  @SuppressWarnings("unchecked")
  public <T> List<T> list(String uid, ListStateDescriptor<T> descriptor, Object key) {
    Object value = read(uid, descriptor, key);
    return value == null ? List.of() : (List<T>) value;
  }

  /**
   * The committed value of any state of operator {@code uid} for {@code key}: the value of a value,
   * reducing or aggregating state (the accumulator), a list for a list state, a map for a map
   * state; null if absent or expired.
   */
  public Object read(String uid, StateDescriptor<?> descriptor, Object key) {
    Objects.requireNonNull(key, "key");
    GraphNode node = operator(uid);
    KeyBySpec keyBy = (KeyBySpec) graph.node(node.inputs().get(0)).spec();
    DynamoDbStateBackend backend =
        new DynamoDbStateBackend(
            client, tables, new KeyGroupRange(0, graph.maxKeyGroups() - 1), () -> false);
    OperatorStateStore store =
        backend.open(
            new OperatorStateSpec(
                graph.jobName(), uid, keyBy.keySerde(), graph.maxKeyGroups(), null));
    store.register(descriptor); // before the load, so that the key's cells decode
    return StateReader.read(store, descriptor, key, clock.currentTimeMillis());
  }

  private GraphNode operator(String uid) {
    for (GraphNode node : graph.nodes()) {
      if (uid.equals(node.uid())
          && !node.inStatelessPrefix()
          && graph.node(node.inputs().get(0)).spec() instanceof KeyBySpec) {
        return node;
      }
    }
    throw new IllegalArgumentException(
        "job '"
            + graph.jobName()
            + "' has no keyed operator with uid '"
            + uid
            + "'; keyed operators: "
            + graph.nodes().stream()
                .filter(
                    n ->
                        n.uid() != null
                            && !n.inStatelessPrefix()
                            && graph.node(n.inputs().get(0)).spec() instanceof KeyBySpec)
                .map(GraphNode::uid)
                .toList());
  }
}
