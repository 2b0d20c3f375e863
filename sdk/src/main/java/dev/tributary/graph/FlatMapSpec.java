package dev.tributary.graph;

import dev.tributary.functions.FlatMapFunction;

/**
 * A flatMap.
 *
 * @param function the user function
 */
public record FlatMapSpec(FlatMapFunction<?, ?> function) implements OperatorSpec {
  @Override
  public String describe() {
    return Functions.describe(function);
  }

  @Override
  public String kind() {
    return "flatMap";
  }
}
