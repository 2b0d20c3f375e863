package dev.tributary.functions;

/**
 * A {@link FlatMapFunction} with {@code open}/{@code close}.
 *
 * @param <T> input type
 * @param <R> output type
 */
public abstract class RichFlatMapFunction<T, R> extends AbstractRichFunction
    implements FlatMapFunction<T, R> {}
