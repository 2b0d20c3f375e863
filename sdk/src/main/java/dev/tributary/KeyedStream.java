package dev.tributary;

import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.ReduceFunction;
import dev.tributary.graph.AggregateSpec;
import dev.tributary.graph.KeyedProcessSpec;
import dev.tributary.graph.ReduceSpec;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import dev.tributary.windowing.Window;
import dev.tributary.windowing.WindowAssigner;

/**
 * A stream partitioned by key: every operator on it sees one key at a time, with that key's state
 * and timers. On AWS this is where records cross from the coordinator to the operator slot that
 * owns the key's key group.
 *
 * @param <K> key type
 * @param <T> element type
 */
public final class KeyedStream<K, T> {
  private final StreamEnvironment env;
  private final int nodeId;

  KeyedStream(StreamEnvironment env, int nodeId) {
    this.env = env;
    this.nodeId = nodeId;
  }

  /** Processes each element with the key's state and timers. Needs a {@code uid}. */
  public <R> DataStream<R> process(KeyedProcessFunction<K, T, R> function) {
    return input()
        .add(
            new KeyedProcessSpec(DataStream.require(function, "process", "function")),
            "KeyedProcess");
  }

  /** Reduces each key's elements, emitting the running result after every element. */
  public DataStream<T> reduce(ReduceFunction<T> reducer) {
    DataStream.require(reducer, "reduce", "reducer");
    DataStream<T> out = input().add(new ReduceSpec(reducer, elementSerde()), "Reduce");
    env.graph.get(out.nodeId).outputSerde = env.graph.get(nodeId).outputSerde;
    return out;
  }

  /**
   * Aggregates each key's elements, emitting the running result after every element; the
   * accumulator is stored as JSON with its type.
   */
  public <A, R> DataStream<R> aggregate(AggregateFunction<T, A, R> function) {
    return aggregate(function, Serdes.jsonWithType());
  }

  /** Aggregates each key's elements with an explicit accumulator serde. */
  public <A, R> DataStream<R> aggregate(
      AggregateFunction<T, A, R> function, Serde<A> accumulatorSerde) {
    DataStream.require(function, "aggregate", "function");
    DataStream.require(accumulatorSerde, "aggregate", "accumulatorSerde");
    return input().add(new AggregateSpec(function, accumulatorSerde), "Aggregate");
  }

  /** Groups each key's elements into windows. */
  public <W extends Window> WindowedStream<T, K, W> window(WindowAssigner<W> assigner) {
    return new WindowedStream<>(this, DataStream.require(assigner, "window", "assigner"));
  }

  DataStream<T> input() {
    return new DataStream<>(env, nodeId);
  }

  @SuppressWarnings("unchecked")
  Serde<T> elementSerde() {
    Serde<T> serde = (Serde<T>) env.graph.get(nodeId).outputSerde;
    return serde != null ? serde : Serdes.jsonWithType();
  }
}
