package dev.tributary.local.lambda;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.local.dynamodb.LocalClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ThrottleReason;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * The local Invoke endpoint through the real AWS SDK (the Apache-based {@code LambdaClient} with
 * its retries off, so every answer is seen as sent, and once the Netty-based {@code
 * LambdaAsyncClient}), plus the raw wire for the shapes the SDK hides. Each test has its own
 * endpoint. Concurrency is arranged with latches, never with sleeps; the only timing assertion is
 * the Nagle check, with a bound of half the ~40 ms a delayed ACK would cost.
 */
class LocalLambdaIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern REQUEST_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private LocalLambda lambda;
  private LambdaClient client;
  private final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    lambda = LocalLambda.start();
    client = client(lambda);
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
    client.close();
    lambda.close();
  }

  @Test
  void aRequestResponseInvocationAnswersTheHandlersOutput() {
    lambda.register(
        "upper", () -> p -> new String(p, UTF_8).toUpperCase(Locale.ROOT).getBytes(UTF_8));

    InvokeResponse r = invoke("upper", "\"hello\"");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.payload().asUtf8String()).isEqualTo("\"HELLO\"");
    assertThat(r.functionError()).isNull();
    assertThat(r.executedVersion()).isEqualTo("$LATEST");
    assertThat(r.responseMetadata().requestId()).matches(REQUEST_ID);
    assertThat(lambda.invocations("upper")).isEqualTo(1);
    assertThat(lambda.containers("upper")).isEqualTo(1);
  }

  @Test
  void theAsyncClientInvokesToo() throws Exception {
    lambda.register(
        "upper", () -> p -> new String(p, UTF_8).toUpperCase(Locale.ROOT).getBytes(UTF_8));
    try (LambdaAsyncClient async =
        LambdaAsyncClient.builder()
            .endpointOverride(lambda.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .httpClientBuilder(NettyNioAsyncHttpClient.builder())
            .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      InvokeResponse r =
          async
              .invoke(b -> b.functionName("upper").payload(SdkBytes.fromUtf8String("\"async\"")))
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.payload().asUtf8String()).isEqualTo("\"ASYNC\"");
      assertThat(r.executedVersion()).isEqualTo("$LATEST");
    }
  }

  @Test
  void aThrowingHandlerAnswersUnhandledWithTheErrorPayloadAndKeepsItsInstance() {
    lambda.register(
        "broken",
        () ->
            p -> {
              throw new IllegalStateException("cannot handle \"" + new String(p, UTF_8) + "\"");
            });

    InvokeResponse r = invoke("broken", "1");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isEqualTo("Unhandled");
    assertThat(r.executedVersion()).isEqualTo("$LATEST");
    assertThat(r.payload().asUtf8String())
        .isEqualTo(
            "{\"errorMessage\":\"cannot handle \\\"1\\\"\","
                + "\"errorType\":\"java.lang.IllegalStateException\"}");
    assertThat(invoke("broken", "2").functionError()).isEqualTo("Unhandled");
    assertThat(lambda.containers("broken")).isEqualTo(1);
    assertThat(lambda.invocations("broken")).isEqualTo(2);
  }

  @Test
  void anUnknownFunctionIsResourceNotFound() {
    assertThatThrownBy(() -> invoke("missing", "{}"))
        .isInstanceOfSatisfying(
            ResourceNotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.awsErrorDetails().errorMessage())
                  .isEqualTo(
                      "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing");
              assertThat(e.requestId()).matches(REQUEST_ID);
            });
    assertThatThrownBy(() -> invoke("missing:live", "{}"))
        .hasMessageContaining(
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing:live");
  }

  @Test
  void aFunctionArnPartialArnOrQualifiedNameReachesTheFunction() {
    lambda.register("echo", () -> p -> p);

    for (String reference :
        List.of(
            "arn:aws:lambda:us-east-1:123456789012:function:echo",
            "arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST",
            "123456789012:function:echo",
            "echo:live")) {
      assertThat(invoke(reference, "\"" + reference + "\"").payload().asUtf8String())
          .isEqualTo("\"" + reference + "\"");
    }
    assertThat(lambda.invocations("echo")).isEqualTo(4);
  }

  @Test
  void anEventAnswers202AtOnceAndRunsTheHandlerAfterwards() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    List<String> received = new CopyOnWriteArrayList<>();
    lambda.register(
        "consumer",
        () ->
            p -> {
              release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              received.add(new String(p, UTF_8));
              finished.countDown();
              return "ignored".getBytes(UTF_8);
            });

    InvokeResponse r = invoke("consumer", "{\"event\":1}", InvocationType.EVENT);

    // the handler waits for `release`: had the endpoint waited for it, it would have finished
    assertThat(finished.getCount()).isEqualTo(1);
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.payload() == null ? 0 : r.payload().asByteArray().length).isZero();
    assertThat(r.responseMetadata().requestId()).matches(REQUEST_ID);
    release.countDown();
    assertThat(finished.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(received).containsExactly("{\"event\":1}");
    assertThat(lambda.stats("consumer").eventRetries()).isZero();
  }

  @Test
  void aFailingEventIsRetriedTwiceThenDropped() {
    List<String> attempts = new CopyOnWriteArrayList<>();
    lambda.register(
        "failing",
        () ->
            p -> {
              attempts.add(new String(p, UTF_8));
              throw new IllegalStateException("attempt " + attempts.size() + " failed");
            });

    assertThat(invoke("failing", "{\"n\":7}", InvocationType.EVENT).statusCode()).isEqualTo(202);

    await(() -> lambda.stats("failing").eventsFailed() == 1);
    assertThat(attempts).containsExactly("{\"n\":7}", "{\"n\":7}", "{\"n\":7}");
    FunctionStats stats = lambda.stats("failing");
    assertThat(stats.eventRetries()).isEqualTo(2);
    assertThat(stats.invocations()).isEqualTo(3);
    assertThat(stats.containers()).isEqualTo(1);
  }

  @Test
  void anEventThatSucceedsOnItsRetryIsNotDropped() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch succeeded = new CountDownLatch(1);
    lambda.register(
        "flaky",
        () ->
            p -> {
              if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first attempt fails");
              }
              succeeded.countDown();
              return p;
            });

    invoke("flaky", "{}", InvocationType.EVENT);

    assertThat(succeeded.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(attempts.get()).isEqualTo(2);
    assertThat(lambda.stats("flaky").eventRetries()).isEqualTo(1);
  }

  @Test
  void aDryRunAnswers204WithoutRunningTheFunction() {
    lambda.register(
        "never",
        () -> {
          throw new AssertionError("a dry run must not create an instance");
        });

    InvokeResponse r = invoke("never", "{}", InvocationType.DRY_RUN);

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(lambda.invocations("never")).isZero();
    assertThat(lambda.containers("never")).isZero();
  }

  @Test
  void overTheReservedConcurrencyASynchronousInvocationIsThrottled() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    lambda.register(
        "single",
        () ->
            p -> {
              entered.countDown();
              release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
              return p;
            },
        FunctionConfig.defaults().withReservedConcurrency(1));
    CompletableFuture<InvokeResponse> first =
        CompletableFuture.supplyAsync(() -> invoke("single", "\"first\""), callers);
    assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> invoke("single", "\"second\""))
        .isInstanceOfSatisfying(
            TooManyRequestsException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(429);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("TooManyRequestsException");
              assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate Exceeded.");
              assertThat(e.reason())
                  .isEqualTo(ThrottleReason.RESERVED_FUNCTION_CONCURRENT_INVOCATION_LIMIT_EXCEEDED);
              assertThat(e.type()).isEqualTo("User");
              assertThat(e.requestId()).matches(REQUEST_ID);
            });
    release.countDown();

    assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).payload().asUtf8String())
        .isEqualTo("\"first\"");
    assertThat(invoke("single", "\"third\"").payload().asUtf8String()).isEqualTo("\"third\"");
    FunctionStats stats = lambda.stats("single");
    assertThat(stats.throttles()).isEqualTo(1);
    assertThat(stats.invocations()).isEqualTo(2);
    assertThat(stats.containers()).isEqualTo(1);
  }

  @Test
  void aReservedConcurrencyOfZeroThrottlesEveryInvocation() {
    lambda.register(
        "off",
        () -> {
          throw new AssertionError("a function with reserved concurrency 0 must never run");
        },
        FunctionConfig.defaults().withReservedConcurrency(0));

    assertThatThrownBy(() -> invoke("off", "{}")).isInstanceOf(TooManyRequestsException.class);
    // as on AWS, an event is accepted and waits in the queue for concurrency that never comes
    assertThat(invoke("off", "{}", InvocationType.EVENT).statusCode()).isEqualTo(202);
    FunctionStats stats = lambda.stats("off");
    assertThat(stats.eventsWaiting()).isEqualTo(1);
    assertThat(stats.throttles()).isEqualTo(2);
    assertThat(stats.invocations()).isZero();
  }

  @Test
  void theWireCarriesLambdasHeadersAndErrorShapes() throws Exception {
    lambda.register("echo", () -> p -> p);
    lambda.register("off", () -> p -> p, FunctionConfig.defaults().withReservedConcurrency(0));
    HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> throttled = post(http, "off", "RequestResponse");
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("x-amzn-ErrorType"))
        .hasValue("TooManyRequestsException");
    assertThat(throttled.body())
        .isEqualTo(
            "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\","
                + "\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}");
    assertThat(throttled.headers().firstValue("x-amzn-RequestId"))
        .get()
        .asString()
        .matches(REQUEST_ID);

    HttpResponse<String> event = post(http, "echo", "Event");
    assertThat(event.statusCode()).isEqualTo(202);
    assertThat(event.body()).isEmpty();
    assertThat(event.headers().firstValue("x-amzn-RequestId")).isPresent();

    HttpResponse<String> sync = post(http, "echo", "RequestResponse");
    assertThat(sync.statusCode()).isEqualTo(200);
    assertThat(sync.headers().firstValue("X-Amz-Executed-Version")).hasValue("$LATEST");
    assertThat(sync.headers().firstValue("x-amzn-RequestId")).isPresent();
    assertThat(sync.body()).isEqualTo("{\"echo\":true}");

    HttpResponse<String> badType = post(http, "echo", "Sometimes");
    assertThat(badType.statusCode()).isEqualTo(400);
    assertThat(badType.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
    assertThat(badType.body())
        .contains("Value 'Sometimes' at 'invocationType' failed to satisfy constraint")
        .contains("[DryRun, RequestResponse, Event]");

    HttpResponse<String> unknownOperation =
        http.send(
            HttpRequest.newBuilder(lambda.endpoint().resolve("/2015-03-31/functions"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unknownOperation.statusCode()).isEqualTo(404);
    assertThat(unknownOperation.headers().firstValue("x-amzn-ErrorType"))
        .hasValue("UnknownOperationException");
  }

  @Test
  void aTimedOutInvocationAnswersUnhandledAndItsInstanceIsNeverReused() throws Exception {
    AtomicInteger made = new AtomicInteger();
    CountDownLatch interrupted = new CountDownLatch(1);
    lambda.register(
        "slow-first",
        () -> {
          int n = made.incrementAndGet();
          return p -> {
            if (n == 1) {
              try {
                Thread.sleep(WAIT.toMillis() * 2);
              } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
              }
            }
            return ("\"instance " + n + "\"").getBytes(UTF_8);
          };
        },
        // the first call sleeps far longer; the second (a new instance) must finish within it
        FunctionConfig.defaults().withTimeout(Duration.ofSeconds(3)));

    InvokeResponse r = invoke("slow-first", "{}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isEqualTo("Unhandled");
    String requestId = r.responseMetadata().requestId();
    assertThat(r.payload().asUtf8String())
        .matches(
            "\\{\"errorMessage\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
                + Pattern.quote(requestId)
                + " Task timed out after \\d+\\.\\d\\d seconds\"}");
    assertThat(interrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    assertThat(invoke("slow-first", "{}").payload().asUtf8String()).isEqualTo("\"instance 2\"");
    FunctionStats stats = lambda.stats("slow-first");
    assertThat(stats.containers()).isEqualTo(2);
    assertThat(stats.timeouts()).isEqualTo(1);
    assertThat(stats.invocations()).isEqualTo(2);
  }

  @Test
  void concurrentInvocationsRunInSeparateInstancesThatAreThenReused() throws Exception {
    int concurrency = 3;
    AtomicInteger made = new AtomicInteger();
    CountDownLatch allIn = new CountDownLatch(concurrency);
    lambda.register(
        "parallel",
        () -> {
          int n = made.incrementAndGet();
          return p -> {
            allIn.countDown();
            // returns only once all calls run at once: a serializing endpoint would stall here
            allIn.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            return String.valueOf(n).getBytes(UTF_8);
          };
        });
    List<CompletableFuture<InvokeResponse>> calls = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> invoke("parallel", "{}"), callers));
    }
    List<String> instances = new ArrayList<>();
    for (CompletableFuture<InvokeResponse> call : calls) {
      instances.add(call.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS).payload().asUtf8String());
    }

    assertThat(allIn.getCount()).isZero();
    assertThat(instances).containsExactlyInAnyOrder("1", "2", "3");
    assertThat(invoke("parallel", "{}").payload().asUtf8String()).isIn("1", "2", "3");
    assertThat(lambda.containers("parallel")).isEqualTo(concurrency);
  }

  @Test
  void withNagleOffSmallSequentialInvocationsDoNotWaitForDelayedAcks() {
    lambda.register("echo", () -> p -> p);
    for (int i = 0; i < 20; i++) {
      invoke("echo", "{}"); // warm up the client, the connection and the JIT
    }
    int n = 200;
    double[] millis = new double[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      invoke("echo", "{\"i\":" + i + "}");
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    double medianMillis = (millis[n / 2 - 1] + millis[n / 2]) / 2;
    System.out.printf(
        Locale.ROOT,
        "LocalLambdaIT: %d sequential invocations through LambdaClient (Apache), %s=%s:"
            + " median %.2f ms, average %.2f ms%n",
        n,
        LocalLambda.NODELAY_PROPERTY,
        System.getProperty(LocalLambda.NODELAY_PROPERTY),
        medianMillis,
        Arrays.stream(millis).average().orElseThrow());

    // with Nagle on, each answer's body waits for the client's delayed ACK: about 40 ms per call,
    // so the median catches it; unlike the mean, a few calls stalled by a loaded machine do not
    assertThat(medianMillis)
        .as(
            "median milliseconds per invocation; with Nagle on (%s=false) it is about 40",
            LocalLambda.NODELAY_PROPERTY)
        .isLessThan(20);
  }

  @Test
  void closeFreesThePortAndEndsItsThreads() throws Exception {
    LocalLambda other = LocalLambda.start();
    int port = other.endpoint().getPort();
    CountDownLatch running = new CountDownLatch(1);
    try (LambdaClient otherClient = client(other)) {
      other.register("echo", () -> p -> p);
      other.register(
          "sleeper",
          () ->
              p -> {
                running.countDown();
                Thread.sleep(WAIT.toMillis() * 2);
                return p;
              });
      other.register("off", () -> p -> p, FunctionConfig.defaults().withReservedConcurrency(0));
      assertThat(otherClient.invoke(b -> b.functionName("echo")).statusCode()).isEqualTo(200);
      otherClient.invoke(b -> b.functionName("sleeper").invocationType(InvocationType.EVENT));
      otherClient.invoke(b -> b.functionName("off").invocationType(InvocationType.EVENT));
      assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
    String prefix = "local-lambda-" + port;
    assertThat(threadsNamed(prefix)).isNotEmpty();

    other.close();

    try (ServerSocket rebind = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(rebind.getLocalPort()).isEqualTo(port);
    }
    assertThat(threadsNamed(prefix)).isEmpty();
  }

  @Test
  void registerRejectsANameLambdaWouldRefuse() {
    assertThatThrownBy(() -> lambda.register("my function", () -> p -> p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'my function'")
        .hasMessageContaining("1 to 64 letters, digits, '-' or '_'");
  }

  private static List<String> threadsNamed(String prefix) {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (t.isAlive() && (name.startsWith(prefix + "-") || name.startsWith(prefix + " "))) {
        names.add(name);
      }
    }
    return names;
  }

  private HttpResponse<String> post(HttpClient http, String function, String invocationType)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(
                lambda.endpoint().resolve("/2015-03-31/functions/" + function + "/invocations"))
            .header("X-Amz-Invocation-Type", invocationType)
            .POST(HttpRequest.BodyPublishers.ofString("{\"echo\":true}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private InvokeResponse invoke(String function, String payload) {
    return invoke(function, payload, InvocationType.REQUEST_RESPONSE);
  }

  private InvokeResponse invoke(String function, String payload, InvocationType type) {
    return client.invoke(
        b ->
            b.functionName(function)
                .invocationType(type)
                .payload(SdkBytes.fromString(payload, UTF_8)));
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + WAIT);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
  }

  private static LambdaClient client(LocalLambda lambda) {
    return LocalClients.lambda(lambda.endpoint());
  }
}
