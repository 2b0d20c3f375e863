package dev.tributary.local.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A local endpoint of the Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations})
 * for the AWS SDK's Lambda client: functions are registered by name with a factory of handler
 * instances; like Lambda, each concurrent invocation runs in its own instance ("container"), reused
 * when free. RequestResponse invocations answer the handler's output; a handler that throws answers
 * as Lambda does (status 200, header {@code X-Amz-Function-Error: Unhandled}, an error JSON
 * payload). Binds to 127.0.0.1.
 *
 * <pre>{@code
 * try (LocalLambda lambda = LocalLambda.start()) {
 *   lambda.register("operator", () -> payload -> handle(payload));
 *   LambdaClient client = LambdaClient.builder().endpointOverride(lambda.endpoint())...
 * }
 * }</pre>
 */
public final class LocalLambda implements AutoCloseable {
  /** One function instance: bytes in, bytes out. */
  @FunctionalInterface
  public interface Function {
    /** Handles one invocation's payload. */
    byte[] invoke(byte[] payload) throws Exception;
  }

  private static final String PREFIX = "/2015-03-31/functions/";

  private final HttpServer server;
  private final ExecutorService threads;
  private final Map<String, Supplier<Function>> factories = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedDeque<Function>> idle = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> containers = new ConcurrentHashMap<>();

  private LocalLambda(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "local-lambda");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts an endpoint on a free port. */
  public static LocalLambda start() {
    try {
      return new LocalLambda(0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the local Lambda endpoint on 127.0.0.1", e);
    }
  }

  /** The endpoint for {@code LambdaClient.builder().endpointOverride(...)}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Registers (or replaces) function {@code name}; {@code instances} makes its containers. */
  public LocalLambda register(String name, Supplier<Function> instances) {
    factories.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(instances));
    idle.put(name, new ConcurrentLinkedDeque<>());
    invocations.put(name, new AtomicInteger());
    containers.put(name, new AtomicInteger());
    return this;
  }

  /** How many times {@code name} was invoked. */
  public int invocations(String name) {
    AtomicInteger n = invocations.get(name);
    return n == null ? 0 : n.get();
  }

  /** How many instances of {@code name} were created (its concurrency so far). */
  public int containers(String name) {
    AtomicInteger n = containers.get(name);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      byte[] request = exchange.getRequestBody().readAllBytes();
      if (!exchange.getRequestMethod().equals("POST")
          || !path.startsWith(PREFIX)
          || !path.endsWith("/invocations")) {
        answer(exchange, 404, error("UnknownOperationException", "Unknown operation " + path));
        return;
      }
      String name = path.substring(PREFIX.length(), path.length() - "/invocations".length());
      name = name.substring(name.lastIndexOf(':') + 1); // an ARN names the function last
      Supplier<Function> factory = factories.get(name);
      if (factory == null) {
        answer(
            exchange,
            404,
            error(
                "ResourceNotFoundException",
                "Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + name));
        return;
      }
      invocations.get(name).incrementAndGet();
      Function instance = idle.get(name).pollFirst();
      if (instance == null) {
        instance = factory.get();
        containers.get(name).incrementAndGet();
      }
      byte[] response;
      boolean failed = false;
      try {
        response = instance.invoke(request);
      } catch (Exception e) {
        failed = true;
        response = error(e.getClass().getName(), String.valueOf(e.getMessage()));
      } finally {
        idle.get(name).offerFirst(instance);
      }
      if (failed) {
        exchange.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
      }
      String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
      if ("Event".equals(type)) {
        answer(exchange, 202, new byte[0]);
        return;
      }
      exchange.getResponseHeaders().add("X-Amz-Executed-Version", "$LATEST");
      answer(exchange, 200, response);
    }
  }

  private static byte[] error(String type, String message) {
    return ("{\"errorMessage\":\"" + escape(message) + "\",\"errorType\":\"" + escape(type) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
