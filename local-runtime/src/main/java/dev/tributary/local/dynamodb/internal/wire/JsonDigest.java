package dev.tributary.local.dynamodb.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A SHA-256 digest of a parsed JSON document that is equal for two documents exactly when the
 * documents are equal as {@link JsonNode}s (object fields in any order, arrays in order, numbers of
 * the same parsed type and value): what remembering a request costs when only its identity matters,
 * as for the idempotency tokens of transactions, which are kept for 10 minutes.
 */
public final class JsonDigest {
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
          });

  /** The bytes a document is digested from, gathered first: one digest update, not thousands. */
  private static final ThreadLocal<Bytes> BYTES = ThreadLocal.withInitial(Bytes::new);

  private JsonDigest() {}

  /** The digest of {@code node} without the top-level fields in {@code ignored}, as text. */
  public static JsonNode of(JsonNode node, Set<String> ignored) {
    Bytes bytes = BYTES.get();
    bytes.count = 0;
    feed(node, ignored, bytes);
    MessageDigest digest = SHA256.get();
    digest.reset();
    digest.update(bytes.buf, 0, bytes.count);
    if (bytes.buf.length > 1 << 20) {
      bytes.buf = new byte[4096]; // do not keep a large request's buffer
    }
    return TextNode.valueOf(Base64.getEncoder().encodeToString(digest.digest()));
  }

  private static void feed(JsonNode node, Set<String> ignored, Bytes out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<String> names = new ArrayList<>(node.size());
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
          String name = it.next();
          if (!ignored.contains(name)) {
            names.add(name);
          }
        }
        Collections.sort(names);
        out.put((byte) '{');
        out.length(names.size());
        for (String name : names) {
          out.text(name);
          feed(node.get(name), Set.of(), out);
        }
      }
      case ARRAY -> {
        out.put((byte) '[');
        out.length(node.size());
        for (JsonNode element : node) {
          feed(element, Set.of(), out);
        }
      }
      case STRING -> {
        out.put((byte) '"');
        out.text(node.textValue());
      }
      case NUMBER -> {
        out.put((byte) '#');
        out.put((byte) node.numberType().ordinal());
        out.text(node.asText());
      }
      case BOOLEAN -> out.put(node.booleanValue() ? (byte) 't' : (byte) 'f');
      case NULL -> out.put((byte) 'n');
      default -> {
        // binary, POJO or missing nodes do not come out of the parser; digest their text
        out.put((byte) '?');
        out.text(node.toString());
      }
    }
  }

  /** A growing byte buffer. */
  private static final class Bytes {
    byte[] buf = new byte[4096];
    int count;

    private void room(int n) {
      if (count + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + n));
      }
    }

    void put(byte b) {
      room(1);
      buf[count++] = b;
    }

    void length(int n) {
      room(4);
      buf[count++] = (byte) (n >>> 24);
      buf[count++] = (byte) (n >>> 16);
      buf[count++] = (byte) (n >>> 8);
      buf[count++] = (byte) n;
    }

    /** The UTF-8 length then the UTF-8 bytes of {@code s}. */
    void text(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      length(bytes.length);
      room(bytes.length);
      System.arraycopy(bytes, 0, buf, count, bytes.length);
      count += bytes.length;
    }
  }
}
