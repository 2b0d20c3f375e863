package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Evaluates conditions against an item. A missing attribute makes comparisons false, except {@code
 * <>} (true), as in DynamoDB; values of different types are never equal nor ordered.
 */
public final class Evaluator {
  private Evaluator() {}

  /** Whether {@code item} (null or empty when absent) satisfies {@code condition}. */
  public static boolean matches(Condition condition, Map<String, Value> item) {
    if (condition instanceof Condition.And and) {
      return matches(and.left(), item) && matches(and.right(), item);
    }
    if (condition instanceof Condition.Or or) {
      return matches(or.left(), item) || matches(or.right(), item);
    }
    if (condition instanceof Condition.Not not) {
      return !matches(not.condition(), item);
    }
    if (condition instanceof Condition.Compare c) {
      return compare(c.op(), resolve(c.left(), item), resolve(c.right(), item));
    }
    if (condition instanceof Condition.Between b) {
      Value v = resolve(b.value(), item);
      Value lo = resolve(b.low(), item);
      Value hi = resolve(b.high(), item);
      return compare(">=", v, lo) && compare("<=", v, hi);
    }
    if (condition instanceof Condition.In in) {
      Value v = resolve(in.value(), item);
      if (v == null) {
        return false;
      }
      for (Operand option : in.options()) {
        if (v.equals(resolve(option, item))) {
          return true;
        }
      }
      return false;
    }
    return function((Condition.Function) condition, item);
  }

  private static boolean function(Condition.Function f, Map<String, Value> item) {
    List<Operand> args = f.args();
    Value first = resolve(args.get(0), item);
    switch (f.name()) {
      case "attribute_exists":
        return first != null;
      case "attribute_not_exists":
        return first == null;
      case "attribute_type":
        {
          Value type = resolve(args.get(1), item);
          return first != null && type instanceof Value.S s && s.value().equals(first.type());
        }
      case "begins_with":
        {
          Value prefix = resolve(args.get(1), item);
          if (first instanceof Value.S s && prefix instanceof Value.S p) {
            return s.value().startsWith(p.value());
          }
          if (first instanceof Value.B b && prefix instanceof Value.B p) {
            return b.value().startsWith(p.value());
          }
          return false;
        }
      case "contains":
        return contains(first, resolve(args.get(1), item));
      default:
        throw new IllegalStateException("unknown function " + f.name());
    }
  }

  private static boolean contains(Value container, Value part) {
    if (container == null || part == null) {
      return false;
    }
    if (container instanceof Value.S s && part instanceof Value.S p) {
      return s.value().contains(p.value());
    }
    if (container instanceof Value.B b && part instanceof Value.B p) {
      return b.value().contains(p.value());
    }
    if (container instanceof Value.SS ss && part instanceof Value.S p) {
      return ss.value().contains(p.value());
    }
    if (container instanceof Value.NS ns && part instanceof Value.N p) {
      return ns.value().contains(p.value());
    }
    if (container instanceof Value.BS bs && part instanceof Value.B p) {
      return bs.value().contains(p.value());
    }
    if (container instanceof Value.L l) {
      return l.value().contains(part);
    }
    return false;
  }

  /** Compares with one of {@code = <> < <= > >=}. */
  public static boolean compare(String op, Value a, Value b) {
    if (op.equals("<>")) {
      return a == null || b == null || !a.equals(b);
    }
    if (a == null || b == null || !a.type().equals(b.type())) {
      return false;
    }
    if (op.equals("=")) {
      return a.equals(b);
    }
    if (!Values.isOrderable(a)) {
      return false;
    }
    int c = Values.compare(a, b);
    return switch (op) {
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      default -> throw new IllegalArgumentException(op);
    };
  }

  /** The value of an operand for {@code item}, or null when it refers to nothing. */
  public static Value resolve(Operand operand, Map<String, Value> item) {
    if (operand instanceof Operand.Literal lit) {
      return lit.value();
    }
    if (operand instanceof Operand.PathRef ref) {
      return get(item, ref.path());
    }
    if (operand instanceof Operand.Size size) {
      Value v = get(item, size.path());
      Integer length = sizeOf(v);
      return length == null ? null : new Value.N(BigDecimal.valueOf(length));
    }
    throw new IllegalArgumentException("not a condition operand: " + operand);
  }

  /** size(): characters of a string, bytes of binary, elements of a set, list or map. */
  static Integer sizeOf(Value v) {
    if (v instanceof Value.S s) {
      return s.value().length();
    } else if (v instanceof Value.B b) {
      return b.value().length();
    } else if (v instanceof Value.SS ss) {
      return ss.value().size();
    } else if (v instanceof Value.NS ns) {
      return ns.value().size();
    } else if (v instanceof Value.BS bs) {
      return bs.value().size();
    } else if (v instanceof Value.L l) {
      return l.value().size();
    } else if (v instanceof Value.M m) {
      return m.value().size();
    }
    return null;
  }

  /** The value at {@code path} in {@code item}, or null. */
  public static Value get(Map<String, Value> item, Path path) {
    if (item == null) {
      return null;
    }
    Value current = item.get(path.head());
    for (int i = 1; i < path.elements().size() && current != null; i++) {
      Object element = path.elements().get(i);
      if (element instanceof Integer index) {
        current =
            current instanceof Value.L l && index < l.value().size() ? l.value().get(index) : null;
      } else {
        current = current instanceof Value.M m ? m.value().get((String) element) : null;
      }
    }
    return current;
  }
}
