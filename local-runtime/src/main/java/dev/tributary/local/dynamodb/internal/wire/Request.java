package dev.tributary.local.dynamodb.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request body with typed, validating accessors. Constraint violations are collected as DynamoDB
 * does ("N validation errors detected: Value ... at 'field' failed to satisfy constraint: ...").
 */
public final class Request {
  private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");

  /** The operations whose TableName DynamoDB reports as "required" rather than "not null". */
  private static final Set<String> TABLE_NAME_REQUIRED =
      Set.of("CreateTable", "DeleteTable", "DescribeTable", "UpdateTable", "DescribeTimeToLive");

  private final String operation;
  private final ObjectNode body;
  private final List<String> violations = new ArrayList<>();

  /** Wraps the body of {@code operation}. */
  public Request(String operation, ObjectNode body) {
    this.operation = operation;
    this.body = body;
  }

  /** The operation name. */
  public String operation() {
    return operation;
  }

  /** The raw body. */
  public ObjectNode body() {
    return body;
  }

  /** A field, or null. */
  public JsonNode get(String field) {
    JsonNode node = body.get(field);
    return node == null || node.isNull() ? null : node;
  }

  /** Whether the field is present. */
  public boolean has(String field) {
    return get(field) != null;
  }

  /** A string field, or null. */
  public String string(String field) {
    return string(body, field);
  }

  /** A string field of {@code node}, or null. */
  public static String string(JsonNode node, String field) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw ValueCodec.serialization(
          (v.isNumber()
                  ? "NUMBER_VALUE"
                  : v.isBoolean()
                      ? "TRUE_VALUE"
                      : "Start of structure or map found where not expected")
              + (v.isNumber() || v.isBoolean() ? " cannot be converted to String" : ""));
    }
    return v.textValue();
  }

  /**
   * A boolean field, or {@code fallback}. Like DynamoDB, the strings true/false, 1/0 and yes/no
   * (any case) are read as booleans too.
   */
  public boolean bool(String field, boolean fallback) {
    JsonNode v = get(field);
    return v == null ? fallback : toBoolean(v);
  }

  /** A JSON value read as a boolean by DynamoDB's rules (see {@link #bool}). */
  static boolean toBoolean(JsonNode v) {
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isTextual()) {
      String text = v.textValue().toUpperCase(java.util.Locale.ROOT);
      if (List.of("TRUE", "1", "YES").contains(text)) {
        return true;
      }
      if (List.of("FALSE", "0", "NO").contains(text)) {
        return false;
      }
      throw ValueCodec.serialization("Unexpected token received from parser");
    }
    if (v.isNumber()) {
      throw ValueCodec.serialization(
          (v.isIntegralNumber() ? "NUMBER_VALUE" : "DECIMAL_VALUE")
              + " cannot be converted to Boolean");
    }
    if (v.isArray()) {
      throw ValueCodec.serialization("Unrecognized collection type class java.lang.Boolean");
    }
    throw ValueCodec.serialization("Start of structure or map found where not expected");
  }

  /**
   * An integer field, or null. Every integer request field of the operations (Limit, Segment,
   * TotalSegments) is an Integer in DynamoDB's model; a fractional number is rounded down.
   */
  public Long number(String field) {
    JsonNode v = get(field);
    if (v == null) {
      return null;
    }
    if (v.isNumber()) {
      return (long) Math.floor(v.doubleValue());
    }
    if (v.isTextual()) {
      throw ValueCodec.serialization("STRING_VALUE cannot be converted to Integer");
    }
    if (v.isBoolean()) {
      throw ValueCodec.serialization(
          (v.booleanValue() ? "TRUE_VALUE" : "FALSE_VALUE") + " cannot be converted to Integer");
    }
    if (v.isArray()) {
      throw ValueCodec.serialization("Unrecognized collection type class java.lang.Integer");
    }
    throw ValueCodec.serialization("Start of structure or map found where not expected");
  }

  /** An item/key map field, or null. */
  public Map<String, Value> item(String field) {
    return ValueCodec.item(get(field));
  }

  /** A string-to-string map field (ExpressionAttributeNames), or null. */
  public Map<String, String> stringMap(String field) {
    JsonNode v = get(field);
    if (v == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = v.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** Records a constraint violation. */
  public void violation(String value, String field, String constraint) {
    violations.add(
        "Value "
            + (value == null ? "null" : "'" + value + "'")
            + " at '"
            + field
            + "' failed to satisfy constraint: "
            + constraint);
  }

  /**
   * Checks a table name field. At the top level of a request DynamoDB checks presence (for the
   * table operations) and length before any other constraint and fails at once; nested table names
   * (transactions) are checked as constraints and recorded.
   */
  public String tableName(String field, String path) {
    String name = string(field);
    boolean topLevel = path.equals("tableName");
    if (name == null) {
      if (topLevel && TABLE_NAME_REQUIRED.contains(operation)) {
        throw DynamoException.validation(
            "The parameter '" + field + "' is required but was not present in the request");
      }
      violation(null, path, "Member must not be null");
      return null;
    }
    if (topLevel && (name.length() < 3 || name.length() > 255)) {
      throw DynamoException.validation(
          field + " must be at least 3 characters long and at most 255 characters long");
    }
    if (!TABLE_NAME.matcher(name).matches()) {
      violation(name, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    if (name.length() < 3) {
      violation(name, path, "Member must have length greater than or equal to 3");
    }
    if (name.length() > 255) {
      violation(name, path, "Member must have length less than or equal to 255");
    }
    return name;
  }

  /**
   * Checks an index name (3 to 255 characters of [a-zA-Z0-9_.-]) and records violations at {@code
   * path}.
   */
  public void indexName(String name, String path) {
    if (name == null) {
      violation(null, path, "Member must not be null");
      return;
    }
    if (!TABLE_NAME.matcher(name).matches()) {
      violation(name, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    if (name.length() < 3) {
      violation(name, path, "Member must have length greater than or equal to 3");
    }
    if (name.length() > 255) {
      violation(name, path, "Member must have length less than or equal to 255");
    }
  }

  /** A value as DynamoDB prints it in constraint messages: lists as [a, b], objects as JSON. */
  public static String valueString(JsonNode value) {
    if (value == null || value.isNull()) {
      return "null";
    }
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      value.forEach(v -> parts.add(valueString(v)));
      return "[" + String.join(", ", parts) + "]";
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** Checks an enum field and records violations. */
  public String enumValue(String field, String path, List<String> allowed) {
    String value = string(field);
    if (value != null && !allowed.contains(value)) {
      violation(value, path, "Member must satisfy enum value set: " + allowed);
    }
    return value;
  }

  /** Fails with every recorded violation. */
  public void checkViolations() {
    if (!violations.isEmpty()) {
      int n = Math.min(10, violations.size());
      throw DynamoException.validation(
          n
              + " validation error"
              + (n == 1 ? "" : "s")
              + " detected: "
              + String.join("; ", violations.subList(0, n)));
    }
  }
}
