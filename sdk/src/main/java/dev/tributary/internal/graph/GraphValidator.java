package dev.tributary.internal.graph;

import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.SinkSpec;
import dev.tributary.graph.SourceSpec;
import dev.tributary.graph.WatermarkSpec;
import dev.tributary.graph.WindowSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Build-time checks of a job graph. Each failure names the operator, what is wrong and the fix; all
 * failures are reported at once.
 */
public final class GraphValidator {
  private GraphValidator() {}

  /** Throws {@link IllegalArgumentException} listing every problem of {@code nodes}. */
  public static void validate(String jobName, List<GraphNode> nodes) {
    List<String> problems = new ArrayList<>();
    if (nodes.stream().noneMatch(n -> n.spec() instanceof SourceSpec)) {
      problems.add("the job has no source; declare one, e.g. env.kinesis(\"clicks\", serde)");
    }
    if (nodes.stream().noneMatch(n -> n.spec() instanceof SinkSpec)) {
      problems.add(
          "the job has no sink, so its results would go nowhere; end a stream with"
              + " sinkTo(\"name\")");
    }
    Map<String, GraphNode> uids = new HashMap<>();
    for (GraphNode node : nodes) {
      if (node.spec().stateful() && node.uid() == null) {
        problems.add(
            "operator '"
                + node.name()
                + "' (node "
                + node.id()
                + ", "
                + node.spec().kind()
                + ") keeps state but has no uid; add .uid(\"...\") after it so that its state"
                + " survives changes to the job");
      }
      if (node.uid() != null) {
        GraphNode previous = uids.putIfAbsent(node.uid(), node);
        if (previous != null) {
          problems.add(
              "uid '"
                  + node.uid()
                  + "' is used by both '"
                  + previous.name()
                  + "' (node "
                  + previous.id()
                  + ") and '"
                  + node.name()
                  + "' (node "
                  + node.id()
                  + "); uids must be unique in the job");
        }
      }
      if (node.spec() instanceof WindowSpec window && window.assigner().isEventTime()) {
        String source = sourceWithoutWatermarks(nodes, node.id());
        if (source != null) {
          problems.add(
              "operator '"
                  + node.name()
                  + "' (node "
                  + node.id()
                  + ") uses event-time windows but its input from source '"
                  + source
                  + "' has no timestamps and watermarks; call assignTimestampsAndWatermarks("
                  + "WatermarkStrategy...) on that stream before keyBy, or use a processing-time"
                  + " window");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "job '" + jobName + "' is invalid:\n  - " + String.join("\n  - ", problems));
    }
  }

  /** A source from which a path reaches {@code nodeId} without a watermark strategy, or null. */
  private static String sourceWithoutWatermarks(List<GraphNode> nodes, int nodeId) {
    GraphNode node = nodes.get(nodeId);
    if (node.spec() instanceof WatermarkSpec w && w.strategy().producesWatermarks()) {
      return null;
    }
    if (node.spec() instanceof SourceSpec source) {
      return source.sourceName();
    }
    for (int input : node.inputs()) {
      String found = sourceWithoutWatermarks(nodes, input);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** Whether a node is a keyBy exchange. */
  public static boolean isExchange(GraphNode node) {
    return node.spec() instanceof KeyBySpec;
  }
}
