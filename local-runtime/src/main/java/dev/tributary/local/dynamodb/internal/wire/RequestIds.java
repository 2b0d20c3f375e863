package dev.tributary.local.dynamodb.internal.wire;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code x-amzn-RequestId} of each response: shaped like a UUID, unique per endpoint and
 * unlikely to repeat across endpoints, without {@code UUID.randomUUID()}'s cost on every response.
 * The first 64 bits are random per endpoint, the last 64 bits count the responses.
 */
final class RequestIds {
  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The length of an id: 32 hex digits and 4 dashes. */
  static final int LENGTH = 36;

  private final long prefix = new SecureRandom().nextLong();
  private final AtomicLong counter = new AtomicLong(new SecureRandom().nextInt() & 0xffffffL);

  /** Writes the next id into {@code out} at {@code at}; returns the position after it. */
  int next(byte[] out, int at) {
    long low = counter.incrementAndGet();
    // 8-4-4-4-12 hex digits
    at = hex(prefix >>> 32, 8, out, at);
    out[at++] = '-';
    at = hex(prefix >>> 16, 4, out, at);
    out[at++] = '-';
    at = hex(prefix, 4, out, at);
    out[at++] = '-';
    at = hex(low >>> 48, 4, out, at);
    out[at++] = '-';
    return hex(low, 12, out, at);
  }

  /** The next id as text. */
  String next() {
    byte[] b = new byte[LENGTH];
    next(b, 0);
    return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static int hex(long value, int digits, byte[] out, int at) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
    return at + digits;
  }
}
