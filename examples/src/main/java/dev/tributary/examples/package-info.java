/**
 * Example jobs: {@link dev.tributary.examples.clicks.ClickWindowSums} (tumbling windows, the
 * benchmark job), {@link dev.tributary.examples.fraud.FraudDetection} (keyed state and a
 * processing-time timer) and {@link dev.tributary.examples.sessions.Sessionization} (session
 * windows, lateness, a late-data side output).
 */
package dev.tributary.examples;
