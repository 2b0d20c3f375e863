package dev.tributary.graph;

import java.util.List;

/**
 * One operator of a {@link dev.tributary.JobGraph}.
 *
 * @param id the node's id, its index in the graph (inputs always have smaller ids)
 * @param name display name
 * @param uid stable identifier of a stateful operator's state, or null
 * @param inputs ids of the input nodes, in order
 * @param spec what the operator does
 * @param stage 0 for the stateless prefix; n for the n-th keyed stage (each {@code keyBy} starts
 *     one)
 */
public record GraphNode(
    int id, String name, String uid, List<Integer> inputs, OperatorSpec spec, int stage) {

  /** Copies the input list. */
  public GraphNode {
    inputs = List.copyOf(inputs);
  }

  /** Whether the node belongs to the stateless prefix (on AWS: runs in the coordinator). */
  public boolean inStatelessPrefix() {
    return stage == 0;
  }
}
