package dev.tributary.examples.fraud;

/**
 * A suspicious pattern on an account: a small transaction followed by a large one.
 *
 * @param accountId the account
 * @param smallAmount the small transaction's amount
 * @param largeAmount the large transaction's amount
 * @param timestamp the large transaction's time
 */
public record Alert(String accountId, double smallAmount, double largeAmount, long timestamp) {}
