package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.expr.Values;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;

/**
 * How items are ordered. Within a partition, sort keys order naturally (strings by UTF-8 bytes,
 * numbers numerically, binary unsigned). Partitions order by a hash of the partition key, so that
 * Scan returns items in a hash order as DynamoDB does; the hash is dynalite's (the first 6 hex
 * digits of {@code md5("Outliers" + key bytes)}), so that Scan pages and parallel-scan segments
 * match the conformance reference exactly.
 */
public final class KeyOrder {
  private KeyOrder() {}

  /** Stands for the missing sort key of hash-only tables. */
  public static final Value NO_RANGE = new Value.Null();

  /** Orders key values (S, N, B); {@link #NO_RANGE} equals itself. */
  public static final Comparator<Value> VALUES =
      (a, b) -> {
        if (a == NO_RANGE || b == NO_RANGE) {
          return a == b ? 0 : a == NO_RANGE ? -1 : 1;
        }
        return Values.compare(a, b);
      };

  private static final byte[] SALT = "Outliers".getBytes(StandardCharsets.UTF_8);

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** One MD5 digest per thread: getting a new one for every key showed in profiles. */
  private static final ThreadLocal<MessageDigest> MD5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("MD5 is missing from this JVM", e);
            }
          });

  /** The 6-hex-digit hash prefix of a key. */
  public static String hashPrefix(Value hash, Value range) {
    int bits = hashPrefixBits(hash, range);
    byte[] hex = new byte[6];
    for (int i = 5; i >= 0; i--) {
      hex[i] = HEX[bits & 0xf];
      bits >>>= 4;
    }
    return new String(hex, StandardCharsets.US_ASCII);
  }

  /**
   * The hash prefix of a key as a number: the first 24 bits of the digest, which order as the
   * 6-hex-digit prefix does.
   */
  public static int hashPrefixBits(Value hash, Value range) {
    byte[] hashBytes = bytes(hash);
    byte[] rangeBytes = range != null && range != NO_RANGE ? bytes(range) : null;
    MessageDigest md5 = MD5.get();
    md5.reset();
    md5.update(SALT);
    md5.update(hashBytes);
    if (rangeBytes != null) {
      md5.update(rangeBytes);
    }
    byte[] d = md5.digest();
    return (d[0] & 0xff) << 16 | (d[1] & 0xff) << 8 | (d[2] & 0xff);
  }

  /** The parallel-scan bucket (0 to 4095) of a hash prefix. */
  public static int bucket(String prefix) {
    return Integer.parseInt(prefix.substring(0, 3), 16);
  }

  /** Whether bucket {@code bucket} belongs to segment {@code segment} of {@code total}. */
  public static boolean inSegment(int bucket, int segment, int total) {
    if (total <= 1) {
      return true;
    }
    long low = ceilDiv(4096L * segment, total);
    long high = ceilDiv(4096L * (segment + 1), total) - 1;
    return bucket >= low && bucket <= high;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  private static byte[] bytes(Value v) {
    if (v instanceof Value.S s) {
      return s.utf8();
    }
    if (v instanceof Value.B b) {
      return b.value().toArray();
    }
    return numberBytes(((Value.N) v).value());
  }

  /**
   * The byte encoding of a number that DynamoDB hashes (an Oracle-NUMBER-like form: an exponent
   * byte, then base-100 digit pairs, negatives complemented and terminated by 102).
   */
  static byte[] numberBytes(BigDecimal n) {
    if (n.signum() == 0) {
      return new byte[] {(byte) 0x80};
    }
    boolean negative = n.signum() < 0;
    String digits = n.unscaledValue().abs().toString();
    int[] mantissa = new int[digits.length()];
    for (int i = 0; i < mantissa.length; i++) {
      mantissa[i] = digits.charAt(i) - '0';
    }
    int exponent = n.precision() - n.scale(); // e + 1
    int appendZero = exponent % 2 != 0 ? 1 : 0;
    int lengthWithoutExponent = (mantissa.length + appendZero + 1) / 2;
    int[] out;
    if (lengthWithoutExponent < 20 && negative) {
      out = new int[lengthWithoutExponent + 2];
      out[lengthWithoutExponent + 1] = 102;
    } else {
      out = new int[lengthWithoutExponent + 1];
    }
    out[0] = Math.floorDiv(exponent + appendZero, 2) - 64;
    if (negative) {
      out[0] = ~out[0];
    }
    boolean appendedZero = false;
    for (int mi = 0; mi < mantissa.length; mi++) {
      int bi = (mi + appendZero) / 2 + 1;
      if (appendZero == 1 && mi == 0 && !appendedZero) {
        out[bi] = 0;
        appendedZero = true;
        mi--;
      } else if ((mi + appendZero) % 2 == 0) {
        out[bi] = mantissa[mi] * 10;
      } else {
        out[bi] += mantissa[mi];
      }
      if (mi >= 0 && ((mi + appendZero) % 2 != 0 || mi == mantissa.length - 1)) {
        out[bi] = negative ? 101 - out[bi] : out[bi] + 1;
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.length);
    for (int b : out) {
      bytes.write(b & 0xff);
    }
    return bytes.toByteArray();
  }
}
