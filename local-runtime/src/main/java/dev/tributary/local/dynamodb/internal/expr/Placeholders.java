package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ExpressionAttributeNames and ExpressionAttributeValues of one request, shared by all its
 * expressions, recording which were used so that unused ones can be refused as DynamoDB does.
 */
public final class Placeholders {
  private final Map<String, String> names;
  private final Map<String, Value> values;
  private final Set<String> usedNames = new LinkedHashSet<>();
  private final Set<String> usedValues = new LinkedHashSet<>();

  /** Wraps a request's maps (either may be null). */
  public Placeholders(Map<String, String> names, Map<String, Value> values) {
    this.names = names == null ? Map.of() : names;
    this.values = values == null ? Map.of() : values;
  }

  /** The name behind {@code #placeholder}, or null if undefined. */
  String name(String placeholder) {
    String name = names.get(placeholder);
    if (name != null) {
      usedNames.add(placeholder);
    }
    return name;
  }

  /** The value behind {@code :placeholder}, or null if undefined. */
  Value value(String placeholder) {
    Value value = values.get(placeholder);
    if (value != null) {
      usedValues.add(placeholder);
    }
    return value;
  }

  /** Fails if a name or value was given but no expression used it. */
  public void checkAllUsed() {
    Set<String> unusedNames = new TreeSet<>(names.keySet());
    unusedNames.removeAll(usedNames);
    if (!unusedNames.isEmpty()) {
      throw DynamoException.validation(
          "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
              + String.join(", ", unusedNames)
              + "}");
    }
    Set<String> unusedValues = new TreeSet<>(values.keySet());
    unusedValues.removeAll(usedValues);
    if (!unusedValues.isEmpty()) {
      throw DynamoException.validation(
          "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
              + String.join(", ", unusedValues)
              + "}");
    }
  }

  /** Whether ExpressionAttributeNames was given. */
  public boolean hasNames() {
    return !names.isEmpty();
  }

  /** Whether ExpressionAttributeValues was given. */
  public boolean hasValues() {
    return !values.isEmpty();
  }
}
