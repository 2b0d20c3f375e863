package dev.tributary.windowing;

import java.util.Collection;

/**
 * A window assigner whose windows merge when they overlap (session windows).
 *
 * @param <W> window type
 */
public abstract class MergingWindowAssigner<W extends Window> extends WindowAssigner<W> {

  /** Reports which of {@code windows} merge into which window. */
  public abstract void mergeWindows(Collection<W> windows, MergeCallback<W> callback);

  /**
   * Receives the result of {@link #mergeWindows}.
   *
   * @param <W> window type
   */
  @FunctionalInterface
  public interface MergeCallback<W> {
    /** {@code toBeMerged} (two or more windows) become {@code mergeResult}. */
    void merge(Collection<W> toBeMerged, W mergeResult);
  }
}
