package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.internal.Layout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The dead-letter table's item for a record set aside, kept within DynamoDB's 400 KB item limit. A
 * record can be larger than an item (Kinesis and Kafka records reach 1 MB and more), and a dead
 * letter that cannot be written would fail every retry of its batch and block the split: so the
 * item keeps the payload's first bytes up to what fits, with its full length ({@code payloadBytes})
 * and SHA-256 ({@code payloadSha256}) and {@code payloadTruncated = true}; the error is cut to
 * {@value #MAX_ERROR_CHARS} characters, each metadata name and value to {@value
 * #MAX_METADATA_CHARS}, and the metadata as a whole to {@value #MAX_METADATA_BYTES} bytes (entries
 * in name order until the budget is spent; {@code metadataTruncated = true} when some were left
 * out). Attributes: {@code pk}, {@code sk}, {@code payload} (B), {@code error}, {@code attempts},
 * {@code metadata} (M), optionally {@code slot}, and the flags and figures above when cut.
 */
public final class DeadLetterItem {
  /** DynamoDB's item size limit, in bytes (attribute names and values). */
  static final int MAX_ITEM_BYTES = 400 * 1024;

  /** The error text kept, in characters. */
  public static final int MAX_ERROR_CHARS = 4_000;

  /** A metadata value kept, in characters. */
  public static final int MAX_METADATA_CHARS = 2_000;

  /** The metadata kept in all, in bytes (names and values; Kafka headers can be many). */
  public static final int MAX_METADATA_BYTES = 32 * 1024;

  /** Room left for the attributes of a cut payload, the numbers and rounding. */
  private static final int MARGIN_BYTES = 1_024;

  private DeadLetterItem() {}

  /**
   * The item of {@code job}'s record of {@code split} under sort key {@code sk}, as the dead-letter
   * table keys it: the record's {@code payload}, {@code error} and {@code attempts}, its {@code
   * metadata}, and the {@code slot} that set it aside (null when the coordinator did, before any
   * slot).
   */
  public static Map<String, AttributeValue> of(
      String job,
      String split,
      String sk,
      byte[] payload,
      String error,
      int attempts,
      Map<String, String> metadata,
      Integer slot) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put(StateTables.PK, AttributeValue.fromS(Layout.deadLetterPk(job, split)));
    item.put(StateTables.SK, AttributeValue.fromS(sk));
    String text = error == null || error.isEmpty() ? "-" : error;
    item.put("error", AttributeValue.fromS(cut(text, MAX_ERROR_CHARS)));
    item.put("attempts", AttributeValue.fromN(Integer.toString(attempts)));
    if (slot != null) {
      item.put("slot", AttributeValue.fromN(Integer.toString(slot)));
    }
    if (metadata != null && !metadata.isEmpty()) {
      Map<String, AttributeValue> meta = new HashMap<>();
      int spent = 0;
      for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
        String name = cut(e.getKey(), MAX_METADATA_CHARS);
        String value = cut(e.getValue() == null ? "" : e.getValue(), MAX_METADATA_CHARS);
        int entry = utf8(name) + utf8(value) + 1;
        if (spent + entry > MAX_METADATA_BYTES || meta.containsKey(name)) {
          item.put("metadataTruncated", AttributeValue.fromBool(true));
          continue;
        }
        spent += entry;
        meta.put(name, AttributeValue.fromS(value));
      }
      item.put("metadata", AttributeValue.fromM(meta));
    }
    int room = MAX_ITEM_BYTES - MARGIN_BYTES - "payload".length() - size(item);
    if (payload.length <= room) {
      item.put("payload", AttributeValue.fromB(SdkBytes.fromByteArray(payload)));
    } else {
      item.put(
          "payload",
          AttributeValue.fromB(
              SdkBytes.fromByteArrayUnsafe(Arrays.copyOf(payload, Math.max(0, room)))));
      item.put("payloadTruncated", AttributeValue.fromBool(true));
      item.put("payloadBytes", AttributeValue.fromN(Integer.toString(payload.length)));
      item.put("payloadSha256", AttributeValue.fromS(sha256(payload)));
    }
    return item;
  }

  /** The bytes the item takes in a transaction's 4 MB, as DynamoDB counts them (about). */
  public static long bytes(Map<String, AttributeValue> item) {
    return size(item);
  }

  /** {@code s} cut to at most {@code chars} characters, never between the halves of a pair. */
  private static String cut(String s, int chars) {
    if (s.length() <= chars) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(chars - 1)) ? chars - 1 : chars;
    return s.substring(0, end) + "… (" + s.length() + " characters)";
  }

  /** Attribute names plus values, UTF-8, as DynamoDB sizes an item (maps: names and values). */
  private static int size(Map<String, AttributeValue> item) {
    int n = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      n += utf8(e.getKey()) + size(e.getValue());
    }
    return n;
  }

  private static int size(AttributeValue v) {
    if (v.s() != null) {
      return utf8(v.s());
    }
    if (v.b() != null) {
      return v.b().asByteArrayUnsafe().length;
    }
    if (v.n() != null) {
      return v.n().length();
    }
    if (v.hasM()) {
      return 3 + size(v.m()) + v.m().size();
    }
    return 1;
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
