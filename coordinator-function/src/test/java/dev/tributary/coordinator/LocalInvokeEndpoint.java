package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal Lambda Invoke endpoint for tests (POST /2015-03-31/functions/{name}/invocations, the
 * RequestResponse type): runs one stream handler and answers its output, or a function error the
 * way Lambda does (status 200, header X-Amz-Function-Error: Unhandled, error JSON payload). Like
 * Lambda, each concurrent invocation gets its own handler instance (one per server thread).
 */
final class LocalInvokeEndpoint implements AutoCloseable {
  private final HttpServer server;
  final AtomicInteger invocations = new AtomicInteger();

  LocalInvokeEndpoint(String function, java.util.function.Supplier<RequestStreamHandler> handlers)
      throws IOException {
    ThreadLocal<RequestStreamHandler> containers = ThreadLocal.withInitial(handlers);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/2015-03-31/functions/" + function + "/invocations",
        exchange -> {
          invocations.incrementAndGet();
          byte[] request = exchange.getRequestBody().readAllBytes();
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          byte[] body;
          try {
            containers.get().handleRequest(new ByteArrayInputStream(request), out, null);
            body = out.toByteArray();
          } catch (RuntimeException | IOException e) {
            exchange.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
            body =
                ("{\"errorMessage\":\""
                        + String.valueOf(e.getMessage()).replace("\"", "'")
                        + "\",\"errorType\":\""
                        + e.getClass().getName()
                        + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.getResponseHeaders().add("X-Amz-Executed-Version", "$LATEST");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
          }
        });
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
