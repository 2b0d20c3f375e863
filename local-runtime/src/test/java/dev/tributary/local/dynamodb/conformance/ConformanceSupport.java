package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.testing.Dynalite;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * One dynalite child process and one {@link DynamoDbLocal} per test class (one instance per class,
 * so classes could run in parallel). Each test sends the same raw request to both with {@link
 * #both} and compares the answers; tables get distinct names per test so that tests stay
 * independent without restarting either endpoint.
 *
 * <p>Request bodies are written with single quotes for readability; {@link #both} turns them into
 * double quotes (no test value contains an apostrophe).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConformanceSupport {
  private Dynalite reference;
  private DynamoDbLocal local;

  @BeforeAll
  void startBoth() throws IOException {
    reference = Dynalite.startOrSkip();
    local = DynamoDbLocal.start();
  }

  @AfterAll
  void stopBoth() {
    if (local != null) {
      local.close();
      local = null;
    }
    if (reference != null) {
      reference.close();
      reference = null;
    }
  }

  /** Sends the request (single quotes allowed) to both endpoints. */
  Exchange both(String op, String json) {
    String body = json.replace('\'', '"');
    return new Exchange(
        op, body, Wire.call(local.endpoint(), op, body), Wire.call(reference.endpoint(), op, body));
  }

  /** Sends the request (single quotes allowed) to our endpoint only. */
  Wire.Response ours(String op, String json) {
    return Wire.call(local.endpoint(), op, json.replace('\'', '"'));
  }

  /** Sends the request (single quotes allowed) to dynalite only. */
  Wire.Response dynalite(String op, String json) {
    return Wire.call(reference.endpoint(), op, json.replace('\'', '"'));
  }

  /** Sends a request that must succeed on both (test setup); returns the exchange. */
  Exchange ok(String op, String json) {
    return both(op, json).assertBothOk();
  }

  /** Creates the same table on both; the descriptions must agree bar the deliberate differences. */
  void createTable(String json) {
    Exchange e = ok("CreateTable", json);
    // AWS answers CreateTable with CREATING, and so does dynalite; our tables are ACTIVE at once,
    // and the CreateTable answer says so (local use: waiters and KCL never wait).
    assertThat(e.oursBody().at("/TableDescription/TableStatus").asText()).isEqualTo("ACTIVE");
    assertThat(e.dynaliteBody().at("/TableDescription/TableStatus").asText()).isEqualTo("CREATING");
    assertThat(description(e.oursBody(), "TableDescription", true))
        .as(e.describe("TableDescription"))
        .isEqualTo(description(e.dynaliteBody(), "TableDescription", true));
    awaitDynaliteActive(e.dynaliteBody().at("/TableDescription/TableName").asText());
  }

  /** A table description without the fields where we deliberately differ. */
  static JsonNode description(JsonNode body, String wrapper) {
    return description(body, wrapper, false);
  }

  /**
   * A table description without the fields where we deliberately differ, and without the statuses
   * of a table just created ({@code creating}).
   */
  static JsonNode description(JsonNode body, String wrapper, boolean creating) {
    ObjectNode d = (ObjectNode) Exchange.normalize(body.get(wrapper));
    // We always send BillingModeSummary (KCL dereferences it); AWS's create-table sample and
    // dynalite omit it for provisioned tables created without BillingMode. dynalite also echoes
    // an explicit "BillingMode":"PROVISIONED" (a quirk).
    d.remove("BillingModeSummary");
    d.remove("BillingMode");
    if (creating) {
      d.remove("TableStatus");
      for (JsonNode index : d.path("GlobalSecondaryIndexes")) {
        ((ObjectNode) index).remove("IndexStatus");
      }
    }
    return d;
  }

  /**
   * Waits until dynalite reports the table and its indexes ACTIVE: it flips them on a timer
   * (createTableMs/updateTableMs 0), so the very next request could still see CREATING/UPDATING.
   */
  void awaitDynaliteActive(String table) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode t = dynalite("DescribeTable", "{'TableName':'" + table + "'}").body().path("Table");
      boolean active = t.path("TableStatus").asText().equals("ACTIVE");
      for (JsonNode index : t.path("GlobalSecondaryIndexes")) {
        active &= index.path("IndexStatus").asText().equals("ACTIVE");
      }
      if (active) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new AssertionError("dynalite's table " + table + " is not ACTIVE after 30 seconds");
  }

  /** A table with a string hash key {@code pk} and a number range key {@code sk}, on demand. */
  void createHashRangeTable(String name) {
    createTable(
        "{'TableName':'"
            + name
            + "','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},"
            + "{'AttributeName':'sk','KeyType':'RANGE'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'},"
            + "{'AttributeName':'sk','AttributeType':'N'}]}");
  }

  /** A table with only a string hash key {@code pk}, on demand. */
  void createHashTable(String name) {
    createTable(
        "{'TableName':'"
            + name
            + "','BillingMode':'PAY_PER_REQUEST',"
            + "'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'}],"
            + "'AttributeDefinitions':[{'AttributeName':'pk','AttributeType':'S'}]}");
  }

  /** Puts the item (JSON, single quotes allowed) into {@code table} on both endpoints. */
  void put(String table, String item) {
    ok("PutItem", "{'TableName':'" + table + "','Item':" + item + "}");
  }

  /** A JSON string of {@code n} copies of {@code c}. */
  static String repeat(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  /** The numeric value at {@code pointer}. */
  static double number(JsonNode body, String pointer) {
    JsonNode n = body.at(pointer);
    assertThat(n.isMissingNode()).as("%s in %s", pointer, body).isFalse();
    return n.asDouble();
  }
}
