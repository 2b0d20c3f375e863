package dev.tributary.local.esm;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * How an event source mapping delivers one batch of a stream's records to its function, as AWS
 * documents it for Kinesis: on success the batch is done; with {@code ReportBatchItemFailures} the
 * function names the first failed record and the rest of the batch is retried from it; on a
 * function error the batch is retried, or, when bisecting, split in two halves delivered one after
 * the other (a split does not use a retry attempt); a batch that has used up its retry attempts
 * goes to the on-failure destination and the stream moves past it. Records older than the maximum
 * record age are given up before an invocation, and only they (the leading records of the batch:
 * the stream keeps them in arrival order). A batch that Lambda could not invoke (throttled,
 * unreachable) is retried without using a retry attempt, until its records pass the maximum record
 * age. Records stay in order: a batch is retried before anything after it is delivered. As soon as
 * a leading part of the batch is done (the records before a reported failure, a bisected half that
 * succeeded, records given up), the delivery says so, so that the mapping can checkpoint them while
 * the rest is retried: AWS takes the first failed record as the checkpoint and retries from there.
 *
 * @param <R> a record
 */
public final class Delivery<R> {
  /** What one invocation answered. */
  public sealed interface Answer {}

  /** Every record succeeded (also: an empty or null failure list). */
  public record Success() implements Answer {}

  /** The function was invoked and failed (an error, a timeout, an answer that is not valid). */
  public record FunctionError(String message) implements Answer {}

  /** Lambda did not invoke the function (a throttle, an unreachable endpoint). */
  public record NotInvoked(String message) implements Answer {}

  /** The records before {@code firstFailed} succeeded. */
  public record PartialFailure(int firstFailed) implements Answer {}

  /** Invokes the function with a batch. */
  @FunctionalInterface
  public interface Invoker<R> {
    /** One invocation. */
    Answer invoke(List<R> batch);
  }

  /** Why records were given up: the two conditions of AWS's on-failure record. */
  public enum Cause {
    /** Older than {@code MaximumRecordAge} before an invocation ({@code RecordAgeExceeded}). */
    RECORD_AGE_EXCEEDED,
    /** Failed once more after {@code MaximumRetryAttempts} ({@code RetryAttemptsExhausted}). */
    RETRY_ATTEMPTS_EXHAUSTED
  }

  /** Receives a batch that could not be delivered. */
  @FunctionalInterface
  public interface OnFailure<R> {
    /** The batch, the condition, the last error (or what happened) and the attempts tried. */
    void failed(List<R> batch, Cause cause, String reason, int attempts);
  }

  /** Receives the leading parts of a batch as they are done: delivered or given up, in order. */
  @FunctionalInterface
  public interface Progress<R> {
    /** {@code records} (a part of the batch, after every part reported before it) are done. */
    void done(List<R> records);
  }

  private final MappingSettings settings;
  private final Invoker<R> invoker;
  private final OnFailure<R> onFailure;
  private final java.util.function.ToLongFunction<R> arrival;
  private final LongSupplier clock;
  private final Progress<R> progress;
  private long invocations;

  /**
   * A delivery for {@code settings}; {@code arrival} gives a record's arrival time (epoch ms) for
   * the maximum record age; {@code clock} is now.
   */
  public Delivery(
      MappingSettings settings,
      Invoker<R> invoker,
      OnFailure<R> onFailure,
      java.util.function.ToLongFunction<R> arrival,
      LongSupplier clock) {
    this(settings, invoker, onFailure, arrival, clock, records -> {});
  }

  /** The same, telling {@code progress} about each leading part of a batch once it is done. */
  public Delivery(
      MappingSettings settings,
      Invoker<R> invoker,
      OnFailure<R> onFailure,
      java.util.function.ToLongFunction<R> arrival,
      LongSupplier clock,
      Progress<R> progress) {
    this.settings = settings;
    this.invoker = invoker;
    this.onFailure = onFailure;
    this.arrival = arrival;
    this.clock = clock;
    this.progress = progress;
  }

  /** How many invocations this delivery made. */
  public long invocations() {
    return invocations;
  }

  /** Delivers {@code batch} until it succeeded or was given up. */
  public void deliver(List<R> batch) {
    deliver(batch, 0);
  }

  private void deliver(List<R> batch, int retriesSoFar) {
    List<R> pending = batch;
    int retries = retriesSoFar;
    while (!pending.isEmpty()) {
      int expired = expiredPrefix(pending);
      if (expired > 0) {
        List<R> old = pending.subList(0, expired);
        onFailure.failed(
            old, Cause.RECORD_AGE_EXCEEDED, "older than MaximumRecordAge", retries + 1);
        progress.done(old);
        pending = pending.subList(expired, pending.size());
        continue;
      }
      Answer answer = invoker.invoke(pending);
      if (answer instanceof NotInvoked) {
        // before invocation: tried again until the records expire, no retry used (the invoker
        // waits before it tries again: the mapping's retry delay)
        continue;
      }
      invocations++;
      if (answer instanceof Success) {
        progress.done(pending);
        return;
      }
      if (answer instanceof PartialFailure p && settings.reportBatchItemFailures()) {
        if (p.firstFailed() < 0 || p.firstFailed() >= pending.size()) {
          // an identifier that is not in the batch: AWS treats the whole batch as failed
          answer = new FunctionError("the reported item identifier is not in the batch");
        } else if (p.firstFailed() > 0) {
          // progress was made: the records before the reported one are done (the checkpoint),
          // and the rest is retried as a new attempt
          progress.done(pending.subList(0, p.firstFailed()));
          pending = pending.subList(p.firstFailed(), pending.size());
          continue;
        }
      }
      if (settings.bisectBatchOnFunctionError()
          && answer instanceof FunctionError
          && pending.size() > 1) {
        // "Splitting batches doesn't consume the retry quota" (AWS): the halves keep the count
        int half = pending.size() / 2;
        deliver(pending.subList(0, half), retries);
        deliver(pending.subList(half, pending.size()), retries);
        return;
      }
      if (exhausted(retries)) {
        onFailure.failed(
            pending,
            Cause.RETRY_ATTEMPTS_EXHAUSTED,
            answer instanceof FunctionError e ? e.message() : "records failed",
            retries + 1);
        progress.done(pending);
        return;
      }
      retries++;
    }
  }

  private boolean exhausted(int retries) {
    int max = settings.maximumRetryAttempts();
    return max >= 0 && retries >= max;
  }

  /** How many leading records of {@code batch} are older than the maximum record age. */
  private int expiredPrefix(List<R> batch) {
    Duration age = settings.maximumRecordAge();
    if (age == null) {
      return 0;
    }
    long now = clock.getAsLong();
    int n = 0;
    while (n < batch.size() && now - arrival.applyAsLong(batch.get(n)) > age.toMillis()) {
      n++;
    }
    return n;
  }
}
