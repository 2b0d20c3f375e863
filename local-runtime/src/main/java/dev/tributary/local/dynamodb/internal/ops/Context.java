package dev.tributary.local.dynamodb.internal.ops;

import dev.tributary.local.dynamodb.internal.storage.Database;
import java.util.function.LongSupplier;

/**
 * What every operation shares: the database, the clock (epoch milliseconds) and the identity used
 * in ARNs.
 *
 * @param database the tables
 * @param clock wall-clock time in epoch milliseconds
 * @param region the region in ARNs
 * @param accountId the account id in ARNs
 * @param tokens the ClientRequestTokens of recent transactions
 * @param hooks fault injection into transactions
 */
public record Context(
    Database database,
    LongSupplier clock,
    String region,
    String accountId,
    IdempotencyCache tokens,
    TransactionHooks hooks) {}
