package dev.tributary.functions;

import java.io.Serializable;

/**
 * Extracts the key of an element for {@code keyBy}. Keys must have value semantics ({@code equals}
 * and {@code hashCode} by value) and a deterministic serde: the serialized key decides the key
 * group and therefore which operator slot owns the key.
 *
 * <p>It is {@link Serializable} only so that Tributary can read the key type off a lambda or method
 * reference at build time; the function itself is never shipped anywhere.
 *
 * @param <T> element type
 * @param <K> key type
 */
@FunctionalInterface
public interface KeySelector<T, K> extends Serializable {
  /** Returns the key of {@code value}; never null. */
  K getKey(T value) throws Exception;
}
