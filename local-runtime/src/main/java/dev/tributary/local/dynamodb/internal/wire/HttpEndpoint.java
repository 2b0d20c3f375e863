package dev.tributary.local.dynamodb.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.ops.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * The DynamoDB JSON 1.0 protocol over HTTP on 127.0.0.1: {@code POST /} with {@code X-Amz-Target:
 * DynamoDB_20120810.<Operation>}, JSON in and out, {@code x-amz-crc32} on every response.
 * Signatures are accepted unchecked (local use). Nagle's algorithm is off, or each request would
 * wait ~40 ms.
 */
public final class HttpEndpoint implements AutoCloseable {
  static {
    // read by the JDK server when its first instance starts
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String TARGET_PREFIX = "DynamoDB_20120810.";
  private static final int MAX_BODY = 16 * 1024 * 1024;

  /** Decides what happens around each request: faults, persistence. */
  public interface Interceptor {
    /**
     * Runs {@code call} for a request; may fail it, delay it, or ask to drop the response by
     * returning null.
     */
    JsonNode around(String operation, ObjectNode body, java.util.function.Supplier<JsonNode> call);
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Engine engine;
  private final Interceptor interceptor;

  /** Binds to 127.0.0.1:{@code port} (0 for any free port) and starts serving. */
  public HttpEndpoint(int port, Engine engine, Interceptor interceptor) throws IOException {
    this.engine = engine;
    this.interceptor = interceptor;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            32,
            r -> {
              Thread t = new Thread(r, "dynamodb-local-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      if (!exchange.getRequestMethod().equals("POST")) {
        if (exchange.getRequestMethod().equals("GET")) {
          send(
              exchange,
              200,
              "healthy: dynamodb.local ".getBytes(StandardCharsets.UTF_8),
              "text/plain");
        } else {
          send(exchange, 404, new byte[0], "text/plain");
        }
        return;
      }
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      byte[] raw;
      try (InputStream in = exchange.getRequestBody()) {
        raw = in.readNBytes(MAX_BODY + 1);
      }
      if (raw.length > MAX_BODY) {
        send(exchange, 413, new byte[0], "text/plain");
        return;
      }
      if (target == null || !target.startsWith(TARGET_PREFIX)) {
        error(exchange, new DynamoException("UnknownOperationException", 400, null));
        return;
      }
      String operation = target.substring(TARGET_PREFIX.length());
      ObjectNode body;
      try {
        JsonNode parsed = raw.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(raw);
        if (!(parsed instanceof ObjectNode object)) {
          throw new DynamoException(
              "SerializationException", 400, "Start of list found where not expected");
        }
        body = object;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error(
            exchange,
            new DynamoException(
                "SerializationException", 400, "Invalid JSON: " + e.getOriginalMessage()));
        return;
      }
      JsonNode response;
      try {
        response = interceptor.around(operation, body, () -> engine.execute(operation, body));
      } catch (DynamoException e) {
        error(exchange, e);
        return;
      }
      if (response == null) {
        // apply-then-drop: the work is done, the client gets no answer
        exchange.close();
        return;
      }
      send(exchange, 200, MAPPER.writeValueAsBytes(response), "application/x-amz-json-1.0");
    } catch (RuntimeException e) {
      error(
          exchange, new DynamoException("InternalServerError", 500, "Internal server error: " + e));
    } finally {
      exchange.close();
    }
  }

  private void error(HttpExchange exchange, DynamoException e) throws IOException {
    send(
        exchange,
        e.status(),
        MAPPER.writeValueAsBytes(Engine.errorBody(e)),
        "application/x-amz-json-1.0");
  }

  private static void send(HttpExchange exchange, int status, byte[] body, String contentType)
      throws IOException {
    CRC32 crc = new CRC32();
    crc.update(body);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("x-amz-crc32", Long.toString(crc.getValue()));
    exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops serving and frees the port. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
