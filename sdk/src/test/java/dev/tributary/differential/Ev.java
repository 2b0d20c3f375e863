package dev.tributary.differential;

import java.io.Serializable;

/** The event of the differential tests: a key, an event time and a value. */
public record Ev(String key, long ts, long value) implements Serializable {}
