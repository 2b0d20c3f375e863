package dev.tributary.state;

import dev.tributary.functions.AggregateFunction;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import java.util.Objects;

/**
 * Declares an {@link AggregatingState}; {@link #serde()} is the accumulator's serde.
 *
 * @param <IN> added value type
 * @param <ACC> accumulator type
 * @param <OUT> result type
 */
public final class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<ACC> {
  private final AggregateFunction<IN, ACC, OUT> aggregateFunction;

  /** An aggregating state whose accumulator is stored with {@code accumulatorSerde}. */
  public AggregatingStateDescriptor(
      String name, AggregateFunction<IN, ACC, OUT> aggregateFunction, Serde<ACC> accumulatorSerde) {
    this(name, aggregateFunction, accumulatorSerde, null);
  }

  /** An aggregating state whose accumulator uses the natural serde of {@code accumulatorType}. */
  public AggregatingStateDescriptor(
      String name, AggregateFunction<IN, ACC, OUT> aggregateFunction, Class<ACC> accumulatorType) {
    this(
        name, aggregateFunction, accumulatorType == null ? null : Serdes.of(accumulatorType), null);
  }

  private AggregatingStateDescriptor(
      String name,
      AggregateFunction<IN, ACC, OUT> aggregateFunction,
      Serde<ACC> serde,
      StateTtlConfig ttl) {
    super(
        name,
        serde,
        ttl,
        "new AggregatingStateDescriptor<>(\"" + name + "\", new Average(), AverageAcc.class)");
    this.aggregateFunction =
        Objects.requireNonNull(
            aggregateFunction,
            "AggregatingStateDescriptor '" + name + "' has no aggregate function");
  }

  /** The aggregate function. */
  public AggregateFunction<IN, ACC, OUT> aggregateFunction() {
    return aggregateFunction;
  }

  @Override
  public Kind kind() {
    return Kind.AGGREGATING;
  }

  @Override
  public AggregatingStateDescriptor<IN, ACC, OUT> withTtl(StateTtlConfig ttl) {
    return new AggregatingStateDescriptor<>(name(), aggregateFunction, serde(), ttl);
  }
}
