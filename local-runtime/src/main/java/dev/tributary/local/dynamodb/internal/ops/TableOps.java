package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.storage.IndexSchema;
import dev.tributary.local.dynamodb.internal.storage.KeyAttribute;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.storage.TableMeta;
import dev.tributary.local.dynamodb.internal.storage.TableSchema;
import dev.tributary.local.dynamodb.internal.storage.ThroughputChanges;
import dev.tributary.local.dynamodb.internal.wire.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable and the TTL, tag and backup
 * operations. Tables are ACTIVE as soon as they are created (local use; KCL and the SDK waiters see
 * ACTIVE at once), and so are indexes added by UpdateTable, after their backfill.
 */
final class TableOps {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String INVALID = "One or more parameter values were invalid: ";
  private static final long MAX_CAPACITY_UNITS = 1_000_000_000_000L;

  private TableOps() {}

  // ---- CreateTable ----

  static JsonNode createTable(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    validateCreateTable(r);
    JsonNode keySchema = r.get("KeySchema");
    JsonNode definitions = r.get("AttributeDefinitions");
    String billing = r.string("BillingMode");
    Map<String, String> types = new LinkedHashMap<>();
    for (JsonNode d : definitions) {
      String attr = Request.string(d, "AttributeName");
      if (types.put(attr, Request.string(d, "AttributeType")) != null) {
        throw DynamoException.validation(
            INVALID + "Duplicate AttributeName in AttributeDefinitions: " + attr);
      }
    }
    List<KeyAttribute> keys = keys(keySchema, types, "");
    Set<String> used = new HashSet<>();
    keys.forEach(k -> used.add(k.name()));
    List<IndexSchema> indexes = new ArrayList<>();
    JsonNode gsis = r.get("GlobalSecondaryIndexes");
    JsonNode lsis = r.get("LocalSecondaryIndexes");
    boolean payPerRequest = "PAY_PER_REQUEST".equals(billing);
    if (gsis != null) {
      for (JsonNode g : gsis) {
        IndexSchema index = index(g, types, true);
        index.keys().forEach(k -> used.add(k.name()));
        checkIndexName(indexes, index.name());
        if (!payPerRequest && g.get("ProvisionedThroughput") == null) {
          throw DynamoException.validation(
              INVALID + "ProvisionedThroughput must be specified for index: " + index.name());
        }
        indexes.add(index);
      }
    }
    if (lsis != null) {
      for (JsonNode l : lsis) {
        IndexSchema index = index(l, types, false);
        index.keys().forEach(k -> used.add(k.name()));
        checkIndexName(indexes, index.name());
        if (!index.hash().name().equals(keys.get(0).name())) {
          throw DynamoException.validation(
              INVALID
                  + "Index KeySchema does not have the same leading hash key as table KeySchema for"
                  + " index: "
                  + index.name()
                  + ". index hash key: "
                  + index.hash().name()
                  + ", table hash key: "
                  + keys.get(0).name());
        }
        if (keys.size() < 2) {
          throw DynamoException.validation(
              INVALID
                  + "Table KeySchema does not have a range key, which is required when specifying a"
                  + " LocalSecondaryIndex");
        }
        indexes.add(index);
      }
    }
    if (!used.equals(types.keySet())) {
      throw DynamoException.validation(
          INVALID
              + "Number of attributes in KeySchema does not exactly match number of attributes"
              + " defined in AttributeDefinitions");
    }
    JsonNode throughput = r.get("ProvisionedThroughput");
    TableSchema schema =
        new TableSchema(name, keys.get(0), keys.size() > 1 ? keys.get(1) : null, types, indexes);
    double now = ctx.clock().getAsLong() / 1000.0;
    TableMeta meta =
        new TableMeta(
            now,
            "arn:aws:dynamodb:" + ctx.region() + ":" + ctx.accountId() + ":table/" + name,
            UUID.nameUUIDFromBytes((name + now).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString());
    meta.billingMode = payPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED";
    if (throughput != null) {
      meta.readCapacity = throughput.path("ReadCapacityUnits").asLong();
      meta.writeCapacity = throughput.path("WriteCapacityUnits").asLong();
    }
    if (gsis != null) {
      for (JsonNode g : gsis) {
        JsonNode t = g.get("ProvisionedThroughput");
        String indexName = Request.string(g, "IndexName");
        meta.indexThroughput.put(
            indexName,
            new long[] {
              t == null ? 0 : t.path("ReadCapacityUnits").asLong(),
              t == null ? 0 : t.path("WriteCapacityUnits").asLong()
            });
        meta.indexStatus.put(indexName, "ACTIVE");
      }
    }
    meta.deletionProtection = r.bool("DeletionProtectionEnabled", false);
    meta.streamSpecification = r.get("StreamSpecification");
    meta.sseSpecification = r.get("SSESpecification");
    meta.tableClass = r.string("TableClass");
    JsonNode tags = r.get("Tags");
    if (tags != null) {
      for (JsonNode tag : tags) {
        meta.tags.put(Request.string(tag, "Key"), Request.string(tag, "Value"));
      }
    }
    ctx.database().lock().writeLock().lock();
    try {
      if (ctx.database().table(name) != null) {
        throw DynamoException.inUse("Table already exists: " + name);
      }
      Table table = new Table(schema, meta);
      ctx.database().add(name, table);
      ObjectNode out = JSON.objectNode();
      ObjectNode description = describe(table);
      description.put("TableStatus", "ACTIVE");
      out.set("TableDescription", description);
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  /**
   * CreateTable's checks in DynamoDB's order (the order dynalite recorded from the service): field
   * constraints first, reported together, then the schema rules, the first broken one reported.
   */
  private static void validateCreateTable(Request r) {
    JsonNode definitions = r.get("AttributeDefinitions");
    if (definitions == null) {
      r.violation(null, "attributeDefinitions", "Member must not be null");
    } else {
      for (int i = 0; i < definitions.size(); i++) {
        String path = "attributeDefinitions." + (i + 1) + ".member.";
        JsonNode d = definitions.get(i);
        if (Request.string(d, "AttributeName") == null) {
          r.violation(null, path + "attributeName", "Member must not be null");
        }
        String type = Request.string(d, "AttributeType");
        if (type == null) {
          r.violation(null, path + "attributeType", "Member must not be null");
        } else if (!List.of("B", "N", "S").contains(type)) {
          r.violation(
              type, path + "attributeType", "Member must satisfy enum value set: [B, N, S]");
        }
      }
    }
    r.enumValue("BillingMode", "billingMode", List.of("PROVISIONED", "PAY_PER_REQUEST"));
    throughputConstraints(r, r.get("ProvisionedThroughput"), "provisionedThroughput");
    keySchemaConstraints(r, r.get("KeySchema"), "keySchema", true);
    JsonNode lsis = r.get("LocalSecondaryIndexes");
    JsonNode gsis = r.get("GlobalSecondaryIndexes");
    indexConstraints(r, lsis, "localSecondaryIndexes", false);
    indexConstraints(r, gsis, "globalSecondaryIndexes", true);
    r.checkViolations();

    boolean payPerRequest = "PAY_PER_REQUEST".equals(r.string("BillingMode"));
    JsonNode throughput = r.get("ProvisionedThroughput");
    if (payPerRequest && throughput != null) {
      throw DynamoException.validation(
          INVALID
              + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode"
              + " is PAY_PER_REQUEST");
    }
    if (!payPerRequest) {
      if (throughput == null
          || throughput.path("ReadCapacityUnits").asLong() == 0
          || throughput.path("WriteCapacityUnits").asLong() == 0) {
        throw DynamoException.validation(
            INVALID
                + "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode"
                + " is PROVISIONED");
      }
      for (String field : List.of("ReadCapacityUnits", "WriteCapacityUnits")) {
        long value = throughput.path(field).asLong();
        if (value > MAX_CAPACITY_UNITS) {
          throw DynamoException.validation(
              "Given value " + value + " for " + field + " is out of bounds");
        }
      }
    }
    List<String> defined = new ArrayList<>();
    definitions.forEach(d -> defined.add(d.path("AttributeName").asText()));
    JsonNode keySchema = r.get("KeySchema");
    List<String> keys = new ArrayList<>();
    keySchema.forEach(k -> keys.add(k.path("AttributeName").asText()));
    if (keys.size() > defined.size()) {
      throw DynamoException.validation(
          "Invalid KeySchema: Some index key attribute have no definition");
    }
    checkKeySchemaRules(keySchema, keys, defined);
    if (lsis == null && gsis == null && keys.size() != defined.size()) {
      throw DynamoException.validation(
          INVALID
              + "Number of attributes in KeySchema does not exactly match number of attributes"
              + " defined in AttributeDefinitions");
    }
    Set<String> indexNames = new HashSet<>();
    if (lsis != null) {
      if (lsis.isEmpty()) {
        throw DynamoException.validation(INVALID + "List of LocalSecondaryIndexes is empty");
      }
      if (keys.size() != 2) {
        throw DynamoException.validation(
            INVALID
                + "Table KeySchema does not have a range key, which is required when specifying a"
                + " LocalSecondaryIndex");
      }
      for (JsonNode index : lsis) {
        String indexName = index.path("IndexName").asText();
        JsonNode indexKeySchema = index.get("KeySchema");
        List<String> indexKeys = new ArrayList<>();
        indexKeySchema.forEach(k -> indexKeys.add(k.path("AttributeName").asText()));
        checkKeySchemaRules(indexKeySchema, indexKeys, defined);
        if (indexKeys.size() != 2) {
          throw DynamoException.validation(
              INVALID + "Index KeySchema does not have a range key for index: " + indexName);
        }
        if (!indexKeys.get(0).equals(keys.get(0))) {
          throw DynamoException.validation(
              INVALID
                  + "Index KeySchema does not have the same leading hash key as table KeySchema for"
                  + " index: "
                  + indexName
                  + ". index hash key: "
                  + indexKeys.get(0)
                  + ", table hash key: "
                  + keys.get(0));
        }
        checkProjectionRules(index.get("Projection"));
        if (!indexNames.add(indexName)) {
          throw DynamoException.validation(INVALID + "Duplicate index name: " + indexName);
        }
      }
      if (lsis.size() > 5) {
        throw DynamoException.validation(
            INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
      }
    }
    if (gsis != null) {
      if (gsis.isEmpty()) {
        throw DynamoException.validation(INVALID + "List of GlobalSecondaryIndexes is empty");
      }
      for (JsonNode index : gsis) {
        String indexName = index.path("IndexName").asText();
        JsonNode indexKeySchema = index.get("KeySchema");
        List<String> indexKeys = new ArrayList<>();
        indexKeySchema.forEach(k -> indexKeys.add(k.path("AttributeName").asText()));
        checkKeySchemaRules(indexKeySchema, indexKeys, defined);
        checkProjectionRules(index.get("Projection"));
        if (payPerRequest && index.hasNonNull("ProvisionedThroughput")) {
          throw DynamoException.validation(
              INVALID
                  + "ProvisionedThroughput should not be specified for index: "
                  + indexName
                  + " when BillingMode is PAY_PER_REQUEST");
        }
        if (!indexNames.add(indexName)) {
          throw DynamoException.validation(INVALID + "Duplicate index name: " + indexName);
        }
      }
      if (gsis.size() > 20) {
        throw DynamoException.validation(
            INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20");
      }
    }
  }

  private static void checkKeySchemaRules(
      JsonNode keySchema, List<String> keys, List<String> defined) {
    if (!defined.containsAll(keys)) {
      throw DynamoException.validation(
          INVALID
              + "Some index key attributes are not defined in AttributeDefinitions. Keys: ["
              + String.join(", ", keys)
              + "], AttributeDefinitions: ["
              + String.join(", ", defined)
              + "]");
    }
    if (keys.size() == 2 && keys.get(0).equals(keys.get(1))) {
      throw DynamoException.validation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    if (!"HASH".equals(keySchema.get(0).path("KeyType").asText())) {
      throw DynamoException.validation(
          "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    }
    if (keys.size() == 2 && !"RANGE".equals(keySchema.get(1).path("KeyType").asText())) {
      throw DynamoException.validation(
          "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    }
  }

  private static void checkProjectionRules(JsonNode projection) {
    String type = Request.string(projection, "ProjectionType");
    if (type == null) {
      throw DynamoException.validation(INVALID + "Unknown ProjectionType: null");
    }
    if (projection.hasNonNull("NonKeyAttributes") && !type.equals("INCLUDE")) {
      throw DynamoException.validation(
          INVALID + "ProjectionType is " + type + ", but NonKeyAttributes is specified");
    }
  }

  private static void throughputConstraints(Request r, JsonNode throughput, String path) {
    if (throughput == null) {
      return;
    }
    for (String field : List.of("WriteCapacityUnits", "ReadCapacityUnits")) {
      String fieldPath = path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1);
      JsonNode v = throughput.get(field);
      if (v == null || v.isNull()) {
        r.violation(null, fieldPath, "Member must not be null");
      } else if (v.asLong() < 1) {
        r.violation(v.asText(), fieldPath, "Member must have value greater than or equal to 1");
      }
    }
  }

  private static void keySchemaConstraints(
      Request r, JsonNode keySchema, String path, boolean keyTypeEnum) {
    if (keySchema == null) {
      r.violation(null, path, "Member must not be null");
      return;
    }
    if (keySchema.size() < 1) {
      r.violation(
          Request.valueString(keySchema),
          path,
          "Member must have length greater than or equal to 1");
    }
    if (keySchema.size() > 2) {
      r.violation(
          Request.valueString(keySchema), path, "Member must have length less than or equal to 2");
    }
    for (int i = 0; i < keySchema.size(); i++) {
      String memberPath = path + "." + (i + 1) + ".member.";
      JsonNode k = keySchema.get(i);
      if (Request.string(k, "AttributeName") == null) {
        r.violation(null, memberPath + "attributeName", "Member must not be null");
      }
      String keyType = Request.string(k, "KeyType");
      if (keyType == null) {
        r.violation(null, memberPath + "keyType", "Member must not be null");
      } else if (keyTypeEnum && !List.of("HASH", "RANGE").contains(keyType)) {
        r.violation(
            keyType, memberPath + "keyType", "Member must satisfy enum value set: [HASH, RANGE]");
      }
    }
  }

  private static void indexConstraints(Request r, JsonNode indexes, String path, boolean global) {
    if (indexes == null) {
      return;
    }
    for (int i = 0; i < indexes.size(); i++) {
      String memberPath = path + "." + (i + 1) + ".member.";
      JsonNode index = indexes.get(i);
      r.indexName(Request.string(index, "IndexName"), memberPath + "indexName");
      keySchemaConstraints(r, index.get("KeySchema"), memberPath + "keySchema", false);
      JsonNode projection = index.get("Projection");
      if (projection == null || projection.isNull()) {
        r.violation(null, memberPath + "projection", "Member must not be null");
      } else {
        String type = Request.string(projection, "ProjectionType");
        if (type != null && !List.of("ALL", "INCLUDE", "KEYS_ONLY").contains(type)) {
          r.violation(
              type,
              memberPath + "projection.projectionType",
              "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
        }
        JsonNode nonKey = projection.get("NonKeyAttributes");
        if (nonKey != null && nonKey.isArray() && nonKey.isEmpty()) {
          r.violation(
              "[]",
              memberPath + "projection.nonKeyAttributes",
              "Member must have length greater than or equal to 1");
        }
      }
      if (global) {
        throughputConstraints(
            r, index.get("ProvisionedThroughput"), memberPath + "provisionedThroughput");
      }
    }
  }

  private static void checkIndexName(List<IndexSchema> indexes, String name) {
    for (IndexSchema index : indexes) {
      if (index.name().equals(name)) {
        throw DynamoException.validation(INVALID + "Duplicate index name: " + name);
      }
    }
  }

  private static List<KeyAttribute> keys(
      JsonNode keySchema, Map<String, String> types, String indexName) {
    List<KeyAttribute> keys = new ArrayList<>();
    if (keySchema == null || !keySchema.isArray() || keySchema.size() < 1 || keySchema.size() > 2) {
      throw DynamoException.validation(
          "1 validation error detected: Value '"
              + keySchema
              + "' at 'keySchema' failed to satisfy constraint: Member must have length less than"
              + " or equal to 2");
    }
    for (int i = 0; i < keySchema.size(); i++) {
      JsonNode k = keySchema.get(i);
      String attr = Request.string(k, "AttributeName");
      String keyType = Request.string(k, "KeyType");
      if (!(i == 0 ? "HASH" : "RANGE").equals(keyType)) {
        throw DynamoException.validation(
            i == 0
                ? "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                : "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
      }
      String type = types.get(attr);
      if (type == null) {
        throw DynamoException.validation(
            INVALID
                + "Some index key attributes are not defined in AttributeDefinitions. Keys: ["
                + attr
                + "], AttributeDefinitions: "
                + types.keySet());
      }
      keys.add(new KeyAttribute(attr, type));
    }
    if (keys.size() == 2 && keys.get(0).name().equals(keys.get(1).name())) {
      throw DynamoException.validation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    return keys;
  }

  private static IndexSchema index(JsonNode node, Map<String, String> types, boolean global) {
    String name = Request.string(node, "IndexName");
    List<KeyAttribute> keys = keys(node.get("KeySchema"), types, name);
    JsonNode projection = node.get("Projection");
    String type = projection == null ? null : Request.string(projection, "ProjectionType");
    if (type == null) {
      throw DynamoException.validation(INVALID + "Unknown ProjectionType: null");
    }
    List<String> nonKey = new ArrayList<>();
    JsonNode attrs = projection.get("NonKeyAttributes");
    if (attrs != null) {
      attrs.forEach(a -> nonKey.add(a.asText()));
      if (!type.equals("INCLUDE")) {
        throw DynamoException.validation(
            INVALID + "ProjectionType is " + type + ", but NonKeyAttributes is specified");
      }
    } else if (type.equals("INCLUDE")) {
      throw DynamoException.validation(
          INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    }
    return new IndexSchema(
        name, global, keys.get(0), keys.size() > 1 ? keys.get(1) : null, type, nonKey);
  }

  // ---- Describe / List / Delete ----

  static Table requireTable(Context ctx, String name) {
    Table table = ctx.database().table(name);
    if (table == null) {
      throw DynamoException.notFound("Requested resource not found: Table: " + name + " not found");
    }
    return table;
  }

  static JsonNode describeTable(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    r.checkViolations();
    ctx.database().lock().readLock().lock();
    try {
      ObjectNode out = JSON.objectNode();
      out.set("Table", describe(requireTable(ctx, name)));
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  static JsonNode listTables(Context ctx, Request r) {
    Long limit = r.number("Limit");
    if (limit != null && (limit < 1 || limit > 100)) {
      r.violation(
          String.valueOf(limit),
          "limit",
          limit < 1
              ? "Member must have value greater than or equal to 1"
              : "Member must have value less than or equal to 100");
    }
    String start = r.string("ExclusiveStartTableName");
    r.checkViolations();
    int max = limit == null ? 100 : limit.intValue();
    ctx.database().lock().readLock().lock();
    try {
      List<String> names = ctx.database().names();
      List<String> page = new ArrayList<>();
      boolean more = false;
      for (String n : names) {
        if (start != null && n.compareTo(start) <= 0) {
          continue;
        }
        if (page.size() == max) {
          more = true;
          break;
        }
        page.add(n);
      }
      ObjectNode out = JSON.objectNode();
      ArrayNode array = out.putArray("TableNames");
      page.forEach(array::add);
      if (more) {
        out.put("LastEvaluatedTableName", page.get(page.size() - 1));
      }
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  static JsonNode deleteTable(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    r.checkViolations();
    ctx.database().lock().writeLock().lock();
    try {
      Table table = requireTable(ctx, name);
      if (table.meta().deletionProtection) {
        throw DynamoException.validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable"
                + " deletion protection first.");
      }
      ObjectNode description = describe(table);
      description.put("TableStatus", "DELETING");
      ctx.database().remove(name);
      table.clear();
      ObjectNode out = JSON.objectNode();
      out.set("TableDescription", description);
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  // ---- UpdateTable ----

  static JsonNode updateTable(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    String billing =
        r.enumValue("BillingMode", "billingMode", List.of("PROVISIONED", "PAY_PER_REQUEST"));
    JsonNode throughput = r.get("ProvisionedThroughput");
    throughputConstraints(r, throughput, "provisionedThroughput");
    JsonNode updates = r.get("GlobalSecondaryIndexUpdates");
    Map<String, JsonNode> indexUpdates = new LinkedHashMap<>();
    if (updates != null) {
      for (int i = 0; i < updates.size(); i++) {
        JsonNode update = updates.get(i).get("Update");
        if (update == null || update.isNull()) {
          continue;
        }
        String path = "globalSecondaryIndexUpdates." + (i + 1) + ".member.update.";
        String indexName = Request.string(update, "IndexName");
        r.indexName(indexName, path + "indexName");
        JsonNode t = update.get("ProvisionedThroughput");
        if (t == null || t.isNull()) {
          r.violation(null, path + "provisionedThroughput", "Member must not be null");
        } else {
          throughputConstraints(r, t, path + "provisionedThroughput");
          indexUpdates.put(indexName, t);
        }
      }
    }
    r.checkViolations();
    ctx.database().lock().writeLock().lock();
    try {
      Table table = requireTable(ctx, name);
      TableMeta meta = table.meta();
      double now = ctx.clock().getAsLong() / 1000.0;
      String newBilling = billing == null ? meta.billingMode : billing;
      if (throughput != null && newBilling.equals("PAY_PER_REQUEST")) {
        throw DynamoException.validation(
            INVALID
                + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode"
                + " is PAY_PER_REQUEST");
      }
      if (updates != null && updates.size() > 5) {
        throw new DynamoException(
            "LimitExceededException",
            400,
            "Subscriber limit exceeded: Only 1 online index can be created or deleted"
                + " simultaneously per table");
      }
      for (String indexName : indexUpdates.keySet()) {
        if (!meta.indexThroughput.containsKey(indexName)) {
          throw DynamoException.notFound("Requested resource not found");
        }
      }
      boolean toOnDemand = "PAY_PER_REQUEST".equals(billing) && !meta.billingMode.equals(billing);
      boolean toProvisioned = "PROVISIONED".equals(billing) && !meta.billingMode.equals(billing);
      if (toProvisioned) {
        List<String> missing = new ArrayList<>(meta.indexThroughput.keySet());
        missing.removeAll(indexUpdates.keySet());
        if (!missing.isEmpty()) {
          throw DynamoException.validation(
              INVALID
                  + "ProvisionedThroughput must be specified for index: "
                  + String.join(",", missing));
        }
      }
      // refuse a no-op change before changing anything
      if (throughput != null) {
        checkThroughputChanges(meta.readCapacity, meta.writeCapacity, throughput);
      }
      indexUpdates.forEach(
          (indexName, t) -> {
            long[] current = meta.indexThroughput.get(indexName);
            checkThroughputChanges(current[0], current[1], t);
          });
      if (throughput != null) {
        long read = throughput.path("ReadCapacityUnits").asLong();
        long write = throughput.path("WriteCapacityUnits").asLong();
        meta.throughputChanges =
            meta.throughputChanges.after(meta.readCapacity, meta.writeCapacity, read, write, now);
        meta.readCapacity = read;
        meta.writeCapacity = write;
      }
      indexUpdates.forEach(
          (indexName, t) -> {
            long[] current = meta.indexThroughput.get(indexName);
            long read = t.path("ReadCapacityUnits").asLong();
            long write = t.path("WriteCapacityUnits").asLong();
            meta.indexThroughputChanges.put(
                indexName,
                meta.indexThroughputChanges
                    .getOrDefault(indexName, ThroughputChanges.NONE)
                    .after(current[0], current[1], read, write, now));
            meta.indexThroughput.put(indexName, new long[] {read, write});
          });
      if (toOnDemand) {
        meta.readCapacity = 0;
        meta.writeCapacity = 0;
        meta.lastUpdateToPayPerRequest = now;
        meta.indexThroughput.forEach(
            (indexName, current) -> {
              meta.indexThroughputChanges.put(
                  indexName,
                  meta.indexThroughputChanges
                      .getOrDefault(indexName, ThroughputChanges.NONE)
                      .after(current[0], current[1], 0, 0, now));
              meta.indexThroughput.put(indexName, new long[2]);
            });
      }
      if (billing != null) {
        meta.billingMode = billing;
      }
      Map<String, String> types = new LinkedHashMap<>(table.schema().attributeTypes());
      JsonNode definitions = r.get("AttributeDefinitions");
      if (definitions != null) {
        for (JsonNode d : definitions) {
          types.put(Request.string(d, "AttributeName"), Request.string(d, "AttributeType"));
        }
      }
      if (r.has("DeletionProtectionEnabled")) {
        meta.deletionProtection = r.bool("DeletionProtectionEnabled", false);
      }
      if (r.has("StreamSpecification")) {
        meta.streamSpecification = r.get("StreamSpecification");
      }
      if (updates != null) {
        for (JsonNode update : updates) {
          if (update.has("Create")) {
            JsonNode create = update.get("Create");
            IndexSchema index = index(create, types, true);
            if (table.schema().index(index.name()) != null) {
              throw DynamoException.validation(
                  INVALID + "Attempting to create an index which already exists");
            }
            List<IndexSchema> indexes = new ArrayList<>(table.schema().indexes());
            indexes.add(index);
            table.addIndex(table.schema().withIndexes(indexes, types), index);
            JsonNode t = create.get("ProvisionedThroughput");
            meta.indexThroughput.put(
                index.name(),
                new long[] {
                  t == null ? 0 : t.path("ReadCapacityUnits").asLong(),
                  t == null ? 0 : t.path("WriteCapacityUnits").asLong()
                });
            meta.indexStatus.put(index.name(), "ACTIVE");
          } else if (update.has("Delete")) {
            String indexName = Request.string(update.get("Delete"), "IndexName");
            if (table.schema().index(indexName) == null) {
              throw DynamoException.notFound("Requested resource not found");
            }
            List<IndexSchema> indexes = new ArrayList<>(table.schema().indexes());
            indexes.removeIf(i -> i.name().equals(indexName));
            table.removeIndex(table.schema().withIndexes(indexes, types), indexName);
            meta.indexThroughput.remove(indexName);
            meta.indexThroughputChanges.remove(indexName);
            meta.indexStatus.remove(indexName);
          }
        }
      }
      ObjectNode out = JSON.objectNode();
      out.set("TableDescription", describe(table));
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  private static void checkThroughputChanges(long read, long write, JsonNode requested) {
    long newRead = requested.path("ReadCapacityUnits").asLong();
    long newWrite = requested.path("WriteCapacityUnits").asLong();
    if (newRead == read && newWrite == write) {
      throw DynamoException.validation(
          "The provisioned throughput for the table will not change. The requested value equals"
              + " the current value. Current ReadCapacityUnits provisioned for the table: "
              + read
              + ". Requested ReadCapacityUnits: "
              + newRead
              + ". Current WriteCapacityUnits provisioned for the table: "
              + write
              + ". Requested WriteCapacityUnits: "
              + newWrite
              + ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to"
              + " request higher limits.");
    }
  }

  // ---- TTL, tags, backups ----

  static JsonNode updateTimeToLive(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    JsonNode spec = r.get("TimeToLiveSpecification");
    if (spec == null) {
      r.violation(null, "timeToLiveSpecification", "Member must not be null");
    }
    r.checkViolations();
    String attribute = Request.string(spec, "AttributeName");
    boolean enabled = spec.path("Enabled").asBoolean();
    ctx.database().lock().writeLock().lock();
    try {
      TableMeta meta = requireTable(ctx, name).meta();
      if (enabled && meta.ttlEnabled) {
        throw DynamoException.validation("TimeToLive is already enabled");
      }
      if (!enabled && !meta.ttlEnabled) {
        throw DynamoException.validation("TimeToLive is already disabled");
      }
      if (!enabled && !attribute.equals(meta.ttlAttribute)) {
        throw DynamoException.validation(
            "TimeToLive is active on a different AttributeName: current AttributeName is "
                + meta.ttlAttribute);
      }
      meta.ttlEnabled = enabled;
      meta.ttlAttribute = enabled ? attribute : meta.ttlAttribute;
      ObjectNode out = JSON.objectNode();
      ObjectNode s = out.putObject("TimeToLiveSpecification");
      s.put("Enabled", enabled);
      s.put("AttributeName", attribute);
      return out;
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  static JsonNode describeTimeToLive(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    r.checkViolations();
    ctx.database().lock().readLock().lock();
    try {
      TableMeta meta = requireTable(ctx, name).meta();
      ObjectNode out = JSON.objectNode();
      ObjectNode d = out.putObject("TimeToLiveDescription");
      d.put("TimeToLiveStatus", meta.ttlEnabled ? "ENABLED" : "DISABLED");
      if (meta.ttlEnabled) {
        d.put("AttributeName", meta.ttlAttribute);
      }
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  private static Table tableByArn(Context ctx, String arn) {
    if (arn == null) {
      throw DynamoException.validation(
          "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint:"
              + " Member must not be null");
    }
    String name = arn.substring(arn.lastIndexOf('/') + 1);
    Table table = ctx.database().table(name);
    if (table == null || !table.meta().arn.equals(arn)) {
      throw DynamoException.notFound(
          "Requested resource not found: ResourcArn: " + arn + " not found");
    }
    return table;
  }

  static JsonNode tagResource(Context ctx, Request r) {
    ctx.database().lock().writeLock().lock();
    try {
      Table table = tableByArn(ctx, r.string("ResourceArn"));
      JsonNode tags = r.get("Tags");
      if (tags != null) {
        for (JsonNode tag : tags) {
          table.meta().tags.put(Request.string(tag, "Key"), Request.string(tag, "Value"));
        }
      }
      return JSON.objectNode();
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  static JsonNode untagResource(Context ctx, Request r) {
    ctx.database().lock().writeLock().lock();
    try {
      Table table = tableByArn(ctx, r.string("ResourceArn"));
      JsonNode keys = r.get("TagKeys");
      if (keys != null) {
        keys.forEach(k -> table.meta().tags.remove(k.asText()));
      }
      return JSON.objectNode();
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  static JsonNode listTagsOfResource(Context ctx, Request r) {
    ctx.database().lock().readLock().lock();
    try {
      Table table = tableByArn(ctx, r.string("ResourceArn"));
      ObjectNode out = JSON.objectNode();
      ArrayNode tags = out.putArray("Tags");
      table.meta().tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
      return out;
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  /**
   * The backup operations answer TableNotFoundException ("Table not found: name") for a missing
   * table, not ResourceNotFoundException.
   */
  private static Table requireBackupTable(Context ctx, String name) {
    Table table = ctx.database().table(name);
    if (table == null) {
      throw new DynamoException("TableNotFoundException", 400, "Table not found: " + name);
    }
    return table;
  }

  static JsonNode describeContinuousBackups(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    r.checkViolations();
    ctx.database().lock().readLock().lock();
    try {
      return continuousBackups(ctx, requireBackupTable(ctx, name).meta());
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  /**
   * Turns point-in-time recovery on or off. Nothing is backed up, but the setting is kept (and
   * saved with the data directory), so DescribeContinuousBackups and later calls see it.
   */
  static JsonNode updateContinuousBackups(Context ctx, Request r) {
    String name = r.tableName("TableName", "tableName");
    JsonNode spec = r.get("PointInTimeRecoverySpecification");
    JsonNode enabledNode = null;
    JsonNode periodNode = null;
    if (spec == null || spec.isNull()) {
      r.violation(null, "pointInTimeRecoverySpecification", "Member must not be null");
    } else {
      enabledNode = spec.get("PointInTimeRecoveryEnabled");
      if (enabledNode == null || enabledNode.isNull()) {
        r.violation(
            null,
            "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled",
            "Member must not be null");
      }
      periodNode = spec.get("RecoveryPeriodInDays");
      if (periodNode != null && !periodNode.isNull()) {
        long days = periodNode.asLong();
        if (days < 1 || days > 35) {
          r.violation(
              periodNode.asText(),
              "pointInTimeRecoverySpecification.recoveryPeriodInDays",
              days < 1
                  ? "Member must have value greater than or equal to 1"
                  : "Member must have value less than or equal to 35");
        }
      }
    }
    r.checkViolations();
    boolean enabled = enabledNode.asBoolean();
    ctx.database().lock().writeLock().lock();
    try {
      TableMeta meta = requireBackupTable(ctx, name).meta();
      if (enabled) {
        if (!meta.pointInTimeRecovery) {
          meta.pointInTimeRecovery = true;
          meta.pointInTimeRecoveryEnabledAt = ctx.clock().getAsLong() / 1000.0;
        }
        if (periodNode != null && !periodNode.isNull()) {
          meta.recoveryPeriodInDays = periodNode.asInt();
        }
      } else {
        meta.pointInTimeRecovery = false;
        meta.pointInTimeRecoveryEnabledAt = 0;
        meta.recoveryPeriodInDays = TableMeta.DEFAULT_RECOVERY_PERIOD_DAYS;
      }
      return continuousBackups(ctx, meta);
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
  }

  private static ObjectNode continuousBackups(Context ctx, TableMeta meta) {
    ObjectNode out = JSON.objectNode();
    ObjectNode d = out.putObject("ContinuousBackupsDescription");
    d.put("ContinuousBackupsStatus", "ENABLED");
    ObjectNode pitr = d.putObject("PointInTimeRecoveryDescription");
    if (meta.pointInTimeRecovery) {
      double now = ctx.clock().getAsLong() / 1000.0;
      double earliest =
          Math.max(meta.pointInTimeRecoveryEnabledAt, now - meta.recoveryPeriodInDays * 86_400.0);
      pitr.put("PointInTimeRecoveryStatus", "ENABLED");
      pitr.put("RecoveryPeriodInDays", meta.recoveryPeriodInDays);
      pitr.put("EarliestRestorableDateTime", earliest);
      // "typically 5 minutes before the current time"
      pitr.put("LatestRestorableDateTime", Math.max(earliest, now - 300));
    } else {
      pitr.put("PointInTimeRecoveryStatus", "DISABLED");
    }
    return out;
  }

  // ---- descriptions ----

  static ObjectNode describe(Table table) {
    TableSchema schema = table.schema();
    TableMeta meta = table.meta();
    ObjectNode d = JSON.objectNode();
    ArrayNode definitions = d.putArray("AttributeDefinitions");
    schema
        .attributeTypes()
        .forEach(
            (name, type) ->
                definitions.addObject().put("AttributeName", name).put("AttributeType", type));
    d.put("TableName", schema.name());
    d.set("KeySchema", keySchema(schema.hash(), schema.range()));
    d.put("TableStatus", meta.status);
    d.put("CreationDateTime", meta.creationDateTime);
    d.set(
        "ProvisionedThroughput",
        throughput(meta.readCapacity, meta.writeCapacity, meta.throughputChanges));
    d.put("TableSizeBytes", table.sizeBytes());
    d.put("ItemCount", table.itemCount());
    d.put("TableArn", meta.arn);
    d.put("TableId", meta.tableId);
    if (meta.billingMode.equals("PAY_PER_REQUEST")) {
      ObjectNode summary = d.putObject("BillingModeSummary");
      summary.put("BillingMode", "PAY_PER_REQUEST");
      summary.put(
          "LastUpdateToPayPerRequestDateTime",
          meta.lastUpdateToPayPerRequest > 0
              ? meta.lastUpdateToPayPerRequest
              : meta.creationDateTime);
      d.putObject("TableThroughputModeSummary").put("TableThroughputMode", "PAY_PER_REQUEST");
    } else {
      d.putObject("BillingModeSummary").put("BillingMode", "PROVISIONED");
    }
    ArrayNode gsis = JSON.arrayNode();
    ArrayNode lsis = JSON.arrayNode();
    for (IndexSchema index : schema.indexes()) {
      ObjectNode i = JSON.objectNode();
      i.put("IndexName", index.name());
      i.set("KeySchema", keySchema(index.hash(), index.range()));
      ObjectNode projection = i.putObject("Projection");
      projection.put("ProjectionType", index.projectionType());
      if (!index.nonKeyAttributes().isEmpty()) {
        ArrayNode attrs = projection.putArray("NonKeyAttributes");
        index.nonKeyAttributes().forEach(attrs::add);
      }
      if (index.global()) {
        i.put("IndexStatus", meta.indexStatus.getOrDefault(index.name(), "ACTIVE"));
        long[] t = meta.indexThroughput.getOrDefault(index.name(), new long[2]);
        i.set(
            "ProvisionedThroughput",
            throughput(
                t[0],
                t[1],
                meta.indexThroughputChanges.getOrDefault(index.name(), ThroughputChanges.NONE)));
      }
      i.put("IndexSizeBytes", 0);
      i.put("ItemCount", table.indexItemCount(index.name()));
      i.put("IndexArn", meta.arn + "/index/" + index.name());
      (index.global() ? gsis : lsis).add(i);
    }
    if (!gsis.isEmpty()) {
      d.set("GlobalSecondaryIndexes", gsis);
    }
    if (!lsis.isEmpty()) {
      d.set("LocalSecondaryIndexes", lsis);
    }
    if (meta.streamSpecification != null) {
      d.set("StreamSpecification", meta.streamSpecification);
      if (meta.streamSpecification.path("StreamEnabled").asBoolean()) {
        d.put("LatestStreamLabel", "2026-01-01T00:00:00.000");
        d.put("LatestStreamArn", meta.arn + "/stream/2026-01-01T00:00:00.000");
      }
    }
    if (meta.tableClass != null) {
      d.putObject("TableClassSummary").put("TableClass", meta.tableClass);
    }
    d.put("DeletionProtectionEnabled", meta.deletionProtection);
    return d;
  }

  private static ArrayNode keySchema(KeyAttribute hash, KeyAttribute range) {
    ArrayNode keys = JSON.arrayNode();
    keys.addObject().put("AttributeName", hash.name()).put("KeyType", "HASH");
    if (range != null) {
      keys.addObject().put("AttributeName", range.name()).put("KeyType", "RANGE");
    }
    return keys;
  }

  private static ObjectNode throughput(long read, long write, ThroughputChanges changes) {
    ObjectNode t = JSON.objectNode();
    if (changes.lastIncrease() > 0) {
      t.put("LastIncreaseDateTime", changes.lastIncrease());
    }
    if (changes.lastDecrease() > 0) {
      t.put("LastDecreaseDateTime", changes.lastDecrease());
    }
    t.put("NumberOfDecreasesToday", changes.decreasesToday());
    t.put("ReadCapacityUnits", read);
    t.put("WriteCapacityUnits", write);
    return t;
  }
}
