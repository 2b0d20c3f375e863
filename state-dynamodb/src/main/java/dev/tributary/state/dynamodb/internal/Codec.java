package dev.tributary.state.dynamodb.internal;

import dev.tributary.serde.Serde;
import dev.tributary.spi.TtlValue;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary encodings of state cells. A value is a flag byte (1 = with the TTL refresh time as 8 more
 * bytes), a varint length and the serde's bytes; a list is a varint count of values; a map a varint
 * count of (key bytes, value) pairs.
 */
public final class Codec {
  private Codec() {}

  /** URL-safe base64 without padding, for keys inside partition and sort keys. */
  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Decodes {@link #b64}. */
  public static byte[] unb64(String text) {
    return Base64.getUrlDecoder().decode(text);
  }

  /** Encodes one value (possibly a {@link TtlValue}, possibly null: a map entry may be null). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void writeValue(ByteArrayOutputStream out, Object value, Serde serde) {
    if (value == null) {
      out.write(2);
    } else if (value instanceof TtlValue t) {
      out.write(1);
      out.writeBytes(ByteBuffer.allocate(8).putLong(t.refreshedAt()).array());
      writeBytes(out, serde.serialize(t.value()));
    } else {
      out.write(0);
      writeBytes(out, serde.serialize(value));
    }
  }

  /** Decodes one value. */
  public static Object readValue(ByteBuffer in, Serde<?> serde) {
    int flag = in.get();
    if (flag == 2) {
      return null;
    }
    if (flag == 1) {
      long refreshedAt = in.getLong();
      return new TtlValue(serde.deserialize(readBytes(in)), refreshedAt);
    }
    return serde.deserialize(readBytes(in));
  }

  /** Encodes a single value cell. */
  public static byte[] value(Object value, Serde<?> serde) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeValue(out, value, serde);
    return out.toByteArray();
  }

  /** Encodes a list cell. */
  public static byte[] list(List<?> values, Serde<?> serde) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, values.size());
    for (Object v : values) {
      writeValue(out, v, serde);
    }
    return out.toByteArray();
  }

  /** Decodes a list cell (or one chunk of a spilled list). */
  public static List<Object> readList(byte[] bytes, Serde<?> serde) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int n = readVarint(in);
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readValue(in, serde));
    }
    return out;
  }

  /** Encodes a map cell. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static byte[] map(Map<?, ?> entries, Serde keySerde, Serde<?> valueSerde) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, entries.size());
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      writeBytes(out, keySerde.serialize(e.getKey()));
      writeValue(out, e.getValue(), valueSerde);
    }
    return out.toByteArray();
  }

  /** Decodes a map cell. */
  public static Map<Object, Object> readMap(byte[] bytes, Serde<?> keySerde, Serde<?> valueSerde) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int n = readVarint(in);
    Map<Object, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Object key = keySerde.deserialize(readBytes(in));
      out.put(key, readValue(in, valueSerde));
    }
    return out;
  }

  static void writeBytes(ByteArrayOutputStream out, byte[] data) {
    writeVarint(out, data.length);
    out.writeBytes(data);
  }

  static byte[] readBytes(ByteBuffer in) {
    byte[] data = new byte[readVarint(in)];
    in.get(data);
    return data;
  }

  static void writeVarint(ByteArrayOutputStream out, int value) {
    while ((value & ~0x7f) != 0) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  static int readVarint(ByteBuffer in) {
    int value = 0;
    int shift = 0;
    while (true) {
      byte b = in.get();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
      shift += 7;
    }
  }

  /**
   * The stored timers of a key: count, then per timer its domain (0 event, 1 processing), time and
   * namespace (absent for the void namespace).
   */
  public static byte[] timers(
      java.util.Set<dev.tributary.spi.Timer> event,
      java.util.Set<dev.tributary.spi.Timer> processing,
      Serde<Object> namespaceSerde) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, event.size() + processing.size());
    for (int domain = 0; domain < 2; domain++) {
      for (dev.tributary.spi.Timer t : domain == 0 ? event : processing) {
        boolean voidNamespace = t.namespace() == dev.tributary.spi.StateNamespace.VOID;
        out.write(domain | (voidNamespace ? 0 : 2));
        out.writeBytes(ByteBuffer.allocate(8).putLong(t.timestamp()).array());
        if (!voidNamespace) {
          writeBytes(out, namespaceSerde.serialize(t.namespace()));
        }
      }
    }
    return out.toByteArray();
  }

  /** Decodes {@link #timers} for {@code key} into the two sets. */
  public static void readTimers(
      byte[] bytes,
      Object key,
      Serde<Object> namespaceSerde,
      java.util.Set<dev.tributary.spi.Timer> event,
      java.util.Set<dev.tributary.spi.Timer> processing) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int n = readVarint(in);
    for (int i = 0; i < n; i++) {
      int flags = in.get();
      long time = in.getLong();
      Object namespace =
          (flags & 2) == 0
              ? dev.tributary.spi.StateNamespace.VOID
              : namespaceSerde.deserialize(readBytes(in));
      ((flags & 1) == 0 ? event : processing)
          .add(new dev.tributary.spi.Timer(time, key, namespace));
    }
  }

  /**
   * The earliest event-time ({@code [0]}) and processing-time ({@code [1]}) timestamp in {@link
   * #timers}' bytes, or Long.MAX_VALUE, without decoding keys or namespaces.
   */
  public static long[] earliestTimers(byte[] bytes) {
    long[] earliest = {Long.MAX_VALUE, Long.MAX_VALUE};
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int n = readVarint(in);
    for (int i = 0; i < n; i++) {
      int flags = in.get();
      long time = in.getLong();
      if ((flags & 2) != 0) {
        int length = readVarint(in); // the namespace, skipped
        in.position(in.position() + length);
      }
      earliest[flags & 1] = Math.min(earliest[flags & 1], time);
    }
    return earliest;
  }

  /** A sortable 20-digit form of a timestamp (offset by 2^63, so that negatives sort first). */
  public static String sortable(long timestamp) {
    String digits = Long.toUnsignedString(timestamp ^ Long.MIN_VALUE);
    return ZEROS.substring(digits.length()) + digits;
  }

  private static final String ZEROS = "00000000000000000000"; // 2^64 - 1 has 20 digits
}
