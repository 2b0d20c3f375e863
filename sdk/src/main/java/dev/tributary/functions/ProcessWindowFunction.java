package dev.tributary.functions;

import dev.tributary.OutputTag;
import dev.tributary.state.KeyedStateStore;
import dev.tributary.windowing.Window;

/**
 * Sees all elements of a window (or, combined with a reduce or aggregate function, the single
 * pre-aggregated result) when the window fires, with the key and the window. Emitted elements carry
 * the window's max timestamp.
 *
 * @param <IN> input type (the element, or the pre-aggregated result)
 * @param <OUT> output type
 * @param <K> key type
 * @param <W> window type
 */
public abstract class ProcessWindowFunction<IN, OUT, K, W extends Window>
    extends AbstractRichFunction {

  /** Evaluates a window that fired. */
  public abstract void process(K key, Context context, Iterable<IN> elements, Collector<OUT> out)
      throws Exception;

  /**
   * Called when a window is purged (after its allowed lateness): clear the per-window state you
   * created through {@link Context#windowState()} here.
   */
  public void clear(Context context) throws Exception {}

  /** What a {@link ProcessWindowFunction} sees while evaluating a window. */
  public abstract class Context {
    /** The window being evaluated. */
    public abstract W window();

    /** The current processing time. */
    public abstract long currentProcessingTime();

    /** The current watermark. */
    public abstract long currentWatermark();

    /** Keyed state scoped to the current key and this window. */
    public abstract KeyedStateStore windowState();

    /** Keyed state scoped to the current key, shared by all its windows. */
    public abstract KeyedStateStore globalState();

    /** Emits a value to a side output. */
    public abstract <X> void output(OutputTag<X> tag, X value);
  }
}
