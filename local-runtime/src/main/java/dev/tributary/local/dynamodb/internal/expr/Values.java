package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.Value;

/** Comparison and description of values, as expressions need them. */
public final class Values {
  private Values() {}

  /**
   * Orders two values of the same scalar type (S by UTF-8 bytes, N numerically, B unsigned bytes);
   * fails for other types.
   */
  public static int compare(Value a, Value b) {
    if (a instanceof Value.N x && b instanceof Value.N y) {
      return x.value().compareTo(y.value());
    }
    if (a instanceof Value.S x && b instanceof Value.S y) {
      return compareUtf8(x.value(), y.value());
    }
    if (a instanceof Value.B x && b instanceof Value.B y) {
      return x.value().compareTo(y.value());
    }
    throw new IllegalArgumentException("cannot order " + a.type() + " and " + b.type());
  }

  /** Orders strings by their UTF-8 bytes (which differs from UTF-16 order above U+FFFF). */
  public static int compareUtf8(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        boolean xs = Character.isSurrogate(x);
        boolean ys = Character.isSurrogate(y);
        if (xs != ys) {
          // surrogates (U+10000 and up) sort after every BMP character in UTF-8
          return xs ? 1 : -1;
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  /** Whether the type can be ordered with {@code <}. */
  public static boolean isOrderable(Value v) {
    return v instanceof Value.N || v instanceof Value.S || v instanceof Value.B;
  }

  /** How DynamoDB prints a value in messages: {@code {N:2}}. */
  public static String describe(Value v) {
    if (v instanceof Value.S s) {
      return "{S:" + s.value() + "}";
    }
    if (v instanceof Value.N n) {
      return "{N:" + n.text() + "}";
    }
    if (v instanceof Value.B b) {
      return "{B:" + b.value().toBase64() + "}";
    }
    return "{" + v.type() + ":" + v + "}";
  }

  /** The long type name of update-expression messages, e.g. STRING. */
  public static String longTypeName(Value v) {
    return switch (v.type()) {
      case "S" -> "STRING";
      case "N" -> "NUMBER";
      case "B" -> "BINARY";
      case "BOOL" -> "BOOLEAN";
      case "NULL" -> "NULL";
      case "L" -> "LIST";
      case "M" -> "MAP";
      default -> v.type();
    };
  }
}
