package dev.tributary.local.dynamodb.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Raw DynamoDB JSON 1.0 requests over {@link HttpClient}: no SDK in between, so both endpoints see
 * byte-identical bodies and every field of the answer is visible to the assertions.
 */
final class Wire {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Wire() {}

  /** A response: the HTTP status and the parsed body (an empty object for an empty body). */
  record Response(int status, JsonNode body) {
    /** The error type after the '#', or null for a success. */
    String errorType() {
      JsonNode type = body.get("__type");
      if (type == null) {
        return null;
      }
      String text = type.asText();
      return text.substring(text.indexOf('#') + 1);
    }

    /** The error message ({@code message}, or {@code Message} for SerializationException). */
    String message() {
      JsonNode m = body.has("message") ? body.get("message") : body.get("Message");
      return m == null ? null : m.asText();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** Sends {@code json} as operation {@code op} to {@code endpoint}. */
  static Response call(URI endpoint, String op, String json) {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("X-Amz-Target", "DynamoDB_20120810." + op)
            .header("Content-Type", "application/x-amz-json-1.0")
            // dynalite only checks that the signature parts exist; it needs a date header as well
            .header("X-Amz-Date", "20260101T000000Z")
            .header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request,"
                    + " SignedHeaders=host, Signature=00")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      JsonNode body =
          text == null || text.isBlank()
              ? JsonNodeFactory.instance.objectNode()
              : MAPPER.readTree(text);
      return new Response(response.statusCode(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(op + " to " + endpoint + " failed: " + json, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling " + op, e);
    }
  }

  /** Parses JSON text. */
  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + json, e);
    }
  }
}
