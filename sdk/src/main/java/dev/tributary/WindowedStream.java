package dev.tributary;

import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.ProcessWindowFunction;
import dev.tributary.functions.ReduceFunction;
import dev.tributary.graph.WindowSpec;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.Window;
import dev.tributary.windowing.WindowAssigner;
import java.time.Duration;

/**
 * A keyed stream grouped into windows, as Flink's {@code WindowedStream}: set lateness handling,
 * then finish with {@code reduce}, {@code aggregate} or {@code process}. Incremental functions keep
 * one value per window; {@code process} alone keeps every element.
 *
 * @param <T> element type
 * @param <K> key type
 * @param <W> window type
 */
public final class WindowedStream<T, K, W extends Window> {
  private final KeyedStream<K, T> input;
  private final WindowAssigner<W> assigner;
  private long allowedLatenessMillis;
  private OutputTag<T> lateDataTag;

  WindowedStream(KeyedStream<K, T> input, WindowAssigner<W> assigner) {
    this.input = input;
    this.assigner = assigner;
  }

  /**
   * Keeps windows open for late elements for {@code lateness} after the watermark passed their end;
   * each late element fires the window again with the updated result.
   */
  public WindowedStream<T, K, W> allowedLateness(Duration lateness) {
    if (lateness == null || lateness.isNegative()) {
      throw new IllegalArgumentException(
          "allowedLateness is " + lateness + "; it must be zero or positive");
    }
    this.allowedLatenessMillis = lateness.toMillis();
    return this;
  }

  /**
   * Sends elements too late for every window to the side output {@code tag} instead of dropping
   * them.
   */
  public WindowedStream<T, K, W> sideOutputLateData(OutputTag<T> tag) {
    this.lateDataTag = DataStream.require(tag, "sideOutputLateData", "tag");
    return this;
  }

  /** Reduces each window's elements to one value, emitted when the window fires. */
  public DataStream<T> reduce(ReduceFunction<T> reducer) {
    DataStream.require(reducer, "reduce", "reducer");
    return add(reducer, null, null, input.elementSerde());
  }

  /** Reduces each window incrementally and hands the result to {@code function} when it fires. */
  public <R> DataStream<R> reduce(
      ReduceFunction<T> reducer, ProcessWindowFunction<T, R, K, W> function) {
    DataStream.require(reducer, "reduce", "reducer");
    DataStream.require(function, "reduce", "function");
    return add(reducer, null, function, input.elementSerde());
  }

  /** Aggregates each window incrementally; the accumulator is stored as JSON with its type. */
  public <A, R> DataStream<R> aggregate(AggregateFunction<T, A, R> function) {
    return aggregate(function, Serdes.jsonWithType());
  }

  /** Aggregates each window incrementally with an explicit accumulator serde. */
  public <A, R> DataStream<R> aggregate(
      AggregateFunction<T, A, R> function, Serde<A> accumulatorSerde) {
    DataStream.require(function, "aggregate", "function");
    DataStream.require(accumulatorSerde, "aggregate", "accumulatorSerde");
    return add(null, function, null, accumulatorSerde);
  }

  /** Aggregates each window incrementally and hands the result to {@code windowFunction}. */
  public <A, V, R> DataStream<R> aggregate(
      AggregateFunction<T, A, V> function, ProcessWindowFunction<V, R, K, W> windowFunction) {
    return aggregate(function, Serdes.jsonWithType(), windowFunction);
  }

  /** As {@link #aggregate(AggregateFunction, ProcessWindowFunction)} with an accumulator serde. */
  public <A, V, R> DataStream<R> aggregate(
      AggregateFunction<T, A, V> function,
      Serde<A> accumulatorSerde,
      ProcessWindowFunction<V, R, K, W> windowFunction) {
    DataStream.require(function, "aggregate", "function");
    DataStream.require(accumulatorSerde, "aggregate", "accumulatorSerde");
    DataStream.require(windowFunction, "aggregate", "windowFunction");
    return add(null, function, windowFunction, accumulatorSerde);
  }

  /** Hands all elements of a window to {@code function} when it fires. */
  public <R> DataStream<R> process(ProcessWindowFunction<T, R, K, W> function) {
    DataStream.require(function, "process", "function");
    return add(null, null, function, input.elementSerde());
  }

  private <R> DataStream<R> add(
      ReduceFunction<?> reducer,
      AggregateFunction<?, ?, ?> aggregate,
      ProcessWindowFunction<?, ?, ?, ?> process,
      Serde<?> stateSerde) {
    WindowSpec spec =
        new WindowSpec(
            assigner, allowedLatenessMillis, lateDataTag, reducer, aggregate, process, stateSerde);
    return input.input().add(spec, "Window");
  }
}
