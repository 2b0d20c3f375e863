package dev.tributary.local.dynamodb.internal.storage;

import dev.tributary.local.dynamodb.internal.expr.Values;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;

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

  /** The 6-hex-digit hash prefix of a key. */
  public static String hashPrefix(Value hash, Value range) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update("Outliers".getBytes(StandardCharsets.UTF_8));
      md5.update(bytes(hash));
      if (range != null && range != NO_RANGE) {
        md5.update(bytes(range));
      }
      return HexFormat.of().formatHex(md5.digest()).substring(0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
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
