package dev.tributary.benchmarks.state;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** DynamoDB's item size: attribute names plus values, by the rules AWS documents for billing. */
final class ItemSizes {
  private ItemSizes() {}

  static long item(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
      size += utf8(e.getKey()) + value(e.getValue());
    }
    return size;
  }

  static long value(AttributeValue v) {
    if (v.s() != null) {
      return utf8(v.s());
    }
    if (v.n() != null) {
      String digits = v.n().replaceFirst("^-", "").replace(".", "");
      return (digits.length() + 1) / 2 + 1;
    }
    if (v.b() != null) {
      return v.b().asByteArray().length;
    }
    if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
      return 1;
    }
    if (v.hasM()) {
      long size = 3;
      for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
        size += utf8(e.getKey()) + value(e.getValue()) + 1;
      }
      return size;
    }
    if (v.hasL()) {
      long size = 3;
      for (AttributeValue e : v.l()) {
        size += value(e) + 1;
      }
      return size;
    }
    if (v.hasSs()) {
      return v.ss().stream().mapToLong(ItemSizes::utf8).sum();
    }
    return 0;
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
