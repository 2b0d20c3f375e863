package dev.tributary.internal.exec;

import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;

/**
 * Runs a {@link dev.tributary.graph.ForwardSpec}: emits each keyed record as it is. It opens no
 * state store, so a state backend never sees it (no uid, nothing stored, nothing loaded).
 */
final class ForwardNode extends KeyedNode {
  ForwardNode(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
    super(node, context, keyBy);
  }

  @Override
  void open() {}

  @Override
  void processKeyed(Object key, Object value, long timestamp) {
    emit(value, timestamp);
  }

  @Override
  void onWatermark(long watermark) {}
}
