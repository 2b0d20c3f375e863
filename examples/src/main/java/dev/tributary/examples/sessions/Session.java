package dev.tributary.examples.sessions;

/**
 * A session of one user: activity without a pause longer than the gap.
 *
 * @param userId the user
 * @param start the session window's start (first activity)
 * @param end the session window's end (last activity + gap)
 * @param events number of activities
 * @param purchases number of "buy" activities
 */
public record Session(String userId, long start, long end, long events, long purchases) {}
