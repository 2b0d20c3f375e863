package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Map;

/**
 * The outcome of a table write.
 *
 * @param old the item replaced or deleted, or null
 * @param indexWrites per index name, what the write cost there
 */
public record WriteResult(Map<String, Value> old, Map<String, IndexWrite> indexWrites) {}
