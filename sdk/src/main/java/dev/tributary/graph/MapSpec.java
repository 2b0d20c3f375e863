package dev.tributary.graph;

import dev.tributary.functions.MapFunction;

/**
 * A map.
 *
 * @param function the user function
 */
public record MapSpec(MapFunction<?, ?> function) implements OperatorSpec {
  @Override
  public String describe() {
    return Functions.describe(function);
  }

  @Override
  public String kind() {
    return "map";
  }
}
