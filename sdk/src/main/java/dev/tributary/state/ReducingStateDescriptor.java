package dev.tributary.state;

import dev.tributary.functions.ReduceFunction;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import java.util.Objects;

/**
 * Declares a {@link ReducingState}.
 *
 * @param <T> value type
 */
public final class ReducingStateDescriptor<T> extends StateDescriptor<T> {
  private final ReduceFunction<T> reduceFunction;

  /** A reducing state folding with {@code reduceFunction}, stored with {@code serde}. */
  public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, Serde<T> serde) {
    this(name, reduceFunction, serde, null);
  }

  /** A reducing state stored with the natural serde of {@code type}. */
  public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, Class<T> type) {
    this(name, reduceFunction, type == null ? null : Serdes.of(type), null);
  }

  private ReducingStateDescriptor(
      String name, ReduceFunction<T> reduceFunction, Serde<T> serde, StateTtlConfig ttl) {
    super(
        name, serde, ttl, "new ReducingStateDescriptor<>(\"" + name + "\", Long::sum, Long.class)");
    this.reduceFunction =
        Objects.requireNonNull(
            reduceFunction, "ReducingStateDescriptor '" + name + "' has no reduce function");
  }

  /** The function that folds values in. */
  public ReduceFunction<T> reduceFunction() {
    return reduceFunction;
  }

  @Override
  public Kind kind() {
    return Kind.REDUCING;
  }

  @Override
  public ReducingStateDescriptor<T> withTtl(StateTtlConfig ttl) {
    return new ReducingStateDescriptor<>(name(), reduceFunction, serde(), ttl);
  }
}
