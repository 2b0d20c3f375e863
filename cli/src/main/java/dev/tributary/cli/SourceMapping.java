package dev.tributary.cli;

/** A running event source mapping: its progress, and {@link #close()} to stop it. */
public interface SourceMapping extends AutoCloseable {
  /** What it has delivered so far. */
  MappingProgress progress();

  @Override
  void close();
}
