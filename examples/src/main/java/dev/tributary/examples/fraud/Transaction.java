package dev.tributary.examples.fraud;

/**
 * A card transaction.
 *
 * @param accountId the account
 * @param amount the amount in the account's currency
 * @param timestamp when, in epoch milliseconds
 */
public record Transaction(String accountId, double amount, long timestamp) {}
