package dev.tributary.functions;

/**
 * A {@link FilterFunction} with {@code open}/{@code close}.
 *
 * @param <T> element type
 */
public abstract class RichFilterFunction<T> extends AbstractRichFunction
    implements FilterFunction<T> {}
