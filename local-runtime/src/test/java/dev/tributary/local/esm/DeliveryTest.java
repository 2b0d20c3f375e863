package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryTest {
  private final List<List<Integer>> invoked = new ArrayList<>();
  private final List<List<Integer>> givenUp = new ArrayList<>();

  private Delivery<Integer> delivery(MappingSettings s, Delivery.Invoker<Integer> invoker) {
    return new Delivery<>(
        s,
        batch -> {
          invoked.add(List.copyOf(batch));
          return invoker.invoke(batch);
        },
        (batch, cause, reason, attempts) -> givenUp.add(List.copyOf(batch)),
        r -> 0L,
        () -> 0L);
  }

  private static List<Integer> records(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void aSuccessfulBatchIsInvokedOnce() {
    delivery(MappingSettings.defaults("f"), b -> new Delivery.Success()).deliver(records(5));
    assertThat(invoked).containsExactly(records(5));
    assertThat(givenUp).isEmpty();
  }

  @Test
  void aPartialFailureRetriesFromTheReportedRecord() {
    AtomicInteger calls = new AtomicInteger();
    delivery(
            MappingSettings.defaults("f"),
            b ->
                calls.incrementAndGet() == 1
                    ? new Delivery.PartialFailure(3)
                    : new Delivery.Success())
        .deliver(records(6));
    assertThat(invoked).containsExactly(records(6), List.of(3, 4, 5));
  }

  @Test
  void aFunctionErrorIsRetriedUntilTheAttemptsAreUsedThenGivenUp() {
    delivery(
            MappingSettings.defaults("f").withRetries(2, false),
            b -> new Delivery.FunctionError("x"))
        .deliver(records(4));
    assertThat(invoked).hasSize(3); // the first try and two retries
    assertThat(givenUp).containsExactly(records(4));
  }

  @Test
  void bisectingIsolatesThePoisonRecordAndDeliversTheRestInOrder() {
    delivery(
            MappingSettings.defaults("f").withRetries(3, true),
            b -> b.contains(5) ? new Delivery.FunctionError("poison") : new Delivery.Success())
        .deliver(records(8));
    assertThat(givenUp).containsExactly(List.of(5));
    List<Integer> delivered = new ArrayList<>();
    for (List<Integer> b : invoked) {
      if (!b.contains(5)) {
        delivered.addAll(b);
      }
    }
    assertThat(delivered).containsExactly(0, 1, 2, 3, 4, 6, 7);
  }

  /**
   * AWS: "Splitting batches doesn't consume the retry quota". With 0 retries a poison record still
   * ends up alone; with 2, only it is given up (spending a retry per split gave up [4, 5] too).
   */
  @Test
  void splittingABatchDoesNotUseARetry() {
    for (int retries : new int[] {0, 2}) {
      invoked.clear();
      givenUp.clear();
      delivery(
              MappingSettings.defaults("f").withRetries(retries, true),
              b -> b.contains(5) ? new Delivery.FunctionError("poison") : new Delivery.Success())
          .deliver(records(8));
      assertThat(givenUp).as("retries %s", retries).containsExactly(List.of(5));
      assertThat(invoked.stream().filter(List.of(5)::equals))
          .as("the poison record alone: the first try and each retry")
          .hasSize(retries + 1);
    }
  }

  /**
   * AWS retries a batch it could not invoke (throttled) "until the records expire or exceed the
   * maximum age": no retry is used and nothing is split, however often it is refused.
   */
  @Test
  void aBatchLambdaDidNotInvokeIsTriedAgainWithoutUsingARetry() {
    AtomicInteger calls = new AtomicInteger();
    Delivery<Integer> d =
        delivery(
            MappingSettings.defaults("f").withRetries(0, true),
            b ->
                calls.incrementAndGet() <= 5
                    ? new Delivery.NotInvoked("TooManyRequestsException")
                    : new Delivery.Success());
    d.deliver(records(4));
    assertThat(invoked).hasSize(6).allSatisfy(b -> assertThat(b).isEqualTo(records(4)));
    assertThat(givenUp).isEmpty();
    assertThat(d.invocations()).as("only the one that reached the function").isEqualTo(1);
  }

  @Test
  void aBatchLambdaDidNotInvokeIsGivenUpOnceItsRecordsPassTheMaximumAge() {
    long[] now = {0};
    Delivery<Integer> d =
        new Delivery<>(
            MappingSettings.defaults("f")
                .withRetries(0, false)
                .withMaximumRecordAge(Duration.ofMinutes(1)),
            b -> {
              invoked.add(List.copyOf(b));
              now[0] += 10_000;
              return new Delivery.NotInvoked("TooManyRequestsException");
            },
            (b, cause, reason, attempts) -> givenUp.add(List.copyOf(b)),
            r -> 0L,
            () -> now[0]);
    d.deliver(records(3));
    assertThat(invoked).hasSize(7); // at 0, 10, ..., 60 s; given up at 70 s
    assertThat(givenUp).containsExactly(records(3));
  }

  /** Only records older than the maximum age are given up; the younger rest is invoked. */
  @Test
  void onlyTheRecordsOlderThanTheMaximumAgeAreGivenUp() {
    long now = 600_000;
    long[] arrival = {0, 1_000, now - 1_000}; // 10 minutes old, nearly as old, one second old
    Delivery<Integer> d =
        new Delivery<>(
            MappingSettings.defaults("f").withMaximumRecordAge(Duration.ofMinutes(1)),
            b -> {
              invoked.add(List.copyOf(b));
              return new Delivery.Success();
            },
            (b, cause, reason, attempts) -> givenUp.add(List.copyOf(b)),
            r -> arrival[r],
            () -> now);
    d.deliver(records(3));
    assertThat(givenUp).containsExactly(List.of(0, 1));
    assertThat(invoked).containsExactly(List.of(2));
  }

  @Test
  void recordsOlderThanTheMaximumAgeAreNotRetried() {
    MappingSettings s =
        new MappingSettings(
            "f",
            10,
            Duration.ZERO,
            MappingSettings.StartingPosition.TRIM_HORIZON,
            null,
            -1,
            Duration.ofMinutes(1),
            false,
            true,
            1);
    long[] now = {0};
    Delivery<Integer> d =
        new Delivery<>(
            s,
            b -> {
              invoked.add(List.copyOf(b));
              now[0] += 30_000;
              return new Delivery.FunctionError("down");
            },
            (b, cause, reason, attempts) -> givenUp.add(List.copyOf(b)),
            r -> 0L,
            () -> now[0]);
    d.deliver(records(2));
    assertThat(invoked).hasSize(3);
    assertThat(givenUp).containsExactly(records(2));
  }

  /**
   * AWS takes the first failed record as the checkpoint and retries from there, so every leading
   * part of a batch is reported done as soon as it is (before the rest is invoked again), and the
   * parts, in order, make the batch; records given up say which of AWS's two conditions applies.
   */
  @Test
  void eachLeadingPartIsReportedDoneBeforeTheRestIsRetried() {
    List<String> events = new ArrayList<>();
    List<Delivery.Cause> causes = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    new Delivery<Integer>(
            MappingSettings.defaults("f").withRetries(1, true),
            b -> {
              events.add("invoke " + b);
              if (calls.incrementAndGet() == 1) {
                return new Delivery.PartialFailure(2);
              }
              return b.contains(5) ? new Delivery.FunctionError("poison") : new Delivery.Success();
            },
            (b, cause, reason, attempts) -> causes.add(cause),
            r -> 0L,
            () -> 0L,
            part -> events.add("done " + part))
        .deliver(records(8));
    assertThat(events)
        .containsExactly(
            "invoke [0, 1, 2, 3, 4, 5, 6, 7]",
            "done [0, 1]",
            "invoke [2, 3, 4, 5, 6, 7]",
            "invoke [2, 3, 4]",
            "done [2, 3, 4]",
            "invoke [5, 6, 7]",
            "invoke [5]",
            "invoke [5]",
            "done [5]",
            "invoke [6, 7]",
            "done [6, 7]");
    assertThat(causes).containsExactly(Delivery.Cause.RETRY_ATTEMPTS_EXHAUSTED);

    // records that passed the maximum age while a long invocation failed: given up for their age
    // at the next try, and done
    events.clear();
    causes.clear();
    long[] now = {0};
    new Delivery<Integer>(
            MappingSettings.defaults("f").withMaximumRecordAge(Duration.ofMinutes(1)),
            b -> {
              events.add("invoke " + b);
              now[0] += 90_000;
              return new Delivery.FunctionError("Task timed out after 90.00 seconds");
            },
            (b, cause, reason, attempts) -> causes.add(cause),
            r -> 0L,
            () -> now[0],
            part -> events.add("done " + part))
        .deliver(records(2));
    assertThat(events).containsExactly("invoke [0, 1]", "done [0, 1]");
    assertThat(causes).containsExactly(Delivery.Cause.RECORD_AGE_EXCEEDED);
  }

  @Test
  void settingsOutsideAwsBoundsAreRefusedWithTheRange() {
    assertThatThrownBy(() -> MappingSettings.defaults("f").withBatchSize(20_000))
        .hasMessageContaining("BatchSize is 20000; it must be 1 to 10000");
    assertThatThrownBy(
            () ->
                new MappingSettings(
                    "f",
                    1,
                    Duration.ZERO,
                    MappingSettings.StartingPosition.AT_TIMESTAMP,
                    null,
                    1,
                    null,
                    false,
                    true,
                    1))
        .hasMessageContaining("StartingPositionTimestamp is not set");
    // a fraction of a second past the bound is past it (Duration.toSeconds truncates)
    assertThatThrownBy(
            () -> MappingSettings.defaults("f").withBatchingWindow(Duration.ofMillis(300_900)))
        .hasMessageContaining("MaximumBatchingWindowInSeconds is PT5M0.9S; it must be 0 to 300");
    assertThatThrownBy(
            () ->
                MappingSettings.defaults("f")
                    .withMaximumRecordAge(Duration.ofSeconds(604_800).plusMillis(1)))
        .hasMessageContaining("MaximumRecordAgeInSeconds is PT168H0.001S");
  }
}
