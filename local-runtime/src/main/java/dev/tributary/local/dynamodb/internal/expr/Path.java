package dev.tributary.local.dynamodb.internal.expr;

import java.util.List;

/**
 * A document path: {@code a.b[2].c}. Elements are attribute or map-key names ({@code String}) and
 * list indexes ({@code Integer}); the first element is always a name.
 *
 * @param elements the elements
 */
public record Path(List<Object> elements) {
  /** Copies the elements. */
  public Path {
    elements = List.copyOf(elements);
  }

  /** A top-level attribute. */
  public static Path of(String name) {
    return new Path(List.of(name));
  }

  /** The top-level attribute name. */
  public String head() {
    return (String) elements.get(0);
  }

  /** Whether this is a top-level attribute. */
  public boolean isTopLevel() {
    return elements.size() == 1;
  }

  /** Whether one path is a prefix of the other (they touch the same data). */
  public boolean overlaps(Path other) {
    int n = Math.min(elements.size(), other.elements.size());
    for (int i = 0; i < n; i++) {
      if (!elements.get(i).equals(other.elements.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The path as DynamoDB prints it in messages: {@code [a, b, [2]]}. */
  public String describe() {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < elements.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      Object e = elements.get(i);
      out.append(e instanceof Integer ? "[" + e + "]" : e);
    }
    return out.append("]").toString();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Object e : elements) {
      if (e instanceof Integer i) {
        out.append('[').append(i).append(']');
      } else {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(e);
      }
    }
    return out.toString();
  }
}
