package dev.tributary.functions;

import dev.tributary.OutputTag;

/**
 * The low-level function of non-keyed streams: each element with its timestamp, the ability to emit
 * to side outputs. Timers and keyed state need a keyed stream ({@link KeyedProcessFunction}).
 *
 * @param <I> input type
 * @param <O> output type
 */
public abstract class ProcessFunction<I, O> extends AbstractRichFunction {

  /** Handles one element. */
  public abstract void processElement(I value, Context ctx, Collector<O> out) throws Exception;

  /** What a {@link ProcessFunction} can see and do while handling an element. */
  public abstract class Context {
    /** The element's timestamp, or null if it has none. */
    public abstract Long timestamp();

    /** Processing time and watermark; registering timers fails on a non-keyed stream. */
    public abstract TimerService timerService();

    /** Emits a value to a side output. */
    public abstract <X> void output(OutputTag<X> tag, X value);
  }
}
