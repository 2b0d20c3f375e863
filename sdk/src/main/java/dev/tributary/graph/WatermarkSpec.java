package dev.tributary.graph;

import dev.tributary.eventtime.WatermarkStrategy;

/**
 * Assigns timestamps and generates watermarks.
 *
 * @param strategy the watermark strategy
 */
public record WatermarkSpec(WatermarkStrategy<?> strategy) implements OperatorSpec {
  @Override
  public String describe() {
    return strategy.describe();
  }

  @Override
  public String kind() {
    return "timestamps/watermarks";
  }
}
