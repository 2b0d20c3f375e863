package dev.tributary.local.dynamodb.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.Bytes;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Numbers;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes attribute values in the JSON protocol ({@code {"S": "x"}}, {@code {"N": "1"}},
 * ...), validating them with DynamoDB's messages.
 */
public final class ValueCodec {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String INVALID = "One or more parameter values were invalid: ";

  private ValueCodec() {}

  /** Reads an item (attribute name to value). */
  public static Map<String, Value> item(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isArray()) {
      throw serialization(
          "Unrecognized collection type java.util.Map<java.lang.String,"
              + " com.amazonaws.dynamodb.v20120810.AttributeValue>");
    }
    if (!node.isObject()) {
      throw serialization("Start of structure or map found where not expected");
    }
    Map<String, Value> item = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      item.put(field.getKey(), value(field.getValue()));
    }
    return item;
  }

  /** Reads one attribute value. */
  public static Value value(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw serialization("Start of structure or map found where not expected");
    }
    List<String> types = new ArrayList<>();
    node.fieldNames().forEachRemaining(types::add);
    types.removeIf(t -> node.get(t).isNull());
    if (types.isEmpty()) {
      throw DynamoException.validation(
          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    if (types.size() > 1) {
      throw DynamoException.validation(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the"
              + " supported datatypes");
    }
    String type = types.get(0);
    JsonNode v = node.get(type);
    switch (type) {
      case "S":
        return new Value.S(text(v));
      case "N":
        return new Value.N(Numbers.parse(text(v)));
      case "B":
        return new Value.B(binary(v));
      case "BOOL":
        return new Value.Bool(Request.toBoolean(v));
      case "NULL":
        if (!Request.toBoolean(v)) {
          throw DynamoException.validation(
              INVALID + "Null attribute value types must have the value of true");
        }
        return new Value.Null();
      case "M":
        return new Value.M(item(v));
      case "L":
        {
          List<Value> list = new ArrayList<>();
          for (JsonNode element : array(v)) {
            list.add(value(element));
          }
          return new Value.L(list);
        }
      case "SS":
        {
          List<String> all = new ArrayList<>();
          for (JsonNode element : array(v)) {
            all.add(text(element));
          }
          if (all.isEmpty()) {
            throw DynamoException.validation(INVALID + "An string set  may not be empty");
          }
          Set<String> set = new LinkedHashSet<>(all);
          if (set.size() != all.size()) {
            throw DynamoException.validation(
                INVALID + "Input collection " + all + " contains duplicates.");
          }
          return new Value.SS(set);
        }
      case "NS":
        {
          List<BigDecimal> all = new ArrayList<>();
          for (JsonNode element : array(v)) {
            all.add(Numbers.parse(text(element)));
          }
          if (all.isEmpty()) {
            throw DynamoException.validation(INVALID + "An number set  may not be empty");
          }
          Set<BigDecimal> set = new LinkedHashSet<>(all);
          if (set.size() != all.size()) {
            throw DynamoException.validation("Input collection contains duplicates");
          }
          return new Value.NS(set);
        }
      case "BS":
        {
          List<Bytes> all = new ArrayList<>();
          for (JsonNode element : array(v)) {
            all.add(binary(element));
          }
          if (all.isEmpty()) {
            throw DynamoException.validation(INVALID + "Binary sets should not be empty");
          }
          Set<Bytes> set = new LinkedHashSet<>(all);
          if (set.size() != all.size()) {
            throw DynamoException.validation(
                INVALID + "Input collection " + all + "of type BS contains duplicates.");
          }
          return new Value.BS(set);
        }
      default:
        throw serialization("Unexpected field type");
    }
  }

  private static String text(JsonNode v) {
    if (!v.isTextual()) {
      throw serialization(
          (v.isNumber() ? "NUMBER_VALUE" : v.isBoolean() ? "TRUE_VALUE" : "STRUCTURE")
              + " cannot be converted to String");
    }
    return v.textValue();
  }

  /**
   * Decodes a B value. DynamoDB wants padded, canonical base64: the JDK decoder alone would accept
   * "abc" (no padding) and stray low bits in the last character.
   */
  private static Bytes binary(JsonNode v) {
    String text = text(v);
    if (text.length() % 4 != 0) {
      throw serialization(
          "Base64 encoded length is expected a multiple of 4 bytes but found: " + text.length());
    }
    Bytes bytes;
    try {
      bytes = Bytes.fromBase64(text);
    } catch (IllegalArgumentException e) {
      throw serialization("Invalid last non-pad Base64 character dectected");
    }
    if (!bytes.toBase64().equals(text)) {
      // sic: "dectected" is DynamoDB's spelling
      throw serialization("Invalid last non-pad Base64 character dectected");
    }
    return bytes;
  }

  private static Iterable<JsonNode> array(JsonNode v) {
    if (v.isObject()) {
      throw serialization("Start of structure or map found where not expected");
    }
    if (!v.isArray()) {
      throw serialization("Unexpected field type");
    }
    return v;
  }

  static DynamoException serialization(String message) {
    return new DynamoException("SerializationException", 400, message);
  }

  /** Writes an item. */
  public static ObjectNode write(Map<String, Value> item) {
    ObjectNode out = JSON.objectNode();
    for (Map.Entry<String, Value> e : item.entrySet()) {
      out.set(e.getKey(), write(e.getValue()));
    }
    return out;
  }

  /** Writes one value. */
  public static ObjectNode write(Value value) {
    ObjectNode out = JSON.objectNode();
    if (value instanceof Value.S s) {
      out.put("S", s.value());
    } else if (value instanceof Value.N n) {
      out.put("N", n.text());
    } else if (value instanceof Value.B b) {
      out.put("B", b.value().toBase64());
    } else if (value instanceof Value.Bool b) {
      out.put("BOOL", b.value());
    } else if (value instanceof Value.Null) {
      out.put("NULL", true);
    } else if (value instanceof Value.M m) {
      out.set("M", write(m.value()));
    } else if (value instanceof Value.L l) {
      ArrayNode array = out.putArray("L");
      l.value().forEach(v -> array.add(write(v)));
    } else if (value instanceof Value.SS ss) {
      ArrayNode array = out.putArray("SS");
      ss.value().forEach(array::add);
    } else if (value instanceof Value.NS ns) {
      ArrayNode array = out.putArray("NS");
      ns.value().forEach(n -> array.add(new Value.N(n).text()));
    } else if (value instanceof Value.BS bs) {
      ArrayNode array = out.putArray("BS");
      bs.value().forEach(b -> array.add(b.toBase64()));
    }
    return out;
  }
}
