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

  private JsonDigest() {}

  /** The digest of {@code node} without the top-level fields in {@code ignored}, as text. */
  public static JsonNode of(JsonNode node, Set<String> ignored) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    feed(node, ignored, digest);
    return TextNode.valueOf(Base64.getEncoder().encodeToString(digest.digest()));
  }

  private static void feed(JsonNode node, Set<String> ignored, MessageDigest digest) {
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
        digest.update((byte) '{');
        length(names.size(), digest);
        for (String name : names) {
          text(name, digest);
          feed(node.get(name), Set.of(), digest);
        }
      }
      case ARRAY -> {
        digest.update((byte) '[');
        length(node.size(), digest);
        for (JsonNode element : node) {
          feed(element, Set.of(), digest);
        }
      }
      case STRING -> {
        digest.update((byte) '"');
        text(node.textValue(), digest);
      }
      case NUMBER -> {
        digest.update((byte) '#');
        digest.update((byte) node.numberType().ordinal());
        text(node.asText(), digest);
      }
      case BOOLEAN -> digest.update(node.booleanValue() ? (byte) 't' : (byte) 'f');
      case NULL -> digest.update((byte) 'n');
      default -> {
        // binary, POJO or missing nodes do not come out of the parser; digest their text
        digest.update((byte) '?');
        text(node.toString(), digest);
      }
    }
  }

  private static void text(String s, MessageDigest digest) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    length(bytes.length, digest);
    digest.update(bytes);
  }

  private static void length(int n, MessageDigest digest) {
    digest.update((byte) (n >>> 24));
    digest.update((byte) (n >>> 16));
    digest.update((byte) (n >>> 8));
    digest.update((byte) n);
  }
}
