package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.storage.IndexSchema;
import dev.tributary.local.dynamodb.internal.storage.KeyAttribute;
import dev.tributary.local.dynamodb.internal.storage.Table;
import dev.tributary.local.dynamodb.internal.storage.TableMeta;
import dev.tributary.local.dynamodb.internal.wire.ValueCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;

/**
 * Saves every table (schema, settings, items) to one JSON file and loads it back, so that a local
 * stack survives a restart. The file is written to a temporary name and moved into place.
 */
public final class Snapshots {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Snapshots() {}

  /** Writes all tables to {@code file}. */
  public static void save(Context ctx, Path file) {
    ctx.database().lock().readLock().lock();
    try {
      ObjectNode root = MAPPER.createObjectNode();
      root.put("format", 1);
      ArrayNode tables = root.putArray("tables");
      for (Table table : ctx.database().tables().values()) {
        ObjectNode t = tables.addObject();
        t.set("create", createRequest(table));
        TableMeta meta = table.meta();
        if (meta.ttlAttribute != null) {
          t.put("ttlAttribute", meta.ttlAttribute);
          t.put("ttlEnabled", meta.ttlEnabled);
        }
        if (meta.pointInTimeRecovery) {
          t.putObject("pointInTimeRecovery")
              .put("enabledAt", meta.pointInTimeRecoveryEnabledAt)
              .put("recoveryPeriodInDays", meta.recoveryPeriodInDays);
        }
        ArrayNode items = t.putArray("items");
        Iterator<Map<String, dev.tributary.local.dynamodb.internal.model.Value>> it = table.all();
        while (it.hasNext()) {
          items.add(ValueCodec.write(it.next()));
        }
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      MAPPER.writeValue(tmp.toFile(), root);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the DynamoDB snapshot to " + file, e);
    } finally {
      ctx.database().lock().readLock().unlock();
    }
  }

  /** Loads tables from {@code file} if it exists; returns how many. */
  public static int load(Engine engine, Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      JsonNode root = MAPPER.readTree(file.toFile());
      int count = 0;
      for (JsonNode t : root.path("tables")) {
        engine.execute("CreateTable", (ObjectNode) t.get("create"));
        String name = t.get("create").get("TableName").asText();
        Context ctx = engine.context();
        ctx.database().lock().writeLock().lock();
        try {
          Table table = ctx.database().table(name);
          if (t.has("ttlAttribute")) {
            table.meta().ttlAttribute = t.get("ttlAttribute").asText();
            table.meta().ttlEnabled = t.get("ttlEnabled").asBoolean();
          }
          JsonNode pitr = t.get("pointInTimeRecovery");
          if (pitr != null) {
            table.meta().pointInTimeRecovery = true;
            table.meta().pointInTimeRecoveryEnabledAt = pitr.path("enabledAt").asDouble();
            table.meta().recoveryPeriodInDays =
                pitr.path("recoveryPeriodInDays").asInt(TableMeta.DEFAULT_RECOVERY_PERIOD_DAYS);
          }
          for (JsonNode item : t.path("items")) {
            table.put(ValueCodec.item(item));
          }
        } finally {
          ctx.database().lock().writeLock().unlock();
        }
        count++;
      }
      return count;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the DynamoDB snapshot " + file + "; move it away to start empty", e);
    }
  }

  private static ObjectNode createRequest(Table table) {
    ObjectNode d = TableOps.describe(table);
    ObjectNode create = MAPPER.createObjectNode();
    create.put("TableName", table.schema().name());
    create.set("AttributeDefinitions", d.get("AttributeDefinitions"));
    create.set("KeySchema", d.get("KeySchema"));
    TableMeta meta = table.meta();
    create.put("BillingMode", meta.billingMode);
    if (meta.billingMode.equals("PROVISIONED")) {
      create
          .putObject("ProvisionedThroughput")
          .put("ReadCapacityUnits", meta.readCapacity)
          .put("WriteCapacityUnits", meta.writeCapacity);
    }
    ArrayNode gsis = MAPPER.createArrayNode();
    ArrayNode lsis = MAPPER.createArrayNode();
    for (IndexSchema index : table.schema().indexes()) {
      ObjectNode i = MAPPER.createObjectNode();
      i.put("IndexName", index.name());
      ArrayNode keys = i.putArray("KeySchema");
      keys.addObject().put("AttributeName", index.hash().name()).put("KeyType", "HASH");
      KeyAttribute range = index.range();
      if (range != null) {
        keys.addObject().put("AttributeName", range.name()).put("KeyType", "RANGE");
      }
      ObjectNode projection = i.putObject("Projection");
      projection.put("ProjectionType", index.projectionType());
      if (!index.nonKeyAttributes().isEmpty()) {
        ArrayNode attrs = projection.putArray("NonKeyAttributes");
        index.nonKeyAttributes().forEach(attrs::add);
      }
      if (index.global() && meta.billingMode.equals("PROVISIONED")) {
        long[] t = meta.indexThroughput.getOrDefault(index.name(), new long[] {1, 1});
        i.putObject("ProvisionedThroughput")
            .put("ReadCapacityUnits", t[0])
            .put("WriteCapacityUnits", t[1]);
      }
      (index.global() ? gsis : lsis).add(i);
    }
    if (!gsis.isEmpty()) {
      create.set("GlobalSecondaryIndexes", gsis);
    }
    if (!lsis.isEmpty()) {
      create.set("LocalSecondaryIndexes", lsis);
    }
    create.put("DeletionProtectionEnabled", meta.deletionProtection);
    if (meta.streamSpecification != null) {
      create.set("StreamSpecification", meta.streamSpecification);
    }
    if (!meta.tags.isEmpty()) {
      ArrayNode tags = create.putArray("Tags");
      meta.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    }
    return create;
  }
}
