package dev.tributary.local.dynamodb.internal.ops;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.Map;

/**
 * Lets fault injection cancel one action of a transaction with {@code TransactionConflict}, as a
 * concurrent transaction on the same item would on AWS.
 */
public interface TransactionHooks {
  /** No faults. */
  TransactionHooks NONE = (table, key) -> false;

  /** Whether the action on {@code key} of {@code table} conflicts. */
  boolean conflicts(String table, Map<String, Value> key);
}
