package dev.tributary.benchmarks.dynamodb;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The benchmark's items: a fixed-width string hash key {@code pk}, a number {@code n} and a string
 * payload, about 200 bytes by DynamoDB's size rules, so that both endpoints move the same bytes.
 */
final class Items {
  /** The table's hash key attribute. */
  static final String KEY = "pk";

  static final int TARGET_BYTES = 200;

  private static final int KEY_WIDTH = 18; // "put-m-1-000000042" and the like, padded
  private static final String PAYLOAD;

  static {
    // pk (2 + 18) + n (1 + ~5) + payload (7 + rest) = ~200
    int payload = TARGET_BYTES - (2 + KEY_WIDTH) - (1 + 5) - 7;
    StringBuilder b = new StringBuilder(payload);
    for (int i = 0; i < payload; i++) {
      b.append((char) ('a' + (i * 7) % 26));
    }
    PAYLOAD = b.toString();
  }

  private Items() {}

  /**
   * A key unique per {@code prefix}, client thread and sequence number, always {@value #KEY_WIDTH}
   * characters for prefixes of up to 5 characters and sequence numbers below 10^9.
   */
  static String key(String prefix, int thread, long seq) {
    StringBuilder b = new StringBuilder(KEY_WIDTH).append(prefix).append('-').append(thread);
    String digits = Long.toString(seq);
    b.append('-');
    for (int i = b.length() + digits.length(); i < KEY_WIDTH; i++) {
      b.append('0');
    }
    return b.append(digits).toString();
  }

  /** The primary key of {@code key}. */
  static Map<String, AttributeValue> keyOf(String key) {
    return Map.of(KEY, AttributeValue.fromS(key));
  }

  /** An item of about {@value #TARGET_BYTES} bytes under {@code key}. */
  static Map<String, AttributeValue> item(String key, long seq) {
    Map<String, AttributeValue> item = new HashMap<>(4);
    item.put(KEY, AttributeValue.fromS(key));
    item.put("n", AttributeValue.fromN(Long.toString(seq % 100_000)));
    item.put("payload", AttributeValue.fromS(PAYLOAD));
    return item;
  }

  /**
   * The item's size as DynamoDB counts it for strings and numbers: attribute name bytes plus value
   * bytes, a number counting one byte per two significant digits plus one.
   */
  static int sizeOf(Map<String, AttributeValue> item) {
    int size = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      size += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      AttributeValue v = e.getValue();
      if (v.s() != null) {
        size += v.s().getBytes(StandardCharsets.UTF_8).length;
      } else if (v.n() != null) {
        String digits = v.n().replaceFirst("^[-+]?0*", "").replace(".", "");
        size += (digits.length() + 1) / 2 + 1;
      } else {
        throw new IllegalArgumentException(
            "attribute " + e.getKey() + " is neither S nor N; the benchmark items only use those");
      }
    }
    return size;
  }
}
