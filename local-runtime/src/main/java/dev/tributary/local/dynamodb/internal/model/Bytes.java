package dev.tributary.local.dynamodb.internal.model;

import java.util.Arrays;
import java.util.Base64;

/** Immutable bytes with value equality and DynamoDB's ordering (unsigned, lexicographic). */
public final class Bytes implements Comparable<Bytes> {
  private final byte[] data;

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** Wraps a copy of {@code data}. */
  public static Bytes of(byte[] data) {
    return new Bytes(data.clone());
  }

  /** Decodes base64, as the JSON protocol carries binary. */
  public static Bytes fromBase64(String base64) {
    return new Bytes(Base64.getDecoder().decode(base64));
  }

  /** A copy of the bytes. */
  public byte[] toArray() {
    return data.clone();
  }

  /** The number of bytes. */
  public int length() {
    return data.length;
  }

  /** The byte at {@code i}. */
  public byte get(int i) {
    return data[i];
  }

  /** Base64 text, as the JSON protocol carries binary. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(data);
  }

  /** Whether these bytes start with {@code prefix}. */
  public boolean startsWith(Bytes prefix) {
    if (prefix.data.length > data.length) {
      return false;
    }
    return Arrays.equals(data, 0, prefix.data.length, prefix.data, 0, prefix.data.length);
  }

  /** Whether {@code part} occurs in these bytes. */
  public boolean contains(Bytes part) {
    outer:
    for (int i = 0; i + part.data.length <= data.length; i++) {
      for (int j = 0; j < part.data.length; j++) {
        if (data[i + j] != part.data[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(data, other.data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && Arrays.equals(b.data, data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return toBase64();
  }
}
