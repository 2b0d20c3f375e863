package dev.tributary.operator.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The coordinator-operator wire format: JSON of {@link OperatorRequest} and {@link
 * OperatorResponse}, with a version field checked on both sides. Golden files in the tests pin the
 * format, so that a rolling deploy where coordinator and operators run different builds fails
 * loudly instead of silently misreading a field.
 */
public final class Protocol {
  /** The version this build speaks. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .addModule(SourceRecordCodec.module())
          .build();

  private Protocol() {}

  /** The JSON bytes of a request or response. */
  public static byte[] write(Object message) {
    try {
      return JSON.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** Reads a request, refusing another version. */
  public static OperatorRequest readRequest(InputStream in) {
    return read(in, OperatorRequest.class);
  }

  /** Reads a request, refusing another version. */
  public static OperatorRequest readRequest(byte[] bytes) {
    return read(bytes, OperatorRequest.class);
  }

  /** Reads a response, refusing another version. */
  public static OperatorResponse readResponse(byte[] bytes) {
    return read(bytes, OperatorResponse.class);
  }

  private static <T> T read(InputStream in, Class<T> type) {
    try {
      return read(in.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a " + type.getSimpleName(), e);
    }
  }

  /**
   * Binds {@code bytes} in one pass; only a message that does not bind, or binds with another
   * version, is read again as a tree to say which version it speaks.
   */
  private static <T> T read(byte[] bytes, Class<T> type) {
    T value;
    try {
      value = JSON.readValue(bytes, type);
    } catch (IOException e) {
      refuseOtherVersion(bytes, type);
      throw new UncheckedIOException("cannot read a " + type.getSimpleName(), e);
    }
    int version =
        value instanceof OperatorRequest r
            ? r.version()
            : value instanceof OperatorResponse r ? r.version() : -1;
    if (version != VERSION) {
      refuseOtherVersion(bytes, type);
    }
    return value;
  }

  private static void refuseOtherVersion(byte[] bytes, Class<?> type) {
    JsonNode tree;
    try {
      tree = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a " + type.getSimpleName(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException(
          "a " + type.getSimpleName() + " must be a JSON object; got " + tree);
    }
    JsonNode version = tree.get("version");
    if (version == null || !version.canConvertToInt() || version.intValue() != VERSION) {
      throw new IllegalArgumentException(
          type.getSimpleName()
              + " has protocol version "
              + version
              + "; this build speaks version "
              + VERSION
              + ". Deploy the coordinator and the operator functions from the same build (one job"
              + " jar for both)");
    }
  }
}
