package dev.tributary.serde;

/**
 * Turns values into bytes and back. Every value that leaves a JVM (state in DynamoDB, records
 * between the coordinator and the operators, keys hashed into key groups, sink outputs) goes
 * through one.
 *
 * <p>Key serdes must be deterministic: equal keys must serialize to equal bytes, because the bytes
 * decide the key group and therefore which operator slot owns the key.
 *
 * @param <T> the value type
 */
public interface Serde<T> {

  /** Serializes a non-null value. */
  byte[] serialize(T value);

  /** Deserializes bytes produced by {@link #serialize}. */
  T deserialize(byte[] bytes);

  /** A short description for {@code JobGraph.describe()}, e.g. {@code json(Click)}. */
  default String describe() {
    return getClass().getSimpleName();
  }
}
