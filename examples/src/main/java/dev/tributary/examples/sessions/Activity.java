package dev.tributary.examples.sessions;

/**
 * Something a user did.
 *
 * @param userId the user
 * @param action what they did, e.g. "view" or "buy"
 * @param timestamp when, in epoch milliseconds (event time)
 */
public record Activity(String userId, String action, long timestamp) {}
