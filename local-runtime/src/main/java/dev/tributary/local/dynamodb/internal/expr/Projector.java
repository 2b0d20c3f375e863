package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps only the given document paths of an item: nested maps keep the requested keys, lists keep
 * the requested elements in index order (without gaps), as DynamoDB returns them.
 */
public final class Projector {
  private Projector() {}

  /** The projection of {@code item} on {@code paths}. */
  public static Map<String, Value> project(Map<String, Value> item, List<Path> paths) {
    Node root = new Node();
    for (Path path : paths) {
      Value value = Evaluator.get(item, path);
      if (value != null) {
        root.put(path.elements(), 0, value);
      }
    }
    Map<String, Value> out = new LinkedHashMap<>();
    root.names.forEach((name, node) -> out.put(name, node.build()));
    return out;
  }

  /** A partial document being assembled. */
  private static final class Node {
    Value leaf;
    final Map<String, Node> names = new LinkedHashMap<>();
    final TreeMap<Integer, Node> indexes = new TreeMap<>();

    void put(List<Object> elements, int i, Value value) {
      if (i == elements.size()) {
        leaf = value;
        return;
      }
      Object e = elements.get(i);
      Node child =
          e instanceof Integer index
              ? indexes.computeIfAbsent(index, k -> new Node())
              : names.computeIfAbsent((String) e, k -> new Node());
      child.put(elements, i + 1, value);
    }

    Value build() {
      if (leaf != null) {
        return leaf;
      }
      if (!indexes.isEmpty()) {
        List<Value> list = new ArrayList<>();
        indexes.values().forEach(n -> list.add(n.build()));
        return new Value.L(list);
      }
      Map<String, Value> map = new LinkedHashMap<>();
      names.forEach((name, node) -> map.put(name, node.build()));
      return new Value.M(map);
    }
  }
}
