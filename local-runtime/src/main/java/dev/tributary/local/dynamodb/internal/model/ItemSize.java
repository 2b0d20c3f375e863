package dev.tributary.local.dynamodb.internal.model;

import java.util.Map;

/**
 * Item sizes as DynamoDB counts them (developer guide, "Item sizes and formats"): the UTF-8 length
 * of each attribute name plus the size of its value; strings by UTF-8 length, numbers by
 * significant digits, lists and maps with 3 bytes of overhead plus 1 per element. Capacity units
 * and the 400 KB item limit are computed from these sizes.
 */
public final class ItemSize {
  /** The largest item DynamoDB stores: 400 KB. */
  public static final int MAX_ITEM_BYTES = 400 * 1024;

  private ItemSize() {}

  /** An immutable item that remembers its size. */
  public interface Known {
    /** The item's size in bytes, as {@link ItemSize#of(Map)} computes it. */
    long itemSize();
  }

  /** The size of an item in bytes. */
  public static long of(Map<String, Value> item) {
    if (item instanceof Known known) {
      return known.itemSize();
    }
    return compute(item);
  }

  /** The size of an item in bytes, computed from its attributes. */
  public static long compute(Map<String, Value> item) {
    long size = 0;
    for (Map.Entry<String, Value> e : item.entrySet()) {
      size += Value.S.utf8Length(e.getKey()) + of(e.getValue());
    }
    return size;
  }

  /** The size of one value in bytes. */
  public static long of(Value value) {
    if (value instanceof Value.S s) {
      return s.utf8Length();
    } else if (value instanceof Value.N n) {
      return Numbers.size(n.value());
    } else if (value instanceof Value.B b) {
      return b.value().length();
    } else if (value instanceof Value.Bool || value instanceof Value.Null) {
      return 1;
    } else if (value instanceof Value.SS ss) {
      long size = 0;
      for (String s : ss.value()) {
        size += Value.S.utf8Length(s);
      }
      return size;
    } else if (value instanceof Value.NS ns) {
      long size = 0;
      for (java.math.BigDecimal n : ns.value()) {
        size += Numbers.size(n);
      }
      return size;
    } else if (value instanceof Value.BS bs) {
      long size = 0;
      for (Bytes b : bs.value()) {
        size += b.length();
      }
      return size;
    } else if (value instanceof Value.L l) {
      long size = 3;
      for (Value element : l.value()) {
        size += 1 + of(element);
      }
      return size;
    } else {
      Value.M m = (Value.M) value;
      long size = 3;
      for (Map.Entry<String, Value> e : m.value().entrySet()) {
        size += 1 + Value.S.utf8Length(e.getKey()) + of(e.getValue());
      }
      return size;
    }
  }

  /**
   * The size an item counts for towards the 1 MB page of a Query or Scan. DynamoDB counts a
   * compressed storage form there (measured by dynalite): a length byte per value, one byte per
   * attribute name instead of the name, and per-item metadata.
   */
  public static long pageSize(Map<String, Value> item, String rangeKey) {
    long rangeKeySize = 0;
    long size = 0;
    for (Map.Entry<String, Value> e : item.entrySet()) {
      boolean isRange = e.getKey().equals(rangeKey);
      long valueSize = storedSize(e.getValue(), !isRange);
      if (isRange) {
        rangeKeySize = valueSize;
      } else {
        size += valueSize + 1;
      }
    }
    return 2 + size + (1 + (1 + size) / 3072) * (18 + rangeKeySize);
  }

  private static long storedSize(Value value, boolean compress) {
    long size = compressedSize(value, compress);
    if (!compress) {
      return size;
    }
    if (value instanceof Value.S) {
      return size + (size < 128 ? 1 : size < 16384 ? 2 : 3);
    } else if (value instanceof Value.B || value instanceof Value.N) {
      return size + 1;
    } else if (value instanceof Value.SS ss) {
      return size + ss.value().size() + 1;
    } else if (value instanceof Value.NS ns) {
      return size + ns.value().size() + 1;
    } else if (value instanceof Value.BS bs) {
      return size + bs.value().size() + 1;
    } else if (value instanceof Value.Null) {
      return 0;
    } else if (value instanceof Value.Bool) {
      return 1;
    }
    return size;
  }

  private static long compressedSize(Value value, boolean compress) {
    if (value instanceof Value.L l) {
      long size = 3;
      for (Value element : l.value()) {
        size += 1 + storedSize(element, compress);
      }
      return size;
    }
    if (value instanceof Value.M m) {
      long size = 3 + m.value().size();
      for (Map.Entry<String, Value> e : m.value().entrySet()) {
        size +=
            storedSize(e.getValue(), compress) + (compress ? 1 : Value.S.utf8Length(e.getKey()));
      }
      return size;
    }
    return of(value);
  }
}
