package dev.tributary.graph;

import dev.tributary.serde.Serde;

/**
 * A sink, named logically; the runtime binds the name to a table, topic, stream or collector.
 *
 * @param sinkName the logical name
 * @param serde how elements are written when they leave the JVM
 */
public record SinkSpec(String sinkName, Serde<?> serde) implements OperatorSpec {
  @Override
  public String describe() {
    return "serde=" + serde.describe();
  }

  @Override
  public String kind() {
    return "sink";
  }
}
