package dev.tributary.graph;

/**
 * Emits each keyed record as it is, with its timestamp, and passes watermarks on; keeps no state
 * and sets no timers. Jobs do not use it: {@link dev.tributary.JobGraph#withSinksBehindKeyBy} puts
 * it, behind a {@code keyBy} on a constant key, in front of a sink that no {@code keyBy} feeds, so
 * that the Lambda functions commit that sink's outputs with a keyed stage's checkpoint.
 */
public record ForwardSpec() implements OperatorSpec {
  @Override
  public String describe() {
    return "";
  }

  @Override
  public String kind() {
    return "forward";
  }
}
