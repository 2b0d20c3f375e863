package dev.tributary.state;

import dev.tributary.serde.Serde;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Declares one keyed state: its name (unique within the operator, stable across deployments, since
 * stored state is found by it), its serde and an optional TTL. User code never sees how a backend
 * stores it.
 *
 * @param <T> the stored value type (the element type for lists, the accumulator for aggregating)
 */
public abstract sealed class StateDescriptor<T>
    permits ValueStateDescriptor,
        ListStateDescriptor,
        MapStateDescriptor,
        ReducingStateDescriptor,
        AggregatingStateDescriptor {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  /** The kinds of keyed state. */
  public enum Kind {
    /** {@link ValueState}. */
    VALUE,
    /** {@link ListState}. */
    LIST,
    /** {@link MapState}. */
    MAP,
    /** {@link ReducingState}. */
    REDUCING,
    /** {@link AggregatingState}. */
    AGGREGATING
  }

  private final String name;
  private final Serde<T> serde;
  private final StateTtlConfig ttl;

  StateDescriptor(String name, Serde<T> serde, StateTtlConfig ttl, String serdeHint) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " name is '"
              + name
              + "'; a state name is 1 to 64 characters of letters, digits, '_', '.' or '-', "
              + "and must stay the same across deployments");
    }
    if (serde == null) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " '"
              + name
              + "' has no serde; state is stored outside the JVM on AWS, so pass one, e.g. "
              + serdeHint);
    }
    this.name = name;
    this.serde = serde;
    this.ttl = ttl;
  }

  /** The state's name. */
  public final String name() {
    return name;
  }

  /** The serde of the stored values. */
  public final Serde<T> serde() {
    return serde;
  }

  /** The TTL, or null if values never expire. */
  public final StateTtlConfig ttl() {
    return ttl;
  }

  /** The kind of state. */
  public abstract Kind kind();

  /** A copy with a time-to-live. */
  public abstract StateDescriptor<T> withTtl(StateTtlConfig ttl);

  @Override
  public final boolean equals(Object o) {
    return o instanceof StateDescriptor<?> other
        && other.kind() == kind()
        && other.name.equals(name)
        && Objects.equals(other.ttl, ttl);
  }

  @Override
  public final int hashCode() {
    return Objects.hash(kind(), name);
  }

  @Override
  public String toString() {
    return kind().name().toLowerCase()
        + "('"
        + name
        + "', "
        + serde.describe()
        + (ttl == null ? "" : ", ttl=" + ttl.ttl())
        + ")";
  }
}
