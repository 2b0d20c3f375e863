package dev.tributary.graph;

import dev.tributary.OutputTag;

/**
 * Selects one side output of its input operator as a stream.
 *
 * @param tag the side output
 */
public record SideOutputSpec(OutputTag<?> tag) implements OperatorSpec {
  @Override
  public String describe() {
    return tag.id();
  }

  @Override
  public String kind() {
    return "sideOutput";
  }
}
