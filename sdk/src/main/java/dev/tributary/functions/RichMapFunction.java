package dev.tributary.functions;

/**
 * A {@link MapFunction} with {@code open}/{@code close}.
 *
 * @param <T> input type
 * @param <R> output type
 */
public abstract class RichMapFunction<T, R> extends AbstractRichFunction
    implements MapFunction<T, R> {}
