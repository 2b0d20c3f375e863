package dev.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.cli.ClickWorkload;
import dev.tributary.cli.JobRun;
import dev.tributary.cli.LocalStack;
import dev.tributary.cli.Workload;
import dev.tributary.examples.clicks.ClickWindowSums;
import dev.tributary.local.esm.MappingSettings;
import dev.tributary.local.kinesis.KinesisLocal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/** Shared setup of the end-to-end tests: small stacks, small workloads, and the checks. */
final class E2e {
  private E2e() {}

  /** The repository root (where scripts/install-tools.sh is). */
  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/install-tools.sh"))) {
      dir = dir.getParent();
    }
    return dir == null ? Path.of("").toAbsolutePath() : dir;
  }

  static final Path TOOLS = projectRoot().resolve(".tools");

  /** Skips the calling test, saying why, when kinesis-local cannot run here. */
  static void assumeKinesisLocal() {
    KinesisLocal.unavailableReason(TOOLS)
        .ifPresent(reason -> Assumptions.abort("skipped: " + reason));
  }

  /** The mapping settings of the tests: small batches, retries until success. */
  static MappingSettings mapping(int batchSize, int parallelizationFactor, boolean bisect) {
    return MappingSettings.defaults(LocalStack.COORDINATOR)
        .withBatchSize(batchSize)
        .withRetries(-1, bisect)
        .withParallelizationFactor(parallelizationFactor);
  }

  /** A stack for click-window-sums with quick ticks and a short idle timeout. */
  static LocalStack.Builder stack(LocalStack.Source source) {
    if (source == LocalStack.Source.KINESIS) {
      assumeKinesisLocal();
    }
    return LocalStack.builder()
        .source(source)
        .job(ClickWindowSums.class)
        .toolsDir(TOOLS)
        .shards(2)
        .slots(4)
        .fanOut("lambda")
        .tickInterval(Duration.ofMillis(500))
        .idleTimeout(Duration.ofSeconds(6))
        .mapping(mapping(100, 1, false));
  }

  /** A few thousand clicks from a few hundred users (a few seconds of event time). */
  static ClickWorkload clicks(long n) {
    return new ClickWorkload(n, 300, 0, 7, 1_767_225_600_000L);
  }

  /** Runs {@code workload} on {@code stack} and checks the outputs against the reference. */
  static JobRun.Result runAndCheck(LocalStack stack, Workload workload) {
    return check(JobRun.of(stack, workload));
  }

  static JobRun.Result check(JobRun run) {
    JobRun.Result result =
        run.timeout(Duration.ofMinutes(5))
            .interval(Duration.ofMillis(500))
            .progress(System.out::println)
            .run();
    assertExactlyOnce(result);
    return result;
  }

  static void assertExactlyOnce(JobRun.Result result) {
    assertThat(result.timedOut()).as("timed out: %s", result).isFalse();
    if (result.lateRecordsDropped() >= 0) {
      // the workloads are in order within the out-of-orderness: nothing may come late
      assertThat(result.lateRecordsDropped()).as("late records dropped").isZero();
    }
    for (Map.Entry<String, JobRun.SinkCheck> e : result.sinks().entrySet()) {
      JobRun.SinkCheck c = e.getValue();
      assertThat(c.ok())
          .as(
              "sink %s: %d expected, %d committed, %d missing, %d extra; e.g. %s",
              e.getKey(), c.expected(), c.committed(), c.missing(), c.extra(), c.examples())
          .isTrue();
      assertThat(c.expected()).isPositive();
    }
  }

  /** The events of {@code workload}, materialized. */
  static List<Workload.Event> events(Workload workload) {
    List<Workload.Event> out = new ArrayList<>();
    workload.events().forEachRemaining(out::add);
    return out;
  }

  /**
   * {@code events}, running {@code action} just before the event at {@code index} is handed out.
   */
  static Iterator<Workload.Event> withActionAt(
      List<Workload.Event> events, int index, Runnable action) {
    Iterator<Workload.Event> it = events.iterator();
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Workload.Event next() {
        if (next++ == index) {
          action.run();
        }
        return it.next();
      }
    };
  }

  /** A function wrapper that fails every {@code n}th invocation, as {@code what} would. */
  static java.util.function.UnaryOperator<dev.tributary.local.lambda.LocalLambda.Function>
      failEvery(int n, String what, java.util.concurrent.atomic.AtomicInteger calls) {
    return function ->
        payload -> {
          if (calls.incrementAndGet() % n == 0) {
            throw new IllegalStateException("injected " + what + " failure");
          }
          return function.invoke(payload);
        };
  }

  /** A mapping invoker that delivers every batch twice: a duplicate first, then the real one. */
  static java.util.function.UnaryOperator<dev.tributary.local.esm.FunctionInvoker> deliverTwice() {
    return invoker ->
        (function, payload) -> {
          invoker.invoke(function, payload);
          return invoker.invoke(function, payload);
        };
  }

  /** Committed epochs over every split and slot. */
  static long epochs(LocalStack stack) {
    return JobRun.committedEpochs(stack);
  }

  /** Waits until {@code condition} holds, failing with {@code what} after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /**
   * Sleeps in a thread of the stack's (e.g. inside a wrapped invoker): an interrupt, which means
   * the stack is stopping, ends the pause and stays set for the stack to see.
   */
  static void pause(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Asserts that none of {@code pids} is alive any more. */
  static void assertStopped(List<Long> pids) {
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("process %d is still running", pid)
          .isFalse();
    }
  }
}
