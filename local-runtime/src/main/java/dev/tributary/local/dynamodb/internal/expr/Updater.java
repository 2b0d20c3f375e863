package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Numbers;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies an update expression to an item: every SET value is computed from the item as it was,
 * then the actions apply in the order written (removals of list elements from the highest index
 * down, so that indexes refer to the original list).
 */
public final class Updater {
  private static final String BAD_PATH =
      "The document path provided in the update expression is invalid for update";
  private static final String BAD_TYPE =
      "An operand in the update expression has an incorrect data type";
  private static final String MISSING =
      "The provided expression refers to an attribute that does not exist in the item";

  private Updater() {}

  /** Returns the updated copy of {@code item} (which is not changed). */
  public static Map<String, Value> apply(Update update, Map<String, Value> item) {
    List<Value> setValues = new ArrayList<>();
    for (Update.Set set : update.sets()) {
      setValues.add(evaluate(set.value(), item));
    }
    Map<String, Value> result = new LinkedHashMap<>(item);
    for (int i = 0; i < update.sets().size(); i++) {
      result = set(result, update.sets().get(i).path(), setValues.get(i));
    }
    List<Path> removes = new ArrayList<>(update.removes());
    removes.sort(
        Comparator.comparing(
            (Path p) -> p.elements().get(p.elements().size() - 1) instanceof Integer i ? -i : 0));
    for (Path path : removes) {
      result = remove(result, path);
    }
    for (Update.AddOrDelete add : update.adds()) {
      Value existing = Evaluator.get(result, add.path());
      result = set(result, add.path(), add(existing, add.value().value()));
    }
    for (Update.AddOrDelete delete : update.deletes()) {
      Value existing = Evaluator.get(result, delete.path());
      if (existing == null) {
        continue;
      }
      Value remaining = delete(existing, delete.value().value());
      result =
          remaining == null ? remove(result, delete.path()) : set(result, delete.path(), remaining);
    }
    return result;
  }

  private static Value evaluate(Operand operand, Map<String, Value> item) {
    if (operand instanceof Operand.Literal lit) {
      return lit.value();
    }
    if (operand instanceof Operand.PathRef ref) {
      Value v = Evaluator.get(item, ref.path());
      if (v == null) {
        throw DynamoException.validation(MISSING);
      }
      return v;
    }
    if (operand instanceof Operand.IfNotExists ine) {
      Value v = Evaluator.get(item, ine.path());
      return v != null ? v : evaluate(ine.fallback(), item);
    }
    if (operand instanceof Operand.ListAppend la) {
      Value a = evaluate(la.first(), item);
      if (!(a instanceof Value.L first)) {
        throw DynamoException.validation(BAD_TYPE);
      }
      Value b = evaluate(la.second(), item);
      if (!(b instanceof Value.L second)) {
        throw DynamoException.validation(BAD_TYPE);
      }
      List<Value> joined = new ArrayList<>(first.value());
      joined.addAll(second.value());
      return new Value.L(joined);
    }
    if (operand instanceof Operand.Arithmetic ar) {
      Value a = evaluate(ar.left(), item);
      if (!(a instanceof Value.N x)) {
        throw DynamoException.validation(BAD_TYPE);
      }
      Value b = evaluate(ar.right(), item);
      if (!(b instanceof Value.N y)) {
        throw DynamoException.validation(BAD_TYPE);
      }
      return new Value.N(
          Numbers.check(ar.plus() ? x.value().add(y.value()) : x.value().subtract(y.value())));
    }
    throw new IllegalArgumentException("not an update operand: " + operand);
  }

  private static Value add(Value existing, Value addend) {
    if (existing != null && !existing.type().equals(addend.type())) {
      throw DynamoException.validation(BAD_TYPE);
    }
    if (addend instanceof Value.N n) {
      return existing == null
          ? n
          : new Value.N(Numbers.check(((Value.N) existing).value().add(n.value())));
    }
    if (addend instanceof Value.SS ss) {
      Set<String> out =
          new LinkedHashSet<>(existing == null ? Set.of() : ((Value.SS) existing).value());
      out.addAll(ss.value());
      return new Value.SS(out);
    }
    if (addend instanceof Value.NS ns) {
      Set<java.math.BigDecimal> out =
          new LinkedHashSet<>(existing == null ? Set.of() : ((Value.NS) existing).value());
      out.addAll(ns.value());
      return new Value.NS(out);
    }
    Value.BS bs = (Value.BS) addend;
    Set<dev.tributary.local.dynamodb.internal.model.Bytes> out =
        new LinkedHashSet<>(existing == null ? Set.of() : ((Value.BS) existing).value());
    out.addAll(bs.value());
    return new Value.BS(out);
  }

  /** The set without the elements of {@code removed}, or null when nothing remains. */
  private static Value delete(Value existing, Value removed) {
    if (!existing.type().equals(removed.type())) {
      throw DynamoException.validation(BAD_TYPE);
    }
    if (existing instanceof Value.SS ss) {
      Set<String> out = new LinkedHashSet<>(ss.value());
      out.removeAll(((Value.SS) removed).value());
      return out.isEmpty() ? null : new Value.SS(out);
    }
    if (existing instanceof Value.NS ns) {
      Set<java.math.BigDecimal> out = new LinkedHashSet<>(ns.value());
      out.removeAll(((Value.NS) removed).value());
      return out.isEmpty() ? null : new Value.NS(out);
    }
    Set<dev.tributary.local.dynamodb.internal.model.Bytes> out =
        new LinkedHashSet<>(((Value.BS) existing).value());
    out.removeAll(((Value.BS) removed).value());
    return out.isEmpty() ? null : new Value.BS(out);
  }

  /** Sets the value at {@code path}; the parent must exist. */
  static Map<String, Value> set(Map<String, Value> item, Path path, Value value) {
    Map<String, Value> out = new LinkedHashMap<>(item);
    if (path.isTopLevel()) {
      out.put(path.head(), value);
      return out;
    }
    Value top = item.get(path.head());
    if (top == null) {
      throw DynamoException.validation(BAD_PATH);
    }
    out.put(path.head(), setIn(top, path.elements(), 1, value));
    return out;
  }

  private static Value setIn(Value container, List<Object> elements, int i, Value value) {
    Object element = elements.get(i);
    boolean last = i == elements.size() - 1;
    if (element instanceof Integer index) {
      if (!(container instanceof Value.L l)) {
        throw DynamoException.validation(BAD_PATH);
      }
      List<Value> list = new ArrayList<>(l.value());
      if (last) {
        if (index >= list.size()) {
          list.add(value); // beyond the end: appended
        } else {
          list.set(index, value);
        }
      } else {
        if (index >= list.size()) {
          throw DynamoException.validation(BAD_PATH);
        }
        list.set(index, setIn(list.get(index), elements, i + 1, value));
      }
      return new Value.L(list);
    }
    if (!(container instanceof Value.M m)) {
      throw DynamoException.validation(BAD_PATH);
    }
    Map<String, Value> map = new LinkedHashMap<>(m.value());
    String key = (String) element;
    if (last) {
      map.put(key, value);
    } else {
      Value child = map.get(key);
      if (child == null) {
        throw DynamoException.validation(BAD_PATH);
      }
      map.put(key, setIn(child, elements, i + 1, value));
    }
    return new Value.M(map);
  }

  /** Removes the value at {@code path}; a missing value is no error, a missing parent is. */
  static Map<String, Value> remove(Map<String, Value> item, Path path) {
    Map<String, Value> out = new LinkedHashMap<>(item);
    if (path.isTopLevel()) {
      out.remove(path.head());
      return out;
    }
    Value top = item.get(path.head());
    if (top == null) {
      throw DynamoException.validation(BAD_PATH);
    }
    out.put(path.head(), removeIn(top, path.elements(), 1));
    return out;
  }

  private static Value removeIn(Value container, List<Object> elements, int i) {
    Object element = elements.get(i);
    boolean last = i == elements.size() - 1;
    if (element instanceof Integer index) {
      if (!(container instanceof Value.L l)) {
        throw DynamoException.validation(BAD_PATH);
      }
      List<Value> list = new ArrayList<>(l.value());
      if (index >= list.size()) {
        if (last) {
          return container;
        }
        throw DynamoException.validation(BAD_PATH);
      }
      if (last) {
        list.remove((int) index);
      } else {
        list.set(index, removeIn(list.get(index), elements, i + 1));
      }
      return new Value.L(list);
    }
    if (!(container instanceof Value.M m)) {
      throw DynamoException.validation(BAD_PATH);
    }
    Map<String, Value> map = new LinkedHashMap<>(m.value());
    String key = (String) element;
    if (last) {
      map.remove(key);
    } else {
      Value child = map.get(key);
      if (child == null) {
        throw DynamoException.validation(BAD_PATH);
      }
      map.put(key, removeIn(child, elements, i + 1));
    }
    return new Value.M(map);
  }

  /** The top-level attributes an update touches (for UPDATED_OLD / UPDATED_NEW). */
  public static List<Path> paths(Update update) {
    List<Path> paths = new ArrayList<>();
    update.sets().forEach(s -> paths.add(s.path()));
    paths.addAll(update.removes());
    update.adds().forEach(a -> paths.add(a.path()));
    update.deletes().forEach(d -> paths.add(d.path()));
    return paths;
  }
}
