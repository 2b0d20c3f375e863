package dev.tributary.internal.exec;

import dev.tributary.functions.KeySelector;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;

/**
 * The exchange into a keyed stage: extracts the key and hands the element to the keyed operators.
 * In a split execution (coordinator / operator functions) an {@link ExchangeListener} receives the
 * keyed records instead.
 */
final class KeyByNode extends RuntimeNode {
  private final KeySelector<Object, Object> selector;
  private KeyedNode[] keyedTargets = new KeyedNode[0];
  ExchangeListener listener;

  @SuppressWarnings("unchecked")
  KeyByNode(GraphNode node, ExecutionContext context) {
    super(node, context);
    this.selector = (KeySelector<Object, Object>) ((KeyBySpec) node.spec()).selector();
  }

  @Override
  void connect(RuntimeNode target, int targetInput) {
    super.connect(target, targetInput);
    KeyedNode[] out = java.util.Arrays.copyOf(keyedTargets, keyedTargets.length + 1);
    out[keyedTargets.length] = (KeyedNode) target;
    keyedTargets = out;
  }

  @Override
  void processElement(Object value, long timestamp) {
    Object key;
    try {
      key = selector.getKey(value);
    } catch (Exception | LinkageError e) {
      throw failure("extracting the key of " + Elements.describe(value), e);
    }
    if (key == null) {
      throw failure(
          "extracting the key of " + Elements.describe(value),
          new NullPointerException("the key selector returned null; keys cannot be null"));
    }
    if (listener != null) {
      listener.onKeyedRecord(node.id(), key, value, timestamp);
    } else {
      processKeyed(key, value, timestamp);
    }
  }

  /** The keyed operators behind this exchange. */
  KeyedNode[] keyedTargets() {
    return keyedTargets;
  }

  /** Delivers a keyed record to the keyed operators (also the entry point of a keyed stage). */
  void processKeyed(Object key, Object value, long timestamp) {
    KeyedNode[] t = keyedTargets;
    for (int i = 0; i < t.length; i++) {
      t[i].receiveKeyed(key, value, timestamp);
    }
  }

  @Override
  void processWatermark(long watermark, int input) {
    if (listener != null) {
      listener.onWatermark(node.id(), watermark);
    }
    super.processWatermark(watermark, input);
  }
}
