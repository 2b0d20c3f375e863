package dev.tributary.functions;

import dev.tributary.OutputTag;

/**
 * The low-level function of keyed streams, as in Flink: each element of a key with the key's state
 * and timers, {@link #onTimer} when a timer fires. Declare state in {@link #open} through {@link
 * #getRuntimeContext()}; the state seen is always the current key's.
 *
 * @param <K> key type
 * @param <I> input type
 * @param <O> output type
 */
public abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {

  /** Handles one element of the current key. */
  public abstract void processElement(I value, Context ctx, Collector<O> out) throws Exception;

  /** Called when a timer of the current key fires; emitted elements carry the timer's timestamp. */
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<O> out) throws Exception {}

  /** What a {@link KeyedProcessFunction} can see and do while handling an element. */
  public abstract class Context {
    /** The element's timestamp (the timer's, in {@link #onTimer}), or null if it has none. */
    public abstract Long timestamp();

    /** Timers of the current key. */
    public abstract TimerService timerService();

    /** Emits a value to a side output. */
    public abstract <X> void output(OutputTag<X> tag, X value);

    /** The key of the element or timer being handled. */
    public abstract K getCurrentKey();
  }

  /** The context of {@link #onTimer}: also tells which clock fired the timer. */
  public abstract class OnTimerContext extends Context {
    /** Whether the watermark or the processing-time clock fired the timer. */
    public abstract TimeDomain timeDomain();
  }
}
