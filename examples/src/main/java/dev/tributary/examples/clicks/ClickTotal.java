package dev.tributary.examples.clicks;

/**
 * The clicks of one user in one window.
 *
 * @param userId the user
 * @param windowStart first millisecond of the window
 * @param windowEnd first millisecond after the window
 * @param clicks number of clicks
 */
public record ClickTotal(String userId, long windowStart, long windowEnd, long clicks) {}
