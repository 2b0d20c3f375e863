package dev.tributary.local.dynamodb.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.ops.Engine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The DynamoDB JSON 1.0 protocol over HTTP on 127.0.0.1: {@code POST /} with {@code X-Amz-Target:
 * DynamoDB_20120810.<Operation>}, JSON in and out, {@code x-amz-crc32} on every response.
 * Signatures are accepted unchecked (local use). {@code GET} on any path answers a health text;
 * other methods get 404.
 *
 * <p>The HTTP/1.1 layer is our own ({@link HttpConnection}), built for loopback latency: one thread
 * accepts connections, and each connection is served from start to end by one pooled thread that
 * reads a request, runs it and writes the whole answer (status line, headers and body) in one write
 * with Nagle's algorithm off. No request is handed from one thread to another, which on a small
 * virtual machine costs tens of microseconds per hand-off. Connections idle for {@value
 * #IDLE_SECONDS} seconds are closed, as the JDK's HTTP server did.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String TARGET_PREFIX = "DynamoDB_20120810.";

  /** Request bodies above this size are refused with 413. */
  static final int MAX_BODY = 16 * 1024 * 1024;

  static final int IDLE_SECONDS = 30;

  private static final byte[] HEALTHY = "healthy: dynamodb.local ".getBytes(StandardCharsets.UTF_8);

  /** Decides what happens around each request: faults, persistence. */
  public interface Interceptor {
    /**
     * Runs {@code call} for a request; may fail it, delay it, or ask to drop the response by
     * returning null.
     */
    JsonNode around(String operation, ObjectNode body, Supplier<JsonNode> call);
  }

  private final Engine engine;
  private final Interceptor interceptor;
  private final ServerSocket server;
  private final ThreadPoolExecutor workers;
  private final Thread acceptor;
  private final Thread reaper;
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private final RequestIds requestIds = new RequestIds();
  private volatile boolean closed;

  /** Binds to 127.0.0.1:{@code port} (0 for any free port) and starts serving. */
  public HttpEndpoint(int port, Engine engine, Interceptor interceptor) throws IOException {
    this.engine = engine;
    this.interceptor = interceptor;
    ServerSocket socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    this.server = socket;
    AtomicInteger threads = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> daemon(r, "dynamodb-local-" + port() + "-" + threads.incrementAndGet()));
    this.acceptor = daemon(this::accept, "dynamodb-local-" + port() + "-accept");
    this.reaper = daemon(this::reapIdle, "dynamodb-local-" + port() + "-idle");
    acceptor.start();
    reaper.start();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The bound port. */
  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // e.g. too many open files: keep serving the connections we have, and retry shortly
        try {
          Thread.sleep(10);
        } catch (InterruptedException interrupted) {
          return;
        }
        continue;
      }
      HttpConnection connection;
      try {
        socket.setTcpNoDelay(true);
        connection = new HttpConnection(socket, this);
      } catch (IOException e) {
        closeQuietly(socket);
        continue;
      }
      connections.add(connection);
      if (closed) {
        connection.close();
        return;
      }
      try {
        workers.execute(connection);
      } catch (RejectedExecutionException e) {
        connection.close();
      }
    }
  }

  /** Closes connections that waited for a request longer than {@value #IDLE_SECONDS} s. */
  private void reapIdle() {
    long limit = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
    while (!closed) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (HttpConnection c : connections) {
        if (c.idleFor(now) > limit) {
          c.close();
        }
      }
    }
  }

  /** Called by a connection when it ends. */
  void ended(HttpConnection connection) {
    connections.remove(connection);
  }

  /** The id of the next response. */
  RequestIds requestIds() {
    return requestIds;
  }

  /**
   * Answers one request on {@code connection}: a health text for GET, 404 for other methods than
   * POST, and the DynamoDB operation named by {@code target} for POST, its JSON body being {@code
   * length} bytes of {@code body} from {@code offset}.
   */
  void serve(
      HttpConnection connection, String method, String target, byte[] body, int offset, int length)
      throws IOException {
    if (!method.equals("POST")) {
      if (method.equals("GET")) {
        connection.send(200, HttpConnection.TEXT, HEALTHY);
      } else {
        connection.send(404, HttpConnection.TEXT, null);
      }
      return;
    }
    JsonNode response;
    try {
      if (target == null || !target.startsWith(TARGET_PREFIX)) {
        error(connection, new DynamoException("UnknownOperationException", 400, null));
        return;
      }
      String operation = target.substring(TARGET_PREFIX.length());
      ObjectNode request;
      try {
        JsonNode parsed =
            length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body, offset, length);
        if (!(parsed instanceof ObjectNode object)) {
          // reported as an internal error, as the endpoint always has
          throw new DynamoException(
              "SerializationException", 400, "Start of list found where not expected");
        }
        request = object;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        error(
            connection,
            new DynamoException(
                "SerializationException", 400, "Invalid JSON: " + e.getOriginalMessage()));
        return;
      }
      try {
        response = interceptor.around(operation, request, () -> engine.execute(operation, request));
      } catch (DynamoException e) {
        error(connection, e);
        return;
      }
      if (response == null) {
        // apply-then-drop: the work is done, the client gets no answer
        connection.drop();
        return;
      }
      connection.sendJson(200, response, MAPPER);
    } catch (RuntimeException e) {
      error(
          connection,
          new DynamoException("InternalServerError", 500, "Internal server error: " + e));
    }
  }

  private static void error(HttpConnection connection, DynamoException e) throws IOException {
    connection.sendJson(e.status(), Engine.errorBody(e), MAPPER);
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops serving, frees the port and ends every connection and thread. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // the port is released either way
    }
    for (HttpConnection c : connections) {
      c.close();
    }
    reaper.interrupt();
    workers.shutdownNow();
    try {
      acceptor.join(5_000);
      workers.awaitTermination(5, TimeUnit.SECONDS);
      reaper.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
