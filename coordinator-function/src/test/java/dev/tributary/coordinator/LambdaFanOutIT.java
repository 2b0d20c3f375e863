package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.execution.InMemoryRunner;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.local.lambda.LocalLambda;
import dev.tributary.operator.Functions;
import dev.tributary.operator.OperatorHandler;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;

/**
 * The coordinator reaching the operator function through the real {@link LambdaAsyncClient}, over
 * the local runtime's Lambda Invoke endpoint running {@link OperatorHandler}.
 */
class LambdaFanOutIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static LambdaAsyncClient lambda(LocalLambda endpoint) {
    return LambdaAsyncClient.builder()
        .endpointOverride(endpoint.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
  }

  @Test
  void aBatchFansOutToTheOperatorFunctionThroughLambdaInvoke() throws Exception {
    // the first invocation waits for a second one, so two are in flight at once however the
    // machine schedules them: the slots' calls are concurrent and run in separate instances (the
    // wait stays below the async client's 30 s read timeout)
    CountDownLatch twoInFlight = new CountDownLatch(2);
    try (Fixture f = new Fixture(local, new Jobs.WordCounts(), RuntimeSettings.FAN_OUT, "lambda");
        LocalLambda endpoint =
            operator(
                f,
                payload -> {
                  twoInFlight.countDown();
                  twoInFlight.await(20, TimeUnit.SECONDS);
                });
        LambdaInvoker invoker = new LambdaInvoker(lambda(endpoint), "word-counts-operator", true)) {
      Coordinator coordinator =
          new CoordinatorRuntime(f.settings, f.dynamo, invoker, f.invoker, f.clock).coordinator();
      List<SourceRecord> records = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String line = "a" + (i % 5) + " b" + (i % 4) + " c" + (i % 9);
        lines.add(line);
        records.add(Fixture.text(i, line));
      }
      Coordinator.Outcome outcome = coordinator.process(null, "s/shard-0", records);
      assertThat(outcome.firstUncommitted()).isEqualTo(-1);
      assertThat(endpoint.invocations("word-counts-operator"))
          .isEqualTo(outcome.responses().size())
          .isPositive();
      assertThat(twoInFlight.getCount()).as("invocations in flight at once").isZero();
      assertThat(endpoint.containers("word-counts-operator")).isGreaterThan(1);
      assertCommittedTheReference(f, lines);
    }
  }

  /** What a test does with a request before the operator handles it. */
  @FunctionalInterface
  private interface BeforeHandling {
    void accept(byte[] payload) throws Exception;
  }

  /**
   * A local Lambda endpoint serving the word-count job's operator function, each of its instances
   * running {@code before} on a request first.
   */
  private static LocalLambda operator(Fixture f, BeforeHandling before) {
    return LocalLambda.start()
        .register(
            "word-counts-operator",
            () -> {
              OperatorHandler handler =
                  new OperatorHandler(Functions.slotExecutor(f.settings, f.dynamo));
              return payload -> {
                before.accept(payload);
                return handler.handle(payload);
              };
            });
  }

  /** The committed word counts equal the in-memory reference run's over {@code lines}. */
  private static void assertCommittedTheReference(Fixture f, List<String> lines) {
    List<String> expected = new ArrayList<>();
    InMemoryRunner.forJob(new Jobs.WordCounts())
        .bind("lines", lines.iterator())
        .run()
        .sink("counts")
        .forEach(o -> expected.add((String) o));
    expected.sort(null);
    List<String> committed = new ArrayList<>(f.outbox("counts"));
    committed.sort(null);
    assertThat(committed).isEqualTo(expected);
  }

  @Test
  void aFunctionErrorFailsTheCallWithTheOperatorsMessage() throws Exception {
    try (Fixture f = new Fixture(local, new Jobs.WordCounts());
        LocalLambda endpoint =
            LocalLambda.start()
                .register(
                    "broken",
                    () ->
                        payload -> {
                          throw new IllegalStateException("operator exploded");
                        });
        LambdaInvoker invoker = new LambdaInvoker(lambda(endpoint), "broken", true)) {
      OperatorRequest tick = OperatorRequest.tick("word-counts", 0, 1, 0, 0);
      assertThatThrownBy(() -> invoker.invoke(tick).join())
          .hasCauseInstanceOf(LambdaInvoker.OperatorFailedException.class)
          .hasMessageContaining("operator exploded")
          .hasMessageContaining("Unhandled");
    }
  }

  @Test
  void aBatchOverThePayloadLimitReachesTheOperatorInSeveralInvocationsInOrder() throws Exception {
    java.util.Map<Integer, List<Integer>> firstSequences =
        new java.util.concurrent.ConcurrentHashMap<>();
    try (Fixture f = new Fixture(local, new Jobs.WordCounts(), RuntimeSettings.FAN_OUT, "lambda");
        LocalLambda endpoint =
            operator(
                f,
                payload -> {
                  OperatorRequest request = Protocol.readRequest(payload);
                  assertThat(payload.length).isLessThanOrEqualTo(2_000);
                  firstSequences
                      .computeIfAbsent(
                          request.slot(), s -> new java.util.concurrent.CopyOnWriteArrayList<>())
                      .add(Integer.parseInt(request.records().get(0).sequence()));
                });
        LambdaInvoker invoker =
            new LambdaInvoker(lambda(endpoint), "word-counts-operator", true, 2_000, null)) {
      Coordinator coordinator =
          new CoordinatorRuntime(f.settings, f.dynamo, invoker, f.invoker, f.clock).coordinator();
      List<SourceRecord> records = new ArrayList<>();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String line = "word" + (i % 7);
        lines.add(line);
        records.add(Fixture.text(i, line));
      }
      Coordinator.Outcome outcome = coordinator.process(null, "s/shard-0", records);
      assertThat(outcome.firstUncommitted()).isEqualTo(-1);
      // each slot's records were cut into several requests, each sent after the previous one
      assertThat(firstSequences.values().stream().mapToInt(List::size).sum())
          .isGreaterThan(firstSequences.size());
      firstSequences.values().forEach(firsts -> assertThat(firsts).isSorted());
      assertCommittedTheReference(f, lines);
    }
  }

  @Test
  void aRequestOverTheInvokeLimitIsCutIntoRequestsSentInOrder() {
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(
          new SourceRecord(Integer.toString(i), 0, 0, new byte[10_000], java.util.Map.of()));
    }
    List<Integer> counts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      counts.add(1_000_000_000 + i); // the widest count the cut allows for
    }
    OperatorRequest big =
        new OperatorRequest(Protocol.VERSION, "j", "s", "x", 0, 1, 0, 0, 0, records, counts);
    List<OperatorRequest> parts = LambdaInvoker.cut(big, 200_000);
    assertThat(parts).hasSizeGreaterThan(5);
    List<Integer> order = new ArrayList<>();
    List<Integer> partCounts = new ArrayList<>();
    for (OperatorRequest p : parts) {
      assertThat(Protocol.write(p).length).isLessThanOrEqualTo(200_000);
      p.records().forEach(r -> order.add(Integer.parseInt(r.sequence())));
      partCounts.addAll(Protocol.readRequest(Protocol.write(p)).keyed());
    }
    assertThat(order).hasSize(100).isSorted().startsWith(0).endsWith(99);
    assertThat(partCounts).as("each part carries its records' counts").isEqualTo(counts);
    assertThatThrownBy(() -> LambdaInvoker.cut(big, 5_000))
        .hasMessageContaining("more than one operator request holds");
  }

  @Test
  void aSlotWithARecordTooLargeForALambdaRequestRunsInProcess() {
    OperatorRequest request =
        new OperatorRequest(
            Protocol.VERSION,
            "j",
            "s",
            "x",
            0,
            1,
            0,
            0,
            0,
            List.of(new SourceRecord("7", 0, 0, new byte[20_000], java.util.Map.of())));
    List<OperatorRequest> inProcess = new ArrayList<>();
    OperatorResponse answer =
        new OperatorResponse(
            Protocol.VERSION,
            OperatorResponse.Status.COMMITTED,
            "x",
            0,
            "7:0",
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            null,
            0,
            null,
            0);
    LambdaInvoker invoker =
        new LambdaInvoker(
            null,
            "operator",
            false,
            5_000,
            r -> {
              inProcess.add(r);
              return java.util.concurrent.CompletableFuture.completedFuture(answer);
            });
    assertThat(invoker.invoke(request).join()).isSameAs(answer);
    assertThat(inProcess).containsExactly(request);
    assertThatThrownBy(
            () -> new LambdaInvoker(null, "operator", false, 5_000, null).invoke(request))
        .hasMessageContaining("more than one operator request holds");
  }
}
