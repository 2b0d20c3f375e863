package dev.tributary.graph;

import dev.tributary.functions.KeyedProcessFunction;

/**
 * A keyed process function.
 *
 * @param function the user function
 */
public record KeyedProcessSpec(KeyedProcessFunction<?, ?, ?> function) implements OperatorSpec {
  @Override
  public boolean stateful() {
    return true;
  }

  @Override
  public boolean emitsSideOutputs() {
    return true;
  }

  @Override
  public String describe() {
    return Functions.describe(function);
  }

  @Override
  public String kind() {
    return "keyedProcess";
  }
}
