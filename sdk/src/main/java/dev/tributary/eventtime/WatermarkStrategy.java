package dev.tributary.eventtime;

import dev.tributary.internal.graph.DurationFormat;
import java.time.Duration;
import java.util.Objects;

/**
 * How an input gets timestamps and watermarks, as Flink's class of the same name: a timestamp
 * assigner, a watermark generator and an optional idleness timeout. Immutable; the {@code with}
 * methods return copies.
 *
 * @param <T> element type
 */
public final class WatermarkStrategy<T> {
  private final WatermarkGeneratorSupplier<T> generatorSupplier;
  private final TimestampAssigner<T> timestampAssigner;
  private final Duration idleness;
  private final String description;

  private WatermarkStrategy(
      WatermarkGeneratorSupplier<T> generatorSupplier,
      TimestampAssigner<T> timestampAssigner,
      Duration idleness,
      String description) {
    this.generatorSupplier = generatorSupplier;
    this.timestampAssigner = timestampAssigner;
    this.idleness = idleness;
    this.description = description;
  }

  /**
   * Watermarks that trail the highest timestamp seen by {@code maxOutOfOrderness}; elements later
   * than that are late.
   */
  public static <T> WatermarkStrategy<T> forBoundedOutOfOrderness(Duration maxOutOfOrderness) {
    new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness); // validates
    return new WatermarkStrategy<>(
        ctx -> new BoundedOutOfOrdernessWatermarks<>(maxOutOfOrderness),
        null,
        null,
        "boundedOutOfOrderness(" + DurationFormat.of(maxOutOfOrderness) + ")");
  }

  /** Watermarks for timestamps that never decrease: the watermark is the highest timestamp - 1. */
  public static <T> WatermarkStrategy<T> forMonotonousTimestamps() {
    return new WatermarkStrategy<>(
        ctx -> new BoundedOutOfOrdernessWatermarks<>(Duration.ZERO),
        null,
        null,
        "monotonousTimestamps");
  }

  /** A custom generator. */
  public static <T> WatermarkStrategy<T> forGenerator(WatermarkGeneratorSupplier<T> supplier) {
    Objects.requireNonNull(supplier, "WatermarkStrategy.forGenerator(supplier): supplier is null");
    return new WatermarkStrategy<>(supplier, null, null, "custom(" + supplier.getClass() + ")");
  }

  /** No watermarks: event-time windows and timers never fire. */
  public static <T> WatermarkStrategy<T> noWatermarks() {
    return new WatermarkStrategy<>(ctx -> new NoWatermarks<>(), null, null, "noWatermarks");
  }

  /**
   * A copy that reads timestamps with {@code assigner} instead of the source's record timestamp.
   */
  public WatermarkStrategy<T> withTimestampAssigner(TimestampAssigner<T> assigner) {
    Objects.requireNonNull(assigner, "withTimestampAssigner(assigner): assigner is null");
    return new WatermarkStrategy<>(generatorSupplier, assigner, idleness, description);
  }

  /**
   * A copy that marks the input idle when it has had no element for {@code timeout} of processing
   * time, so that it does not hold back the watermark of a union or of the whole job.
   */
  public WatermarkStrategy<T> withIdleness(Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException(
          "withIdleness(timeout): timeout is " + timeout + "; it must be positive");
    }
    return new WatermarkStrategy<>(generatorSupplier, timestampAssigner, timeout, description);
  }

  /** The timestamp assigner, or null to keep the source's record timestamps. */
  public TimestampAssigner<T> timestampAssigner() {
    return timestampAssigner;
  }

  /** The idleness timeout, or null. */
  public Duration idleness() {
    return idleness;
  }

  /** Whether this strategy produces watermarks at all. */
  public boolean producesWatermarks() {
    return !"noWatermarks".equals(description);
  }

  /** Creates the generator for one input, wrapped for idleness if configured. */
  public WatermarkGenerator<T> createWatermarkGenerator(
      WatermarkGeneratorSupplier.Context context) {
    WatermarkGenerator<T> generator = generatorSupplier.createWatermarkGenerator(context);
    return idleness == null
        ? generator
        : new IdlenessAwareGenerator<>(generator, idleness, context);
  }

  /** For {@code JobGraph.describe()}. */
  public String describe() {
    return description
        + (timestampAssigner == null ? "" : " with timestamp assigner")
        + (idleness == null ? "" : " idleness=" + DurationFormat.of(idleness));
  }

  @Override
  public String toString() {
    return describe();
  }

  private static final class NoWatermarks<T> implements WatermarkGenerator<T> {
    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }

  /** Flink's idleness rule: idle after {@code timeout} of processing time without an element. */
  private static final class IdlenessAwareGenerator<T> implements WatermarkGenerator<T> {
    private final WatermarkGenerator<T> delegate;
    private final long timeoutMillis;
    private final WatermarkGeneratorSupplier.Context clock;
    private long lastActivity;
    private boolean idle;

    IdlenessAwareGenerator(
        WatermarkGenerator<T> delegate,
        Duration timeout,
        WatermarkGeneratorSupplier.Context clock) {
      this.delegate = delegate;
      this.timeoutMillis = timeout.toMillis();
      this.clock = clock;
      this.lastActivity = clock.currentProcessingTime();
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
      lastActivity = clock.currentProcessingTime();
      if (idle) {
        idle = false;
        output.markActive();
      }
      delegate.onEvent(event, eventTimestamp, output);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      if (!idle && clock.currentProcessingTime() - lastActivity >= timeoutMillis) {
        idle = true;
        output.markIdle();
      }
      if (!idle) {
        delegate.onPeriodicEmit(output);
      }
    }
  }
}
