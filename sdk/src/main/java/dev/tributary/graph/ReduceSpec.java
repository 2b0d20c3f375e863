package dev.tributary.graph;

import dev.tributary.functions.ReduceFunction;
import dev.tributary.serde.Serde;

/**
 * A rolling reduce per key: emits the reduced value after every element.
 *
 * @param function the reduce function
 * @param valueSerde the serde of the reduced value in state
 */
public record ReduceSpec(ReduceFunction<?> function, Serde<?> valueSerde) implements OperatorSpec {
  @Override
  public boolean stateful() {
    return true;
  }

  @Override
  public String describe() {
    return Functions.describe(function) + " state=" + valueSerde.describe();
  }

  @Override
  public String kind() {
    return "reduce";
  }
}
