package dev.tributary.cli;

/** A running event source mapping: its progress, and {@link #close()} to stop it. */
public interface SourceMapping extends AutoCloseable {
  /** What it has delivered so far. */
  MappingProgress progress();

  /** The on-failure destination's records so far (AWS's invocation records, as JSON). */
  java.util.List<String> onFailure();

  @Override
  void close();
}
