package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.capacity.Capacity;
import dev.tributary.local.dynamodb.internal.expr.Path;
import dev.tributary.local.dynamodb.internal.model.Bytes;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.ItemSize;
import dev.tributary.local.dynamodb.internal.model.Numbers;
import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.IndexSchema;
import dev.tributary.local.dynamodb.internal.storage.KeyAttribute;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.storage.TableSchema;
import dev.tributary.local.dynamodb.internal.wire.Request;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Key and item validation, shared by every item operation. */
final class Items {
  private static final List<String> CAPACITY_MODES = List.of("INDEXES", "TOTAL", "NONE");

  /**
   * Sets {@code out}'s {@code ConsumedCapacity} to what {@code capacities} consumed, rendered for
   * {@code mode}; leaves it out for NONE or no capacities.
   */
  static void setConsumed(ObjectNode out, Iterable<Capacity> capacities, String mode) {
    ArrayNode consumed = Json.array();
    for (Capacity c : capacities) {
      ObjectNode rendered = c.render(mode);
      if (rendered != null) {
        consumed.add(rendered);
      }
    }
    if (!consumed.isEmpty()) {
      out.set("ConsumedCapacity", consumed);
    }
  }

  /** The request's {@code ReturnConsumedCapacity} (null when absent), its violation noted. */
  static String capacityMode(Request r) {
    return r.enumValue("ReturnConsumedCapacity", "returnConsumedCapacity", CAPACITY_MODES);
  }

  private static final String INVALID = "One or more parameter values were invalid: ";

  private Items() {}

  /** The table an item operation targets; absent tables answer "Requested resource not found". */
  static Table table(dev.tributary.local.dynamodb.internal.ops.Context ctx, String name) {
    Table table = ctx.database().table(name);
    if (table == null) {
      throw DynamoException.notFound("Requested resource not found");
    }
    return table;
  }

  /** Checks that {@code key} is exactly the table's key. */
  static void validateKey(TableSchema schema, Map<String, Value> key) {
    if (key == null || key.size() != schema.keyNames().size()) {
      throw DynamoException.validation("The provided key element does not match the schema");
    }
    checkKeyPiece(key, schema.hash(), true, true);
    if (schema.range() != null) {
      checkKeyPiece(key, schema.range(), false, true);
    }
  }

  private static void checkKeyPiece(
      Map<String, Value> key, KeyAttribute attribute, boolean isHash, boolean inKey) {
    Value v = key.get(attribute.name());
    if (v == null || !v.type().equals(attribute.type())) {
      throw DynamoException.validation("The provided key element does not match the schema");
    }
    checkNotEmpty(v, attribute.name(), inKey);
    checkKeySize(v, isHash);
  }

  private static void checkNotEmpty(Value v, String name, boolean inKey) {
    boolean empty =
        (v instanceof Value.S s && s.value().isEmpty())
            || (v instanceof Value.B b && b.value().length() == 0);
    if (empty) {
      throw DynamoException.validation(
          (inKey ? INVALID : "One or more parameter values are not valid. ")
              + "The AttributeValue for a key attribute cannot contain an empty "
              + (v instanceof Value.S ? "string" : "binary")
              + " value. Key: "
              + name);
    }
  }

  private static void checkKeySize(Value v, boolean isHash) {
    long size =
        v instanceof Value.S s ? s.utf8Length() : v instanceof Value.B b ? b.value().length() : 0;
    if (isHash && size > 2048) {
      throw DynamoException.validation(
          INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    }
    if (!isHash && size > 1024) {
      throw DynamoException.validation(
          INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    }
  }

  /** Checks an item to be written: keys present and typed, index keys typed, size. */
  static void validateItem(TableSchema schema, Map<String, Value> item, String sizeMessage) {
    for (KeyAttribute key :
        schema.range() == null ? List.of(schema.hash()) : List.of(schema.hash(), schema.range())) {
      Value v = item.get(key.name());
      if (v == null) {
        throw DynamoException.validation(
            INVALID + "Missing the key " + key.name() + " in the item");
      }
      if (!v.type().equals(key.type())) {
        throw DynamoException.validation(
            INVALID
                + "Type mismatch for key "
                + key.name()
                + " expected: "
                + key.type()
                + " actual: "
                + v.type());
      }
      checkNotEmpty(v, key.name(), false);
      checkKeySize(v, key == schema.hash());
    }
    for (IndexSchema index : schema.indexes()) {
      for (KeyAttribute key : index.keys()) {
        Value v = item.get(key.name());
        if (v != null && !v.type().equals(key.type())) {
          throw DynamoException.validation(
              INVALID
                  + "Type mismatch for Index Key "
                  + key.name()
                  + " Expected: "
                  + key.type()
                  + " Actual: "
                  + v.type()
                  + " IndexName: "
                  + index.name());
        }
        if (v != null
            && ((v instanceof Value.S s && s.value().isEmpty())
                || (v instanceof Value.B b && b.value().length() == 0))) {
          throw DynamoException.validation(
              "One or more parameter values are not valid. A value specified for a secondary index"
                  + " key is not supported. The AttributeValue for a key attribute cannot contain an"
                  + " empty string value. IndexName: "
                  + index.name()
                  + ", IndexKey: "
                  + key.name());
        }
      }
    }
    if (ItemSize.of(item) > ItemSize.MAX_ITEM_BYTES) {
      throw DynamoException.validation(sizeMessage);
    }
  }

  /** The key attributes of an item. */
  static Map<String, Value> keyOf(TableSchema schema, Map<String, Value> item) {
    Map<String, Value> key = new LinkedHashMap<>();
    for (String name : schema.keyNames()) {
      key.put(name, item.get(name));
    }
    return key;
  }

  /** Refuses updates of key attributes and nested paths into key attributes. */
  static void checkUpdatePaths(TableSchema schema, List<Path> paths) {
    for (Path path : paths) {
      if (schema.keyNames().contains(path.head())) {
        if (!path.isTopLevel()) {
          throw DynamoException.validation(
              "Key attributes must be scalars; list random access '[]' and map lookup '.' are not"
                  + " allowed: Key: "
                  + path.head());
        }
        throw DynamoException.validation(
            INVALID
                + "Cannot update attribute "
                + path.head()
                + ". This attribute is part of the key");
      }
      for (IndexSchema index : schema.indexes()) {
        for (KeyAttribute key : index.keys()) {
          if (key.name().equals(path.head()) && !path.isTopLevel()) {
            throw DynamoException.validation(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not"
                    + " allowed: IndexKey: "
                    + path.head());
          }
        }
      }
    }
  }

  /** Applies legacy AttributeUpdates (PUT, ADD, DELETE) to a copy of {@code item}. */
  static Map<String, Value> applyAttributeUpdates(
      TableSchema schema, JsonNode updates, Map<String, Value> item) {
    Map<String, Value> out = new LinkedHashMap<>(item);
    Iterator<Map.Entry<String, JsonNode>> it = updates.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String attr = e.getKey();
      if (schema.keyNames().contains(attr)) {
        throw DynamoException.validation(
            INVALID + "Cannot update attribute " + attr + ". This attribute is part of the key");
      }
      String action = Request.string(e.getValue(), "Action");
      JsonNode valueNode = e.getValue().get("Value");
      Value value = valueNode == null || valueNode.isNull() ? null : ValueCodec.value(valueNode);
      Value existing = out.get(attr);
      if (action == null || action.equals("PUT")) {
        if (value == null) {
          throw DynamoException.validation(
              INVALID + "Only DELETE action is allowed when no attribute value is specified");
        }
        out.put(attr, value);
      } else if (action.equals("DELETE")) {
        if (value == null) {
          out.remove(attr);
        } else if (existing != null) {
          if (!existing.type().equals(value.type())) {
            throw DynamoException.validation("Type mismatch for attribute to update");
          }
          Value remaining = removeElements(existing, value);
          if (remaining == null) {
            out.remove(attr);
          } else {
            out.put(attr, remaining);
          }
        }
      } else if (action.equals("ADD")) {
        if (value == null) {
          throw DynamoException.validation(
              INVALID + "Only DELETE action is allowed when no attribute value is specified");
        }
        if (existing != null && !existing.type().equals(value.type())) {
          throw DynamoException.validation("Type mismatch for attribute to update");
        }
        out.put(attr, addElements(existing, value));
      } else {
        throw DynamoException.validation(
            "1 validation error detected: Value '"
                + action
                + "' at 'attributeUpdates."
                + attr
                + ".member.action' failed to satisfy constraint: Member must satisfy enum value set:"
                + " [ADD, PUT, DELETE]");
      }
    }
    return out;
  }

  private static Value addElements(Value existing, Value value) {
    if (value instanceof Value.N n) {
      return existing == null
          ? n
          : new Value.N(Numbers.check(((Value.N) existing).value().add(n.value())));
    }
    if (value instanceof Value.L l) {
      List<Value> out =
          new ArrayList<>(existing == null ? List.of() : ((Value.L) existing).value());
      out.addAll(l.value());
      return new Value.L(out);
    }
    if (value instanceof Value.SS ss) {
      Set<String> out =
          new LinkedHashSet<>(existing == null ? Set.of() : ((Value.SS) existing).value());
      out.addAll(ss.value());
      return new Value.SS(out);
    }
    if (value instanceof Value.NS ns) {
      Set<BigDecimal> out =
          new LinkedHashSet<>(existing == null ? Set.of() : ((Value.NS) existing).value());
      out.addAll(ns.value());
      return new Value.NS(out);
    }
    if (value instanceof Value.BS bs) {
      Set<Bytes> out =
          new LinkedHashSet<>(existing == null ? Set.of() : ((Value.BS) existing).value());
      out.addAll(bs.value());
      return new Value.BS(out);
    }
    throw DynamoException.validation(
        INVALID + "ADD action is not supported for the type " + value.type());
  }

  private static Value removeElements(Value existing, Value value) {
    if (existing instanceof Value.SS ss) {
      Set<String> out = new LinkedHashSet<>(ss.value());
      out.removeAll(((Value.SS) value).value());
      return out.isEmpty() ? null : new Value.SS(out);
    }
    if (existing instanceof Value.NS ns) {
      Set<BigDecimal> out = new LinkedHashSet<>(ns.value());
      out.removeAll(((Value.NS) value).value());
      return out.isEmpty() ? null : new Value.NS(out);
    }
    if (existing instanceof Value.BS bs) {
      Set<Bytes> out = new LinkedHashSet<>(bs.value());
      out.removeAll(((Value.BS) value).value());
      return out.isEmpty() ? null : new Value.BS(out);
    }
    throw DynamoException.validation(
        INVALID + "DELETE action with value is not supported for the type " + value.type());
  }
}
