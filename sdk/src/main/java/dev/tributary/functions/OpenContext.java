package dev.tributary.functions;

/**
 * Passed to {@link RichFunction#open} when an operator starts. Reserved for future settings; state
 * is reached through {@link RuntimeContext}.
 */
public interface OpenContext {}
