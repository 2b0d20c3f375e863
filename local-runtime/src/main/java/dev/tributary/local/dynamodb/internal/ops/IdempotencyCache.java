package dev.tributary.local.dynamodb.internal.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ClientRequestTokens of TransactWriteItems, remembered for 10 minutes as DynamoDB does: the same
 * token with the same request is answered without applying anything again (with read units, see
 * {@code TransactOps}); with another request it is refused.
 */
public final class IdempotencyCache {
  /** How long a token is remembered. */
  public static final long WINDOW_MILLIS = 10 * 60 * 1000;

  record Entry(JsonNode request, long at) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  synchronized Entry get(String token, long now) {
    expire(now);
    return entries.get(token);
  }

  synchronized void put(String token, JsonNode request, long now) {
    expire(now);
    entries.put(token, new Entry(request, now));
  }

  private void expire(long now) {
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      if (now - it.next().at() >= WINDOW_MILLIS) {
        it.remove();
      } else {
        break; // insertion order is time order
      }
    }
  }
}
