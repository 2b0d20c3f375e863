package dev.tributary.graph;

import dev.tributary.functions.ProcessFunction;

/**
 * A process function on a non-keyed stream.
 *
 * @param function the user function
 */
public record ProcessSpec(ProcessFunction<?, ?> function) implements OperatorSpec {
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
    return "process";
  }
}
