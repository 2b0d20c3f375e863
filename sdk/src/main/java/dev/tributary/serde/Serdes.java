package dev.tributary.serde;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The built-in serdes: strings, raw bytes, numbers, booleans, UUIDs and JSON (Jackson) for records
 * and POJOs. {@link #of(Class)} picks the natural one for a class.
 */
public final class Serdes {
  private Serdes() {}

  // the Jackson mapper behind the JSON serdes; private, so that nothing can configure it after a
  // serde was made (a serde reads with the configuration it was made with, and writes with the
  // mapper's current one: a change would make the job's functions disagree)
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .build();

  private static final ObjectReader JSON_READER = JSON.reader();
  private static final ObjectWriter JSON_WRITER = JSON.writer();

  /**
   * Reads JSON as the JSON serdes do: records and POJOs, {@code java.time} types from ISO-8601
   * strings, unknown properties ignored (producers may add fields). Use {@code
   * jsonReader().forType(Click.class)} for a type. Jackson readers are immutable, so whatever a
   * caller derives from it leaves the serdes as they are.
   */
  public static ObjectReader jsonReader() {
    return JSON_READER;
  }

  /**
   * Writes JSON as the JSON serdes do: {@code java.time} types as ISO-8601 strings, map entries
   * sorted by key (so that JSON keys are deterministic). Immutable, like {@link #jsonReader()}.
   */
  public static ObjectWriter jsonWriter() {
    return JSON_WRITER;
  }

  /** UTF-8 strings. */
  public static Serde<String> string() {
    return StringSerde.INSTANCE;
  }

  /** Raw bytes, passed through unchanged. */
  public static Serde<byte[]> bytes() {
    return BytesSerde.INSTANCE;
  }

  /** 64-bit integers, 8 bytes big-endian. */
  public static Serde<Long> longs() {
    return LongSerde.INSTANCE;
  }

  /** 32-bit integers, 4 bytes big-endian. */
  public static Serde<Integer> integers() {
    return IntegerSerde.INSTANCE;
  }

  /** Doubles, 8 bytes IEEE 754. */
  public static Serde<Double> doubles() {
    return DoubleSerde.INSTANCE;
  }

  /** Booleans, one byte. */
  public static Serde<Boolean> booleans() {
    return BooleanSerde.INSTANCE;
  }

  /** UUIDs, 16 bytes. */
  public static Serde<UUID> uuids() {
    return UuidSerde.INSTANCE;
  }

  /** JSON via Jackson for a record, POJO or any type Jackson maps. */
  public static <T> Serde<T> json(Class<T> type) {
    Objects.requireNonNull(type, "Serdes.json(type): type is null; pass the record or POJO class");
    return new JsonSerde<>(JSON.constructType(type), type.getSimpleName());
  }

  /** JSON via Jackson for a generic type, e.g. {@code new TypeReference<List<Click>>() {}}. */
  public static <T> Serde<T> json(TypeReference<T> type) {
    Objects.requireNonNull(type, "Serdes.json(type): type is null");
    JavaType javaType = JSON.getTypeFactory().constructType(type);
    return new JsonSerde<>(javaType, javaType.toCanonical());
  }

  /**
   * JSON of any value, by its runtime class; reads back as a Jackson {@code JsonNode}, since the
   * class is not recorded. The default serde of sinks, whose outputs leave the job as JSON.
   */
  public static Serde<Object> jsonAny() {
    return AnyJsonSerde.INSTANCE;
  }

  /**
   * JSON that records the runtime class of each value next to it, so that values of a type the job
   * never named (window contents, rolling reduce results) can be stored and read back. Used for
   * internal state only: never feed it untrusted input.
   */
  public static <T> Serde<T> jsonWithType() {
    @SuppressWarnings("unchecked")
    Serde<T> serde = (Serde<T>) TypedJsonSerde.INSTANCE;
    return serde;
  }

  /**
   * The natural serde for a class: the fixed-width ones for {@code String}, {@code Long}, {@code
   * Integer}, {@code Double}, {@code Boolean}, {@code UUID} and {@code byte[]}, JSON otherwise.
   */
  @SuppressWarnings("unchecked")
  public static <T> Serde<T> of(Class<T> type) {
    Objects.requireNonNull(type, "Serdes.of(type): type is null");
    if (type == String.class) {
      return (Serde<T>) string();
    } else if (type == Long.class || type == long.class) {
      return (Serde<T>) longs();
    } else if (type == Integer.class || type == int.class) {
      return (Serde<T>) integers();
    } else if (type == Double.class || type == double.class) {
      return (Serde<T>) doubles();
    } else if (type == Boolean.class || type == boolean.class) {
      return (Serde<T>) booleans();
    } else if (type == UUID.class) {
      return (Serde<T>) uuids();
    } else if (type == byte[].class) {
      return (Serde<T>) bytes();
    }
    return json(type);
  }

  private static SerdeException failure(String serde, String what, byte[] bytes, Exception e) {
    return new SerdeException(
        serde + " could not " + what + " " + preview(bytes) + ": " + e.getMessage(), e);
  }

  /** A printable prefix of a payload for error messages (at most 120 characters). */
  public static String preview(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    String text = new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0xFFFD ? '?' : c);
    }
    out.append(bytes.length > 120 ? "...' (" + bytes.length + " bytes)" : "'");
    return out.toString();
  }

  private static byte[] checkLength(String serde, byte[] bytes, int length) {
    if (bytes == null || bytes.length != length) {
      throw new SerdeException(
          serde
              + " expects exactly "
              + length
              + " bytes but got "
              + (bytes == null ? "null" : bytes.length + " bytes " + preview(bytes)));
    }
    return bytes;
  }

  private enum StringSerde implements Serde<String> {
    INSTANCE;

    @Override
    public byte[] serialize(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String describe() {
      return "string";
    }
  }

  private enum BytesSerde implements Serde<byte[]> {
    INSTANCE;

    @Override
    public byte[] serialize(byte[] value) {
      return value;
    }

    @Override
    public byte[] deserialize(byte[] bytes) {
      return bytes;
    }

    @Override
    public String describe() {
      return "bytes";
    }
  }

  private enum LongSerde implements Serde<Long> {
    INSTANCE;

    @Override
    public byte[] serialize(Long value) {
      return ByteBuffer.allocate(8).putLong(value).array();
    }

    @Override
    public Long deserialize(byte[] bytes) {
      return ByteBuffer.wrap(checkLength("longs", bytes, 8)).getLong();
    }

    @Override
    public String describe() {
      return "long";
    }
  }

  private enum IntegerSerde implements Serde<Integer> {
    INSTANCE;

    @Override
    public byte[] serialize(Integer value) {
      return ByteBuffer.allocate(4).putInt(value).array();
    }

    @Override
    public Integer deserialize(byte[] bytes) {
      return ByteBuffer.wrap(checkLength("integers", bytes, 4)).getInt();
    }

    @Override
    public String describe() {
      return "int";
    }
  }

  private enum DoubleSerde implements Serde<Double> {
    INSTANCE;

    @Override
    public byte[] serialize(Double value) {
      return ByteBuffer.allocate(8).putDouble(value).array();
    }

    @Override
    public Double deserialize(byte[] bytes) {
      return ByteBuffer.wrap(checkLength("doubles", bytes, 8)).getDouble();
    }

    @Override
    public String describe() {
      return "double";
    }
  }

  private enum BooleanSerde implements Serde<Boolean> {
    INSTANCE;

    @Override
    public byte[] serialize(Boolean value) {
      return new byte[] {(byte) (value ? 1 : 0)};
    }

    @Override
    public Boolean deserialize(byte[] bytes) {
      return checkLength("booleans", bytes, 1)[0] != 0;
    }

    @Override
    public String describe() {
      return "boolean";
    }
  }

  private enum UuidSerde implements Serde<UUID> {
    INSTANCE;

    @Override
    public byte[] serialize(UUID value) {
      return ByteBuffer.allocate(16)
          .putLong(value.getMostSignificantBits())
          .putLong(value.getLeastSignificantBits())
          .array();
    }

    @Override
    public UUID deserialize(byte[] bytes) {
      ByteBuffer buffer = ByteBuffer.wrap(checkLength("uuids", bytes, 16));
      return new UUID(buffer.getLong(), buffer.getLong());
    }

    @Override
    public String describe() {
      return "uuid";
    }
  }

  private static final class JsonSerde<T> implements Serde<T> {
    private final JavaType type;
    private final String name;
    // the root deserializer found once, not looked up again for every record
    private final ObjectReader reader;

    JsonSerde(JavaType type, String name) {
      this.type = type;
      this.name = name;
      this.reader = JSON.readerFor(type);
    }

    @Override
    public byte[] serialize(T value) {
      try {
        return JSON.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new SerdeException(
            describe() + " could not serialize a " + value.getClass().getName() + ": " + e, e);
      }
    }

    @Override
    public T deserialize(byte[] bytes) {
      try {
        return reader.readValue(bytes);
      } catch (IOException e) {
        throw failure(describe(), "parse", bytes, e);
      }
    }

    @Override
    public String describe() {
      return "json(" + name + ")";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof JsonSerde<?> other && other.type.equals(type);
    }

    @Override
    public int hashCode() {
      return type.hashCode();
    }
  }

  private enum AnyJsonSerde implements Serde<Object> {
    INSTANCE;

    @Override
    public byte[] serialize(Object value) {
      try {
        return JSON.writeValueAsBytes(value);
      } catch (IOException e) {
        throw new SerdeException(
            "json could not serialize a " + value.getClass().getName() + ": " + e, e);
      }
    }

    @Override
    public Object deserialize(byte[] bytes) {
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        throw failure("json", "parse", bytes, e);
      }
    }

    @Override
    public String describe() {
      return "json";
    }
  }

  private enum TypedJsonSerde implements Serde<Object> {
    INSTANCE;

    @Override
    public byte[] serialize(Object value) {
      ObjectNode node = JSON.createObjectNode();
      node.put("@type", value.getClass().getName());
      node.set("value", JSON.valueToTree(value));
      try {
        return JSON.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new SerdeException(
            "jsonWithType could not serialize a " + value.getClass().getName() + ": " + e, e);
      }
    }

    @Override
    public Object deserialize(byte[] bytes) {
      try {
        JsonNode node = JSON.readTree(bytes);
        String typeName = node.path("@type").asText();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> type =
            Class.forName(typeName, false, loader == null ? Serdes.class.getClassLoader() : loader);
        return JSON.treeToValue(node.get("value"), type);
      } catch (IOException | ClassNotFoundException e) {
        throw failure("jsonWithType", "read", bytes, e);
      }
    }

    @Override
    public String describe() {
      return "jsonWithType";
    }
  }
}
