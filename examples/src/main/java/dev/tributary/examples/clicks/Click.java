package dev.tributary.examples.clicks;

/**
 * A click on a page.
 *
 * @param userId who clicked
 * @param page what was clicked
 * @param timestamp when, in epoch milliseconds (event time)
 */
public record Click(String userId, String page, long timestamp) {}
