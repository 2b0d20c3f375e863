package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request sent to both endpoints, with the assertions the suite makes on the pair. Bodies are
 * compared after {@link #normalize}: volatile fields (times, ids) and the fields where the two
 * endpoints differ on purpose are removed there, and each test that cares asserts those fields on
 * its own.
 *
 * @param op the operation
 * @param request the request body
 * @param ours our endpoint's response
 * @param dynalite dynalite's response
 */
record Exchange(String op, String request, Wire.Response ours, Wire.Response dynalite) {

  /** Fields that differ between any two runs (times, generated ids). */
  private static final Set<String> VOLATILE =
      Set.of(
          "CreationDateTime",
          "TableId",
          "LastUpdateToPayPerRequestDateTime",
          "LastIncreaseDateTime",
          "LastDecreaseDateTime");

  /**
   * Fields dynalite never maintains and we do as AWS does: item counts and sizes (dynalite leaves
   * them 0, readme TODO "size info for tables and indexes") and DeletionProtectionEnabled (dynalite
   * predates it). {@link TableConformanceIT} asserts them on our side.
   */
  private static final Set<String> TABLE_STATISTICS =
      Set.of("ItemCount", "TableSizeBytes", "IndexSizeBytes", "DeletionProtectionEnabled");

  /** Our HTTP status equals dynalite's, and so do the error type and message. */
  Exchange assertSameStatusAndError() {
    assertThat(ours.status()).as(describe("HTTP status")).isEqualTo(dynalite.status());
    assertThat(ours.errorType()).as(describe("__type")).isEqualTo(dynalite.errorType());
    assertThat(ours.message()).as(describe("error message")).isEqualTo(dynalite.message());
    return this;
  }

  /** Same status, error type and error message, but the messages may differ. */
  Exchange assertSameStatusAndType() {
    assertThat(ours.status()).as(describe("HTTP status")).isEqualTo(dynalite.status());
    assertThat(ours.errorType()).as(describe("__type")).isEqualTo(dynalite.errorType());
    return this;
  }

  /** Everything equal after normalization: status, error and body. */
  Exchange assertSame() {
    assertSameStatusAndError();
    assertThat(normalize(ours.body()))
        .as(describe("normalized body"))
        .isEqualTo(normalize(dynalite.body()));
    return this;
  }

  /** Both succeeded. */
  Exchange assertBothOk() {
    assertThat(ours.status()).as(describe("our status") + " " + ours).isEqualTo(200);
    assertThat(dynalite.status()).as(describe("dynalite status") + " " + dynalite).isEqualTo(200);
    return this;
  }

  /** Both failed with a ValidationException carrying the same message. */
  Exchange assertSameValidationError() {
    assertSameStatusAndError();
    assertThat(ours.errorType()).as(describe("__type")).isEqualTo("ValidationException");
    return this;
  }

  /** Both failed with {@code type} and {@code message}. */
  Exchange assertError(String type, String message) {
    assertSameStatusAndError();
    assertThat(ours.errorType()).as(describe("__type")).isEqualTo(type);
    assertThat(ours.message()).as(describe("message")).isEqualTo(message);
    return this;
  }

  /**
   * Same as {@link #assertSame} for BatchGetItem: the items of each table in any order (dynalite
   * shuffles them), and so are the ConsumedCapacity entries.
   */
  Exchange assertSameIgnoringOrder() {
    assertSameStatusAndError();
    assertThat(sortArrays(normalize(ours.body())))
        .as(describe("normalized body, arrays sorted"))
        .isEqualTo(sortArrays(normalize(dynalite.body())));
    return this;
  }

  /**
   * {@link #assertSame} for a Query or Scan page, except that a page that read nothing costs the
   * minimum on our side (AWS API reference, Query: "Queries that do not return results consume the
   * minimum number of read capacity units for that type of read operation"; Scan.md: "a minimum
   * read capacity unit (0.5 with default eventually consistent, 1.0 with strongly consistent)") and
   * 0 on dynalite's.
   */
  Exchange assertSamePage() {
    JsonNode capacity = ours.body().get("ConsumedCapacity");
    if (ours.status() != 200 || capacity == null || ours.body().path("ScannedCount").asInt() > 0) {
      return assertSame();
    }
    assertSameExcept("ConsumedCapacity");
    double minimum = request.contains("\"ConsistentRead\":true") && op.equals("Query") ? 1.0 : 0.5;
    assertThat(capacity.path("CapacityUnits").asDouble())
        .as(describe("our CapacityUnits of an empty page"))
        .isEqualTo(minimum);
    assertThat(dynalite.body().at("/ConsumedCapacity/CapacityUnits").asDouble())
        .as(describe("dynalite's CapacityUnits of an empty page"))
        .isZero();
    return this;
  }

  /** Our normalized body without {@code fields} (top level) equals dynalite's without them. */
  Exchange assertSameExcept(String... fields) {
    assertSameStatusAndError();
    JsonNode a = normalize(ours.body());
    JsonNode b = normalize(dynalite.body());
    for (String f : fields) {
      ((ObjectNode) a).remove(f);
      ((ObjectNode) b).remove(f);
    }
    assertThat(a).as(describe("normalized body without " + List.of(fields))).isEqualTo(b);
    return this;
  }

  /** Our body (raw). */
  JsonNode oursBody() {
    return ours.body();
  }

  /** dynalite's body (raw). */
  JsonNode dynaliteBody() {
    return dynalite.body();
  }

  String describe(String what) {
    return op
        + " "
        + what
        + "\n request:  "
        + request
        + "\n ours:     "
        + ours
        + "\n dynalite: "
        + dynalite
        + "\n";
  }

  /** A copy with volatile fields removed and every number in one canonical form. */
  static JsonNode normalize(JsonNode node) {
    return normalize(node, false);
  }

  private static JsonNode normalize(JsonNode node, boolean inCapacity) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        if (VOLATILE.contains(name) || TABLE_STATISTICS.contains(name)) {
          continue;
        }
        // AWS's documented ConsumedCapacity samples carry only CapacityUnits for non-transactional
        // calls; we add Read/WriteCapacityUnits (the Capacity shape), dynalite does not.
        if (inCapacity && (name.equals("ReadCapacityUnits") || name.equals("WriteCapacityUnits"))) {
          continue;
        }
        // UpdateItem UPDATED_OLD/UPDATED_NEW with nothing to show: dynalite sends an empty map,
        // we send none; the SDKs read both as an empty map
        if (name.equals("Attributes") && e.getValue().isObject() && e.getValue().isEmpty()) {
          continue;
        }
        out.set(name, normalize(e.getValue(), inCapacity || name.equals("ConsumedCapacity")));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> out.add(normalize(n, inCapacity)));
      return out;
    }
    if (node.isNumber()) {
      BigDecimal d = node.decimalValue().stripTrailingZeros();
      return JsonNodeFactory.instance.numberNode(d.scale() < 0 ? d.setScale(0) : d);
    }
    return node.deepCopy();
  }

  /** A copy with every array sorted by the text of its elements (order-insensitive comparison). */
  static JsonNode sortArrays(JsonNode node) {
    if (node.isObject()) {
      // fields in name order too, so that equal objects print equally
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(Comparator.naturalOrder());
      names.forEach(n -> out.set(n, sortArrays(node.get(n))));
      return out;
    }
    if (node.isArray()) {
      List<JsonNode> elements = new ArrayList<>();
      node.forEach(n -> elements.add(sortArrays(n)));
      elements.sort(Comparator.comparing(JsonNode::toString));
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      elements.forEach(out::add);
      return out;
    }
    return node;
  }
}
