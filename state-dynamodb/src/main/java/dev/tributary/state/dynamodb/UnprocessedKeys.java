package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.internal.Backoff;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * How a BatchGetItem loop waits before it asks again for the keys DynamoDB left unprocessed (it
 * does so when a read is throttled, without an error): exponential backoff with jitter ({@link
 * Backoff}), from 25 ms up to 1.6 s, and a failure after {@link #MAX_ROUNDS} rounds that still left
 * keys, so that a throttled table shows as an error instead of a busy loop.
 */
final class UnprocessedKeys {
  /** Rounds with unprocessed keys before the read fails (about 3 s of waiting in all). */
  static final int MAX_ROUNDS = 8;

  private UnprocessedKeys() {}

  /**
   * Before round {@code round} of a read ({@code 0} the first, which goes at once) that asks for
   * {@code request}: waits after a round that left keys, and throws once the rounds are used up.
   */
  static void beforeRound(int round, Map<String, KeysAndAttributes> request, String what) {
    if (round > 0) {
      backOff(round, count(request), what);
    }
  }

  private static void backOff(int round, int left, String what) {
    if (round > MAX_ROUNDS) {
      throw new IllegalStateException(
          what
              + ": DynamoDB left "
              + left
              + " key(s) unprocessed in "
              + MAX_ROUNDS
              + " rounds in a row (the table's reads are throttled); the invocation fails and is"
              + " retried. Raise the table's read capacity, or use on-demand capacity");
    }
    Backoff.pause(25, round - 1, 1600, "waiting to read again (" + what + ")");
  }

  /** How many keys {@code unprocessed} holds. */
  private static int count(Map<String, KeysAndAttributes> unprocessed) {
    int n = 0;
    for (var ka : unprocessed.values()) {
      n += ka.hasKeys() ? ka.keys().size() : 0;
    }
    return n;
  }
}
