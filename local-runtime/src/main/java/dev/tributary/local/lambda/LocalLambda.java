package dev.tributary.local.lambda;

import com.sun.net.httpserver.HttpServer;
import dev.tributary.local.lambda.internal.FunctionHost;
import dev.tributary.local.lambda.internal.InvokeApi;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A local endpoint of the Lambda Invoke API ({@code POST
 * /2015-03-31/functions/{FunctionName}/invocations}) for the AWS SDK's {@code LambdaClient} and
 * {@code LambdaAsyncClient}, so that the local stack calls its functions through the same API, and
 * meets the same answers, as on AWS. Functions are registered by name with a factory of handler
 * instances and a {@link FunctionConfig}; like Lambda, each concurrent invocation runs in its own
 * instance ("container"), reused when free.
 *
 * <ul>
 *   <li>{@code RequestResponse} answers the handler's output (200, {@code X-Amz-Executed-Version:
 *       $LATEST}); a handler that throws answers 200 with {@code X-Amz-Function-Error: Unhandled}
 *       and {@code {"errorMessage","errorType"}}.
 *   <li>{@code Event} answers 202 at once; the event waits for a free instance and is tried up to
 *       twice more if it fails ({@link #stats(String)} counts the retries). {@code DryRun} answers
 *       204 without running anything.
 *   <li>The reserved concurrency caps the running instances: a synchronous invocation over it
 *       answers 429 {@code TooManyRequestsException} (reason {@code
 *       ReservedFunctionConcurrentInvocationLimitExceeded}); 0 throttles every invocation.
 *   <li>An invocation past the timeout answers {@code Unhandled} with Lambda's {@code "... Task
 *       timed out after N.NN seconds"}; its thread is interrupted and its instance never reused.
 *   <li>An unknown function answers 404 {@code ResourceNotFoundException}; a name, a partial ARN or
 *       an ARN (with or without a qualifier, which is ignored) all reach the function.
 * </ul>
 *
 * <p>It runs on the JDK's {@code HttpServer}, bound to 127.0.0.1, with Nagle's algorithm off: the
 * server writes headers and body separately, and with Nagle on the body would wait for the client's
 * delayed ACK, about 40 ms per invocation. Loading this class sets {@code
 * sun.net.httpserver.nodelay=true} unless it is set already; the JDK reads it once, when it creates
 * its first {@code HttpServer}, so a program that starts another JDK {@code HttpServer} before this
 * class loads must pass {@code -Dsun.net.httpserver.nodelay=true} itself.
 *
 * <pre>{@code
 * try (LocalLambda lambda = LocalLambda.start()) {
 *   lambda.register("operator", () -> payload -> handle(payload),
 *       FunctionConfig.defaults().withReservedConcurrency(8).withTimeout(Duration.ofMinutes(1)));
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

  /** The system property that turns Nagle's algorithm off in the JDK's HTTP server. */
  public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  static {
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }

  private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** How long {@link #close()} waits for running functions to stop after interrupting them. */
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final HttpServer server;
  private final String threadPrefix;
  private final ExecutorService threads;
  private final ScheduledExecutorService scheduler;
  private final Set<Thread> started = ConcurrentHashMap.newKeySet();
  private final Map<String, FunctionHost> functions = new ConcurrentHashMap<>();

  private LocalLambda(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    threadPrefix = "local-lambda-" + server.getAddress().getPort();
    AtomicInteger count = new AtomicInteger();
    threads =
        Executors.newCachedThreadPool(r -> daemon(r, threadPrefix + "-" + count.incrementAndGet()));
    scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> daemon(r, threadPrefix + "-retries"));
    server.setExecutor(threads);
    server.createContext("/", new InvokeApi(functions::get));
    server.start();
  }

  private Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    started.removeIf(old -> old.getState() == Thread.State.TERMINATED);
    started.add(t);
    return t;
  }

  /** Starts an endpoint on a free port of 127.0.0.1. */
  public static LocalLambda start() {
    try {
      return new LocalLambda(0);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start the local Lambda endpoint on 127.0.0.1 (any free port): " + e, e);
    }
  }

  /** The endpoint for {@code LambdaClient.builder().endpointOverride(...)}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Registers (or replaces) function {@code name} with {@link FunctionConfig#defaults()}: no
   * concurrency limit, a 900 s timeout. {@code instances} makes its containers.
   */
  public LocalLambda register(String name, Supplier<Function> instances) {
    return register(name, instances, FunctionConfig.defaults());
  }

  /**
   * Registers (or replaces) function {@code name}, whose containers {@code instances} makes, with
   * {@code config}'s reserved concurrency and timeout. Invocations running in a replaced function
   * finish there; its events still waiting (say, while its reserved concurrency was 0) and their
   * retries move to the new one; its statistics start again from zero.
   */
  public LocalLambda register(String name, Supplier<Function> instances, FunctionConfig config) {
    Objects.requireNonNull(name, "name");
    if (!FUNCTION_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "function name '"
              + name
              + "' is not a Lambda function name: use 1 to 64 letters, digits, '-' or '_' (the"
              + " Invoke API also accepts the function's ARN; register the name at its end)");
    }
    Objects.requireNonNull(instances, "instances");
    Objects.requireNonNull(config, "config");
    FunctionHost host = new FunctionHost(name, instances, config, threads, scheduler, threadPrefix);
    FunctionHost replaced = functions.put(name, host);
    if (replaced != null) {
      replaced.handOverTo(host);
    }
    return this;
  }

  /** How many times {@code name} ran (each attempt of an event counts). */
  public int invocations(String name) {
    return stats(name).invocations();
  }

  /** How many instances of {@code name} were created (its concurrency so far, plus discards). */
  public int containers(String name) {
    return stats(name).containers();
  }

  /** What the endpoint did for function {@code name}; {@link FunctionStats#NONE} if unknown. */
  public FunctionStats stats(String name) {
    FunctionHost host = functions.get(name);
    return host == null ? FunctionStats.NONE : host.stats();
  }

  /**
   * Stops the server (its port is free when this returns), drops waiting events and interrupts
   * running functions, then waits up to 10 s in all for the endpoint's threads to end. A function
   * that ignores interrupts may outlive the wait; its (daemon) thread does not keep the JVM alive.
   */
  @Override
  public void close() {
    server.stop(0);
    scheduler.shutdownNow();
    threads.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
    try {
      for (Thread t : started) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
