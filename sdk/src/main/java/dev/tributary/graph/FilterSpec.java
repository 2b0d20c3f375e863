package dev.tributary.graph;

import dev.tributary.functions.FilterFunction;

/**
 * A filter.
 *
 * @param function the user function
 */
public record FilterSpec(FilterFunction<?> function) implements OperatorSpec {
  @Override
  public String describe() {
    return Functions.describe(function);
  }

  @Override
  public String kind() {
    return "filter";
  }
}
