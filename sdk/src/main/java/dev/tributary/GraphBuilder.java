package dev.tributary;

import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.OperatorSpec;
import dev.tributary.serde.Serde;
import java.util.ArrayList;
import java.util.List;

/** The mutable drafts of the nodes while a job is being built; frozen into a {@link JobGraph}. */
final class GraphBuilder {

  static final class Draft {
    final int id;
    final OperatorSpec spec;
    final List<Integer> inputs;
    String name;
    String uid;
    Serde<?> outputSerde;

    Draft(int id, OperatorSpec spec, List<Integer> inputs, String name) {
      this.id = id;
      this.spec = spec;
      this.inputs = List.copyOf(inputs);
      this.name = name;
    }
  }

  private final List<Draft> drafts = new ArrayList<>();

  Draft add(OperatorSpec spec, List<Integer> inputs, String name) {
    Draft draft = new Draft(drafts.size(), spec, inputs, name);
    drafts.add(draft);
    return draft;
  }

  Draft get(int id) {
    return drafts.get(id);
  }

  List<GraphNode> freeze() {
    List<GraphNode> nodes = new ArrayList<>(drafts.size());
    int[] stages = new int[drafts.size()];
    for (Draft draft : drafts) {
      int stage = 0;
      for (int input : draft.inputs) {
        stage = Math.max(stage, stages[input]);
      }
      if (draft.spec instanceof KeyBySpec) {
        stage++;
      }
      stages[draft.id] = stage;
      nodes.add(new GraphNode(draft.id, draft.name, draft.uid, draft.inputs, draft.spec, stage));
    }
    return nodes;
  }
}
