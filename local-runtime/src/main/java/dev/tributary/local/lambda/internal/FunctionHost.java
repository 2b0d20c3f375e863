package dev.tributary.local.lambda.internal;

import dev.tributary.local.lambda.FunctionConfig;
import dev.tributary.local.lambda.FunctionStats;
import dev.tributary.local.lambda.Invocation;
import dev.tributary.local.lambda.LocalLambda;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The execution environments of one registered function: Lambda's container model in miniature.
 * Each running invocation holds one instance; a free instance is reused (most recently used first,
 * so a lightly loaded function keeps few warm instances), and a new one is made when none is free,
 * up to the reserved concurrency. An invocation that outlives the timeout is interrupted and its
 * instance discarded, never reused, as Lambda discards a timed-out sandbox.
 *
 * <p>Events (asynchronous invocations) are Lambda's internal queue: they wait here for a free
 * instance, and one that fails (an error or a timeout) is tried twice more, after {@link
 * #RETRY_DELAY} and twice that (AWS waits about one and two minutes), then dropped.
 *
 * <p>Functions run on threads of the endpoint's pool, not on the caller's, so that the caller can
 * answer at the timeout even when the function ignores interrupts.
 */
public final class FunctionHost {
  /** How often an event that fails is tried again, as Lambda's asynchronous invocation does. */
  public static final int EVENT_RETRIES = 2;

  /** The wait before an event's first retry; the second waits twice as long. */
  public static final Duration RETRY_DELAY = Duration.ofMillis(100);

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final String name;
  private final Supplier<LocalLambda.Function> factory;
  private final FunctionConfig config;
  private final ExecutorService threads;
  private final ScheduledExecutorService scheduler;
  private final String threadPrefix;

  // guarded by this
  private final ArrayDeque<LocalLambda.Function> idle = new ArrayDeque<>();
  private final ArrayDeque<Event> waiting = new ArrayDeque<>();
  private FunctionHost successor;
  private int running;

  private final AtomicInteger invocations = new AtomicInteger();
  private final AtomicInteger containers = new AtomicInteger();
  private final AtomicInteger throttles = new AtomicInteger();
  private final AtomicInteger timeouts = new AtomicInteger();
  private final AtomicInteger eventRetries = new AtomicInteger();
  private final AtomicInteger eventsFailed = new AtomicInteger();

  /**
   * A host for function {@code name}: instances from {@code factory}, run on {@code threads}
   * (renamed {@code threadPrefix + " " + name + " " + requestId} while they run one), event retries
   * timed by {@code scheduler}.
   */
  public FunctionHost(
      String name,
      Supplier<LocalLambda.Function> factory,
      FunctionConfig config,
      ExecutorService threads,
      ScheduledExecutorService scheduler,
      String threadPrefix) {
    this.name = Objects.requireNonNull(name, "name");
    this.factory = Objects.requireNonNull(factory, "factory");
    this.config = Objects.requireNonNull(config, "config");
    this.threads = Objects.requireNonNull(threads, "threads");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.threadPrefix = Objects.requireNonNull(threadPrefix, "threadPrefix");
  }

  /** The function's settings. */
  public FunctionConfig config() {
    return config;
  }

  /** A RequestResponse invocation: runs the function now, or answers {@link Outcome.Throttled}. */
  public Outcome invoke(byte[] payload, String requestId) {
    Slot slot = tryAcquire();
    if (slot == null) {
      throttles.incrementAndGet();
      return new Outcome.Throttled();
    }
    return run(slot, payload, requestId);
  }

  /**
   * This function was registered again as {@code successor} (e.g. with another reserved
   * concurrency): events waiting here, and retries still to come, go there, as Lambda keeps a
   * function's asynchronous queue when its configuration changes.
   */
  public void handOverTo(FunctionHost successor) {
    List<Event> moved;
    synchronized (this) {
      this.successor = successor;
      moved = new ArrayList<>(waiting);
      waiting.clear();
    }
    moved.forEach(successor::attempt);
  }

  /** An Event invocation: queued, run when an instance is free, retried on failure. */
  public void enqueue(byte[] payload, String requestId) {
    attempt(new Event(payload, requestId, 1));
  }

  /** The counters so far. */
  public FunctionStats stats() {
    int now;
    int queued;
    synchronized (this) {
      now = running;
      queued = waiting.size();
    }
    return new FunctionStats(
        invocations.get(),
        containers.get(),
        now,
        throttles.get(),
        timeouts.get(),
        eventRetries.get(),
        eventsFailed.get(),
        queued);
  }

  /** One event and which attempt (1 to 3) is next. */
  private record Event(byte[] payload, String requestId, int attempt) {}

  /** A concurrency slot taken by one invocation, with the instance it runs on once there is one. */
  private static final class Slot {
    LocalLambda.Function instance;

    Slot(LocalLambda.Function idle) {
      this.instance = idle;
    }
  }

  /** Takes a slot with the most recently used idle instance, or null when throttled. */
  private synchronized Slot tryAcquire() {
    int limit = config.reservedConcurrency();
    if (limit != FunctionConfig.UNRESERVED && running >= limit) {
      return null;
    }
    running++;
    return new Slot(idle.pollFirst());
  }

  /** Frees {@code slot} (keeping its instance when {@code reuse}), then starts waiting events. */
  private void release(Slot slot, boolean reuse) {
    synchronized (this) {
      running--;
      if (reuse && slot.instance != null) {
        idle.offerFirst(slot.instance);
      }
    }
    while (true) {
      Event next;
      Slot free;
      synchronized (this) {
        if (waiting.isEmpty() || (free = tryAcquire()) == null) {
          return;
        }
        next = waiting.pollFirst();
      }
      dispatch(next, free);
    }
  }

  private void attempt(Event event) {
    Slot slot;
    FunctionHost next;
    // one block: a hand-over in between could otherwise leave the event in this host's queue
    synchronized (this) {
      next = successor;
      slot = next == null ? tryAcquire() : null;
      if (next == null && slot == null) {
        waiting.addLast(event);
        throttles.incrementAndGet();
        return;
      }
    }
    if (next != null) {
      next.attempt(event);
      return;
    }
    dispatch(event, slot);
  }

  private void dispatch(Event event, Slot slot) {
    try {
      threads.execute(
          () -> {
            try {
              finish(event, run(slot, event.payload(), event.requestId()));
            } catch (RejectedExecutionException closing) {
              // the endpoint closed before the function started: the event is dropped with it
            }
          });
    } catch (RejectedExecutionException closing) {
      // the endpoint is closing: the event is dropped with it, as queued events are
      synchronized (this) {
        running--;
      }
    }
  }

  private void finish(Event event, Outcome outcome) {
    if (outcome instanceof Outcome.Returned) {
      return;
    }
    if (event.attempt() > EVENT_RETRIES) {
      eventsFailed.incrementAndGet();
      return;
    }
    eventRetries.incrementAndGet();
    long delay = RETRY_DELAY.toMillis() << (event.attempt() - 1);
    Event retry = new Event(event.payload(), event.requestId(), event.attempt() + 1);
    try {
      scheduler.schedule(() -> attempt(retry), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the endpoint is closing; the retry is dropped with it
    }
  }

  /** Runs one invocation on {@code slot}, within the timeout, and frees the slot. */
  private Outcome run(Slot slot, byte[] payload, String requestId) {
    boolean reuse = false;
    try {
      if (slot.instance == null) {
        try {
          slot.instance =
              Objects.requireNonNull(
                  factory.get(), "the instance factory of function " + name + " returned null");
        } catch (RuntimeException | Error e) {
          // an init failure (a static initializer, a missing class) is the invocation's error
          return failed(e);
        }
        containers.incrementAndGet();
      }
      invocations.incrementAndGet();
      LocalLambda.Function instance = slot.instance;
      long start = System.nanoTime();
      Invocation invocation = new Invocation(name, requestId, start + config.timeout().toNanos());
      Future<byte[]> result = threads.submit(() -> runNamed(instance, payload, invocation));
      try {
        byte[] answer = result.get(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        reuse = true;
        return new Outcome.Returned(answer == null ? new byte[0] : answer);
      } catch (ExecutionException e) {
        // the Java runtime ends its process (and with it the instance) only for a
        // VirtualMachineError (OutOfMemoryError, StackOverflowError...) or an IOError; any other
        // throwable is the invocation's error and the instance serves the next one
        reuse =
            !(e.getCause() instanceof VirtualMachineError
                || e.getCause() instanceof java.io.IOError);
        return failed(e.getCause());
      } catch (TimeoutException e) {
        result.cancel(true);
        timeouts.incrementAndGet();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome.TimedOut(
            TIMESTAMP.format(Instant.now())
                + " "
                + requestId
                + " Task timed out after "
                + String.format(Locale.ROOT, "%.2f", seconds)
                + " seconds");
      } catch (InterruptedException e) {
        result.cancel(true);
        Thread.currentThread().interrupt();
        return new Outcome.Failed(
            "Local.EndpointClosed",
            "the local Lambda endpoint closed while function " + name + " was running");
      }
    } finally {
      release(slot, reuse);
    }
  }

  private byte[] runNamed(LocalLambda.Function instance, byte[] payload, Invocation invocation)
      throws Exception {
    Thread thread = Thread.currentThread();
    String before = thread.getName();
    thread.setName(threadPrefix + " " + name + " " + invocation.requestId());
    try {
      return Invocation.run(invocation, () -> instance.invoke(payload));
    } finally {
      thread.setName(before);
    }
  }

  /** As the Java runtime reports it: the class name stands in for a missing message. */
  private static Outcome failed(Throwable e) {
    String message = e.getLocalizedMessage();
    return new Outcome.Failed(
        e.getClass().getName(), message == null ? e.getClass().getName() : message);
  }
}
