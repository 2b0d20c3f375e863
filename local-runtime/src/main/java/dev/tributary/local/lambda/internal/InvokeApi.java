package dev.tributary.local.lambda.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wire layer of the local Lambda endpoint: Lambda's Invoke operation ({@code POST
 * /2015-03-31/functions/{FunctionName}/invocations}, REST-JSON) as the AWS SDK reads it. It parses
 * the function reference and the {@code X-Amz-Invocation-Type}, hands the payload to the function's
 * {@link FunctionHost}, and says the {@link Outcome} the way Lambda does: status codes, the {@code
 * X-Amz-Function-Error} and {@code X-Amz-Executed-Version} headers, error payloads, and service
 * errors named by {@code x-amzn-ErrorType} (the header the SDK maps to exception classes). Every
 * answer carries an {@code x-amzn-RequestId}.
 */
public final class InvokeApi implements HttpHandler {
  /** The account in the ARNs of error messages. */
  public static final String ACCOUNT = "000000000000";

  /** The region in the ARNs of error messages. */
  public static final String REGION = "us-east-1";

  private static final String PREFIX = "/2015-03-31/functions/";
  private static final String SUFFIX = "/invocations";
  private static final byte[] EMPTY = new byte[0];
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String ARN_PREFIX =
      "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
          + "(\\d{12}:)?(function:)?";
  private static final String NAME = "[a-zA-Z0-9-_\\.]+";
  private static final String QUALIFIER = ":(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+)";

  /** Invoke's {@code FunctionName} pattern as the API reference writes it (and AWS's errors). */
  static final String REFERENCE_PATTERN = ARN_PREFIX + "(" + NAME + ")(" + QUALIFIER + ")?";

  /** The same pattern, capturing the function's name and the qualifier. */
  private static final Pattern REFERENCE =
      Pattern.compile(ARN_PREFIX + "(?<name>" + NAME + ")(?<qualifier>" + QUALIFIER + ")?");

  /** The largest request of a synchronous invocation (6 MB), as the Invoke API reference says. */
  static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;

  /** The largest request of an asynchronous (Event) invocation (1 MB). */
  static final int MAX_EVENT_PAYLOAD = 1024 * 1024;

  private static final java.util.Set<String> INVOCATION_TYPES =
      java.util.Set.of("RequestResponse", "Event", "DryRun");

  private final Function<String, FunctionHost> functions;

  /** An Invoke API over the functions {@code functions} finds by name (null: not registered). */
  public InvokeApi(Function<String, FunctionHost> functions) {
    this.functions = Objects.requireNonNull(functions, "functions");
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String requestId = UUID.randomUUID().toString();
      exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
      try {
        serve(exchange, requestId);
      } catch (RuntimeException e) {
        if (exchange.getResponseCode() != -1) {
          throw e; // the answer has begun: the server closes the connection
        }
        error(
            exchange,
            500,
            "ServiceException",
            json("Type", "Service", "Message", "the local Lambda endpoint failed: " + e));
      }
    }
  }

  private void serve(HttpExchange exchange, String requestId) throws IOException {
    byte[] payload = exchange.getRequestBody().readAllBytes();
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    if (!"POST".equals(method)
        || !path.startsWith(PREFIX)
        || !path.endsWith(SUFFIX)
        || path.length() <= PREFIX.length() + SUFFIX.length()) {
      error(
          exchange,
          404,
          "UnknownOperationException",
          json(
              "Type",
              "User",
              "Message",
              "Unknown operation "
                  + method
                  + " "
                  + path
                  + ": this endpoint serves only Invoke, POST "
                  + PREFIX
                  + "{FunctionName}"
                  + SUFFIX));
      return;
    }
    String reference = path.substring(PREFIX.length(), path.length() - SUFFIX.length());
    Matcher parts = REFERENCE.matcher(reference);
    if (reference.length() > 170 || !parts.matches()) {
      invalid(
          exchange,
          reference,
          "functionName",
          reference.length() > 170
              ? "have length less than or equal to 170"
              : "satisfy regular expression pattern: " + REFERENCE_PATTERN);
      return;
    }
    String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
    if (type != null && !INVOCATION_TYPES.contains(type)) {
      invalid(
          exchange,
          type,
          "invocationType",
          "satisfy enum value set: [DryRun, RequestResponse, Event]");
      return;
    }
    int limit = "Event".equals(type) ? MAX_EVENT_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (payload.length > limit) {
      error(
          exchange,
          413,
          "RequestTooLargeException",
          json(
              "Type",
              "User",
              "message",
              "Request must be smaller than " + limit + " bytes for the InvokeFunction operation"));
      return;
    }
    String notJson = notJson(payload);
    if (notJson != null) {
      error(
          exchange,
          400,
          "InvalidRequestContentException",
          json("Type", "User", "message", "Could not parse request body into json: " + notJson));
      return;
    }
    // the qualifier (version or alias) is ignored: every function here is $LATEST
    String name = parts.group("name");
    String qualifier = parts.group("qualifier") == null ? "" : parts.group("qualifier");
    FunctionHost host = functions.apply(name);
    if (host == null) {
      error(
          exchange,
          404,
          "ResourceNotFoundException",
          json(
              "Type",
              "User",
              "Message",
              "Function not found: arn:aws:lambda:"
                  + REGION
                  + ":"
                  + ACCOUNT
                  + ":function:"
                  + name
                  + qualifier));
      return;
    }
    switch (type == null ? "RequestResponse" : type) {
      case "RequestResponse" -> answer(exchange, host.invoke(payload, requestId));
      case "Event" -> {
        host.enqueue(payload, requestId);
        send(exchange, 202, EMPTY);
      }
      case "DryRun" -> send(exchange, 204, EMPTY);
      default -> throw new IllegalStateException("invocation type " + type); // checked above
    }
  }

  /**
   * Why {@code payload} is not one JSON value (null if it is, or is empty): Lambda refuses such a
   * request with InvalidRequestContentException before it invokes anything.
   */
  static String notJson(byte[] payload) {
    if (payload.length == 0) {
      return null;
    }
    try (JsonParser parser = JSON.getFactory().createParser(payload)) {
      if (parser.nextToken() == null) {
        return null; // only white space
      }
      parser.skipChildren(); // reads (and so checks) the whole value
      JsonToken after = parser.nextToken();
      return after == null ? null : "Unexpected content after the JSON value: " + after;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** AWS's answer to a request parameter outside its constraint: 400 ValidationException. */
  private static void invalid(HttpExchange exchange, String value, String member, String rule)
      throws IOException {
    error(
        exchange,
        400,
        "ValidationException",
        json(
            "message",
            "1 validation error detected: Value '"
                + value
                + "' at '"
                + member
                + "' failed to satisfy constraint: Member must "
                + rule));
  }

  private static void answer(HttpExchange exchange, Outcome outcome) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    if (outcome instanceof Outcome.Returned returned) {
      headers.set("X-Amz-Executed-Version", "$LATEST");
      send(exchange, 200, returned.payload());
    } else if (outcome instanceof Outcome.Failed failed) {
      headers.set("X-Amz-Executed-Version", "$LATEST");
      headers.set("X-Amz-Function-Error", "Unhandled");
      send(
          exchange,
          200,
          json("errorMessage", failed.errorMessage(), "errorType", failed.errorType()));
    } else if (outcome instanceof Outcome.TimedOut timedOut) {
      headers.set("X-Amz-Executed-Version", "$LATEST");
      headers.set("X-Amz-Function-Error", "Unhandled");
      send(exchange, 200, json("errorMessage", timedOut.errorMessage()));
    } else {
      error(
          exchange,
          429,
          "TooManyRequestsException",
          json(
              "Reason",
              "ReservedFunctionConcurrentInvocationLimitExceeded",
              "Type",
              "User",
              "message",
              "Rate Exceeded."));
    }
  }

  private static void error(HttpExchange exchange, int status, String errorType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
    send(exchange, status, body);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (body.length > 0) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** A JSON object of string members, in the order given. */
  private static byte[] json(String... namesAndValues) {
    Map<String, String> members = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      members.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    try {
      return JSON.writeValueAsBytes(members);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
