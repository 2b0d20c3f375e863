package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The (table, item key or item) pairs a request touches, for matching fault rules. */
public final class Targets {
  private Targets() {}

  /** One touched item: its table and its key (or whole item) as JSON. */
  public record Target(String table, JsonNode key) {}

  /** What {@code body} of {@code operation} touches. */
  public static List<Target> of(String operation, ObjectNode body) {
    List<Target> out = new ArrayList<>();
    switch (operation) {
      case "TransactWriteItems", "TransactGetItems" -> {
        JsonNode items = body.get("TransactItems");
        if (items != null) {
          for (JsonNode action : items) {
            Iterator<JsonNode> it = action.elements();
            while (it.hasNext()) {
              JsonNode a = it.next();
              out.add(
                  new Target(
                      a.path("TableName").asText(null),
                      a.has("Key") ? a.get("Key") : a.get("Item")));
            }
          }
        }
      }
      case "BatchWriteItem", "BatchGetItem" -> {
        JsonNode items = body.get("RequestItems");
        if (items != null) {
          Iterator<Map.Entry<String, JsonNode>> it = items.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode list = e.getValue().isArray() ? e.getValue() : e.getValue().path("Keys");
            for (JsonNode w : list) {
              JsonNode key =
                  w.has("PutRequest")
                      ? w.get("PutRequest").get("Item")
                      : w.has("DeleteRequest") ? w.get("DeleteRequest").get("Key") : w;
              out.add(new Target(e.getKey(), key));
            }
          }
        }
      }
      default ->
          out.add(
              new Target(
                  body.path("TableName").asText(null),
                  body.has("Key") ? body.get("Key") : body.get("Item")));
    }
    return out;
  }

  /** Whether {@code key} has every attribute of {@code expected} with that S or N text. */
  public static boolean keyMatches(JsonNode key, Map<String, String> expected) {
    if (expected.isEmpty()) {
      return true;
    }
    if (key == null) {
      return false;
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      JsonNode attr = key.get(e.getKey());
      if (attr == null) {
        return false;
      }
      String text =
          attr.has("S") ? attr.get("S").asText() : attr.has("N") ? attr.get("N").asText() : null;
      if (!e.getValue().equals(text)) {
        return false;
      }
    }
    return true;
  }
}
