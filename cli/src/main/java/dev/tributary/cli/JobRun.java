package dev.tributary.cli;

import dev.tributary.coordinator.SplitWatermarks;
import dev.tributary.state.dynamodb.Checkpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One run of a workload through a started {@link JobStack}: produces the events (in the
 * background), reports progress every {@code interval} (records/s, lag per split, committed epochs,
 * watermark), waits until the committed outputs ({@link Workload#compared as the workload compares
 * them}) reach the reference run's, then compares them as multisets and reports what is missing or
 * twice.
 */
public final class JobRun {
  private final JobStack stack;
  private final Workload workload;
  private Duration timeout = Duration.ofMinutes(10);
  private Duration interval = Duration.ofSeconds(1);
  private Consumer<String> out = line -> {};
  private Instant commandStart = Instant.now();
  private Iterator<Workload.Event> events;
  private Duration quiet;
  private volatile boolean stopped;

  private JobRun(JobStack stack, Workload workload) {
    this.stack = stack;
    this.workload = workload;
  }

  /** A run of {@code workload} on {@code stack}. */
  public static JobRun of(JobStack stack, Workload workload) {
    return new JobRun(stack, workload);
  }

  /** Give up after this long (default 10 minutes). */
  public JobRun timeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  /** How often progress is reported and checked (default 1 s). */
  public JobRun interval(Duration interval) {
    this.interval = interval;
    return this;
  }

  /** Where progress lines go (default: nowhere). */
  public JobRun progress(Consumer<String> out) {
    this.out = out;
    return this;
  }

  /**
   * Produce these events instead of the workload's (e.g. the rest of a workload whose first part a
   * stack produced before it restarted); the outputs are still checked against the whole workload's
   * reference.
   */
  public JobRun events(Iterator<Workload.Event> events) {
    this.events = events;
    return this;
  }

  /**
   * How long nothing may be committed, once every record was delivered and while outputs are still
   * missing, before the run stops waiting and reports the difference; default a minute, or three
   * idle timeouts if that is longer (the last windows close one idle timeout after the stream goes
   * quiet).
   */
  public JobRun quiet(Duration quiet) {
    if (quiet == null || quiet.isNegative() || quiet.isZero()) {
      throw new IllegalArgumentException("quiet is " + quiet + "; it must be positive");
    }
    this.quiet = quiet;
    return this;
  }

  /**
   * Stops the run from another thread (e.g. on Ctrl-C): the producer writes nothing more, and
   * {@link #run()} returns at its next progress interval with {@link Result#interrupted()} set and
   * nothing checked.
   */
  public void stop() {
    stopped = true;
  }

  /** When the user's command started, for the time to the first committed epoch. */
  public JobRun commandStart(Instant start) {
    this.commandStart = start;
    return this;
  }

  /**
   * How one sink's committed outputs compare with the reference.
   *
   * @param expected reference outputs
   * @param committed committed outputs
   * @param missing reference outputs not committed (count)
   * @param extra committed outputs not in the reference, or committed more often (count)
   * @param examples a few of the differences
   */
  public record SinkCheck(
      long expected, long committed, long missing, long extra, List<String> examples) {
    /** Whether the sink matches exactly. */
    public boolean ok() {
      return missing == 0 && extra == 0;
    }
  }

  /**
   * The result of a run.
   *
   * @param produced events written to the stream
   * @param produceTime how long producing took
   * @param processTime from the start of producing to the last output committed
   * @param firstEpoch from the command's start to the first committed epoch (null if none)
   * @param epochs committed epochs ({@link #committedEpochs})
   * @param sinks per sink, the comparison with the reference
   * @param folded per sink whose outputs the workload folded into the others before the check
   *     ({@link Workload#compared}, e.g. late clicks added back to their windows' totals), how many
   *     outputs it had
   * @param deadLetters dead-letter rows
   * @param lateRecordsDropped records the job's windows dropped as late, -1 when not counted
   * @param progress the mapping's last progress
   * @param timedOut whether the run gave up waiting
   * @param stalled whether the run stopped waiting because nothing more was committed for a while
   *     after every record had been delivered, with outputs still missing
   * @param interrupted whether {@link #stop()} ended the run (nothing was checked then)
   */
  public record Result(
      long produced,
      Duration produceTime,
      Duration processTime,
      Duration firstEpoch,
      long epochs,
      Map<String, SinkCheck> sinks,
      Map<String, Long> folded,
      long deadLetters,
      long lateRecordsDropped,
      MappingProgress progress,
      boolean timedOut,
      boolean stalled,
      boolean interrupted) {
    /** Copies the maps. */
    public Result {
      sinks = Map.copyOf(sinks);
      folded = Map.copyOf(folded);
    }

    /** Whether every sink matches the reference and the run finished in time. */
    public boolean ok() {
      return !timedOut
          && !stalled
          && !interrupted
          && sinks.values().stream().allMatch(SinkCheck::ok);
    }

    /** Records per second from the start of producing to the last output committed. */
    public double recordsPerSecond() {
      return produced / Math.max(0.001, processTime.toNanos() / 1e9);
    }
  }

  /**
   * The committed outputs as the workload compares them with its reference, and per sink the
   * outputs it folded into the others for that (sinks of records the job set aside).
   */
  private record Committed(Map<String, List<String>> compared, Map<String, Long> folded) {
    static final Committed NONE = new Committed(Map.of(), Map.of());

    long outputs() {
      return compared.values().stream().mapToLong(List::size).sum();
    }
  }

  private Committed committed() {
    Map<String, List<String>> raw = Outbox.read(stack.dynamo(), stack.settings().tables());
    Map<String, List<String>> compared = workload.compared(raw);
    Map<String, Long> folded = new TreeMap<>();
    raw.forEach(
        (sink, outputs) -> {
          if (!compared.containsKey(sink)) {
            folded.put(sink, (long) outputs.size());
          }
        });
    return new Committed(compared, folded);
  }

  /** Runs the workload and checks the outputs. */
  public Result run() {
    Map<String, List<String>> reference = workload.reference();
    if (stopped) {
      return interruptedResult(0, Duration.ZERO, null, 0);
    }
    long expected = reference.values().stream().mapToLong(List::size).sum();
    AtomicLong produced = new AtomicLong();
    AtomicReference<Duration> produceTime = new AtomicReference<>();
    AtomicReference<Throwable> produceFailure = new AtomicReference<>();
    long start = System.nanoTime();
    Thread producer =
        new Thread(
            () -> {
              try {
                Iterator<Workload.Event> source =
                    JobRun.this.events != null ? JobRun.this.events : workload.events();
                stack.produce(
                    new Iterator<>() {
                      @Override
                      public boolean hasNext() {
                        return !stopped && source.hasNext();
                      }

                      @Override
                      public Workload.Event next() {
                        produced.incrementAndGet();
                        return source.next();
                      }
                    });
                produceTime.set(Duration.ofNanos(System.nanoTime() - start));
              } catch (Throwable t) {
                produceFailure.set(t);
              }
            },
            "tributary-producer");
    producer.setDaemon(true);
    producer.start();

    SplitWatermarks watermarks =
        new SplitWatermarks(
            stack.dynamo(), stack.settings().tables(), stack.settings().graph().jobName());
    long deadline = start + timeout.toNanos();
    Duration firstEpoch = null;
    long lastDelivered = 0;
    long lastTick = System.nanoTime();
    long lastScan = 0;
    long epochs = 0;
    Committed committed = Committed.NONE;
    boolean timedOut = false;
    boolean stalled = false;
    // nothing committed for this long after every record was delivered: nothing more will be
    Duration idleTimes3 = stack.settings().idleTimeout().multipliedBy(3);
    Duration quiet =
        this.quiet != null
            ? this.quiet
            : idleTimes3.compareTo(Duration.ofMinutes(1)) > 0 ? idleTimes3 : Duration.ofMinutes(1);
    long quietSince = System.nanoTime();
    long lastEpochs = -1;
    long lastOutputs = -1;
    long finished = 0;
    while (true) {
      LocalStack.sleep(interval.toMillis());
      if (stopped) {
        break;
      }
      if (produceFailure.get() != null) {
        throw new IllegalStateException("producing the workload failed", produceFailure.get());
      }
      epochs = committedEpochs(stack);
      if (firstEpoch == null && epochs > 0) {
        firstEpoch = Duration.between(commandStart, Instant.now());
      }
      MappingProgress progress = stack.progress();
      long now = System.nanoTime();
      double rate = (progress.recordsDelivered() - lastDelivered) / ((now - lastTick) / 1e9);
      lastDelivered = progress.recordsDelivered();
      lastTick = now;
      boolean producing = produceTime.get() == null;
      long outputs = -1;
      boolean drained =
          !producing
              && (progress.recordsDelivered() < 0 || progress.recordsDelivered() >= produced.get());
      // reading the outbox scans a table: at most every 5 s, when everything was delivered (or,
      // where the mapping reports no invocations (LocalStack), once everything was produced: what
      // counts there as delivered is read from the checkpoints, and the outputs must not wait on
      // that reading)
      boolean scan = drained || (!producing && progress.invocations() < 0);
      if (scan && now - lastScan >= Duration.ofSeconds(5).toNanos()) {
        lastScan = now;
        committed = committed();
        outputs = committed.outputs();
        if (epochs != lastEpochs || outputs != lastOutputs) {
          lastEpochs = epochs;
          lastOutputs = outputs;
          quietSince = now;
        }
      }
      out.accept(
          line(
              now - start,
              produced.get(),
              progress,
              rate,
              epochs,
              watermarks,
              stack.settings().idleTimeout(),
              outputs,
              expected,
              stack.lateRecordsDropped()));
      if (outputs >= expected) {
        finished = System.nanoTime();
        // let anything still in flight land, so that a duplicate shows up in the check (the wait
        // is not counted in the run's time)
        LocalStack.sleep(2 * interval.toMillis());
        committed = committed();
        break;
      }
      if (now > deadline) {
        timedOut = true;
        committed = committed();
        break;
      }
      if (drained && lastOutputs >= 0 && now - quietSince > quiet.toNanos()) {
        stalled = true;
        out.accept(
            String.format(
                Locale.ROOT,
                "Nothing more committed for %d s after every record was delivered; checking what"
                    + " was",
                quiet.toSeconds()));
        break;
      }
    }
    Duration processTime = Duration.ofNanos((finished > 0 ? finished : System.nanoTime()) - start);
    if (stopped) {
      try {
        producer.join(10_000); // a write in flight ends before the stack closes under it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return interruptedResult(produced.get(), processTime, firstEpoch, epochs);
    }
    Map<String, SinkCheck> sinks = new TreeMap<>();
    Map<String, List<String>> compared = committed.compared();
    for (String sink : union(reference.keySet(), compared.keySet())) {
      sinks.put(
          sink,
          compare(reference.getOrDefault(sink, List.of()), compared.getOrDefault(sink, List.of())));
    }
    return new Result(
        produced.get(),
        produceTime.get() == null ? processTime : produceTime.get(),
        processTime,
        firstEpoch,
        epochs,
        sinks,
        committed.folded(),
        Outbox.deadLetters(stack.dynamo(), stack.settings().tables()).size(),
        stack.lateRecordsDropped(),
        stack.progress(),
        timedOut,
        stalled,
        false);
  }

  private static Result interruptedResult(
      long produced, Duration time, Duration firstEpoch, long epochs) {
    return new Result(
        produced,
        time,
        time,
        firstEpoch,
        epochs,
        Map.of(),
        Map.of(),
        0,
        -1,
        null,
        false,
        false,
        true);
  }

  /**
   * Epochs {@code stack}'s job committed: the transactions the slots' answers report, when the
   * stack sees them (this also counts a parallelization factor above 1, whose checkpoints are per
   * partition key, and only this stack's commits after a restart); else the checkpoints' epochs,
   * summed over every split and slot.
   */
  public static long committedEpochs(JobStack stack) {
    long answered = stack.epochsCommitted();
    if (answered >= 0) {
      return answered;
    }
    Checkpoints checkpoints =
        new Checkpoints(
            stack.dynamo(), stack.settings().tables(), stack.settings().graph().jobName());
    long sum = 0;
    for (String split : stack.splits()) {
      for (Checkpoints.Committed c : checkpoints.readCommitted(split, stack.settings().slots())) {
        sum += c.epoch();
      }
    }
    return sum;
  }

  private static String line(
      long elapsedNanos,
      long produced,
      MappingProgress progress,
      double rate,
      long epochs,
      SplitWatermarks watermarks,
      Duration idle,
      long outputs,
      long expected,
      long late) {
    // the global watermark as the coordinator computes it: idle splits left out
    long watermark =
        SplitWatermarks.global(watermarks.read(), null, null, System.currentTimeMillis(), idle);
    StringBuilder lag = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(progress.lag()).entrySet()) {
      if (lag.length() > 0) {
        lag.append(' ');
      }
      String split = e.getKey();
      String id = split.substring(split.lastIndexOf('-') + 1).replaceFirst("^0+(?=.)", "");
      lag.append(id).append('=').append(e.getValue());
    }
    return String.format(
        Locale.ROOT,
        "[%5.1fs] produced %,d  delivered %,d (%,.0f rec/s)  lag %s  epochs %,d  watermark %s%s%s",
        elapsedNanos / 1e9,
        produced,
        progress.recordsDelivered(),
        rate,
        lag.length() == 0 ? "-" : lag,
        epochs,
        watermark == Long.MAX_VALUE || watermark == Long.MIN_VALUE
            ? "-"
            : Instant.ofEpochMilli(watermark).toString(),
        late > 0 ? String.format(Locale.ROOT, "  late dropped %,d", late) : "",
        outputs < 0 ? "" : String.format(Locale.ROOT, "  outputs %,d/%,d", outputs, expected));
  }

  private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    java.util.TreeSet<String> all = new java.util.TreeSet<>(a);
    all.addAll(b);
    return new ArrayList<>(all);
  }

  /** Compares two lists as multisets. */
  public static SinkCheck compare(List<String> expected, List<String> committed) {
    Map<String, Integer> counts = new HashMap<>();
    for (String e : expected) {
      counts.merge(e, 1, Integer::sum);
    }
    for (String c : committed) {
      counts.merge(c, -1, Integer::sum);
    }
    long missing = 0;
    long extra = 0;
    List<String> examples = new ArrayList<>();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      int n = e.getValue();
      if (n > 0) {
        missing += n;
        if (examples.size() < 5) {
          examples.add("missing: " + e.getKey());
        }
      } else if (n < 0) {
        extra -= n;
        if (examples.size() < 5) {
          examples.add("extra (" + -n + "x): " + e.getKey());
        }
      }
    }
    return new SinkCheck(expected.size(), committed.size(), missing, extra, examples);
  }
}
