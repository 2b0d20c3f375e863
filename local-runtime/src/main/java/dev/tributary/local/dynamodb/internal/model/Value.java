package dev.tributary.local.dynamodb.internal.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DynamoDB attribute value: the ten types of the JSON protocol. Values are immutable; numbers are
 * normalized {@link BigDecimal}s, so that equal numbers are equal values.
 */
public sealed interface Value
    permits Value.S,
        Value.N,
        Value.B,
        Value.Bool,
        Value.Null,
        Value.M,
        Value.L,
        Value.SS,
        Value.NS,
        Value.BS {

  /** The type code: S, N, B, BOOL, NULL, M, L, SS, NS or BS. */
  String type();

  /** A string. */
  record S(String value) implements Value {
    @Override
    public String type() {
      return "S";
    }

    /** UTF-8 size in bytes. */
    public int utf8Length() {
      return utf8Length(value);
    }

    /** UTF-8 size of a string in bytes. */
    public static int utf8Length(String s) {
      int bytes = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          bytes += 1;
        } else if (c < 0x800) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          bytes += 4;
          i++;
        } else {
          bytes += 3;
        }
      }
      return bytes;
    }

    /** The UTF-8 bytes, the order DynamoDB sorts strings in. */
    public byte[] utf8() {
      return value.getBytes(StandardCharsets.UTF_8);
    }
  }

  /** A number, normalized. */
  record N(BigDecimal value) implements Value {
    @Override
    public String type() {
      return "N";
    }

    /** The number as DynamoDB prints it (plain notation, no trailing zeros). */
    public String text() {
      return value.signum() == 0 ? "0" : value.toPlainString();
    }
  }

  /** Binary. */
  record B(Bytes value) implements Value {
    @Override
    public String type() {
      return "B";
    }
  }

  /** A boolean. */
  record Bool(boolean value) implements Value {
    @Override
    public String type() {
      return "BOOL";
    }
  }

  /** Null. */
  record Null() implements Value {
    @Override
    public String type() {
      return "NULL";
    }
  }

  /** A map (document). */
  record M(Map<String, Value> value) implements Value {
    /** Freezes the map, keeping its order. */
    public M {
      value = Collections.unmodifiableMap(new LinkedHashMap<>(value));
    }

    @Override
    public String type() {
      return "M";
    }
  }

  /** A list. */
  record L(List<Value> value) implements Value {
    /** Freezes the list. */
    public L {
      value = List.copyOf(value);
    }

    @Override
    public String type() {
      return "L";
    }
  }

  /** A string set. */
  record SS(Set<String> value) implements Value {
    /** Freezes the set, keeping its order. */
    public SS {
      value = Collections.unmodifiableSet(new LinkedHashSet<>(value));
    }

    @Override
    public String type() {
      return "SS";
    }
  }

  /** A number set. */
  record NS(Set<BigDecimal> value) implements Value {
    /** Freezes the set, keeping its order. */
    public NS {
      value = Collections.unmodifiableSet(new LinkedHashSet<>(value));
    }

    @Override
    public String type() {
      return "NS";
    }
  }

  /** A binary set. */
  record BS(Set<Bytes> value) implements Value {
    /** Freezes the set, keeping its order. */
    public BS {
      value = Collections.unmodifiableSet(new LinkedHashSet<>(value));
    }

    @Override
    public String type() {
      return "BS";
    }
  }
}
