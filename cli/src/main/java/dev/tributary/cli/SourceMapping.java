package dev.tributary.cli;

/** A running event source mapping: its progress, and {@link #close()} to stop it. */
public interface SourceMapping extends AutoCloseable {
  /** What it has delivered so far. */
  MappingProgress progress();

  /** The on-failure destination's records so far (AWS's invocation records, as JSON). */
  java.util.List<String> onFailure();

  @Override
  void close();

  /**
   * A mapping whose progress {@code progress} reports, whose on-failure records collect in {@code
   * failures}, and which {@code stop} stops.
   */
  static SourceMapping of(
      java.util.function.Supplier<MappingProgress> progress,
      java.util.List<String> failures,
      Runnable stop) {
    return new SourceMapping() {
      @Override
      public MappingProgress progress() {
        return progress.get();
      }

      @Override
      public java.util.List<String> onFailure() {
        return java.util.List.copyOf(failures);
      }

      @Override
      public void close() {
        stop.run();
      }
    };
  }
}
