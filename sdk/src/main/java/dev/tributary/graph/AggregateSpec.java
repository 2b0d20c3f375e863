package dev.tributary.graph;

import dev.tributary.functions.AggregateFunction;
import dev.tributary.serde.Serde;

/**
 * A rolling aggregate per key: emits the aggregate's result after every element.
 *
 * @param function the aggregate function
 * @param accumulatorSerde the serde of the accumulator in state
 */
public record AggregateSpec(AggregateFunction<?, ?, ?> function, Serde<?> accumulatorSerde)
    implements OperatorSpec {
  @Override
  public boolean stateful() {
    return true;
  }

  @Override
  public String describe() {
    return Functions.describe(function) + " state=" + accumulatorSerde.describe();
  }

  @Override
  public String kind() {
    return "aggregate";
  }
}
