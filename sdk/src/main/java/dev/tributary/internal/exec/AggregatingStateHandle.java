package dev.tributary.internal.exec;

import dev.tributary.functions.AggregateFunction;
import dev.tributary.state.AggregatingState;
import dev.tributary.state.AggregatingStateDescriptor;

final class AggregatingStateHandle<IN, ACC, OUT> extends StateHandle
    implements AggregatingState<IN, OUT> {
  private final AggregateFunction<IN, ACC, OUT> function;

  AggregatingStateHandle(
      KeyContext keys, AggregatingStateDescriptor<IN, ACC, OUT> descriptor, NamespaceSource ns) {
    super(keys, descriptor, ns);
    this.function = descriptor.aggregateFunction();
  }

  @SuppressWarnings("unchecked")
  private ACC accumulator() {
    Object stored = cell();
    Object value = unwrap(stored, this::setCell);
    if (value == null && stored != null) {
      clear();
    }
    return (ACC) value;
  }

  @Override
  public OUT get() {
    ACC acc = accumulator();
    return acc == null ? null : function.getResult(acc);
  }

  @Override
  public void add(IN value) {
    ACC acc = accumulator();
    if (acc == null) {
      acc = function.createAccumulator();
    }
    setCell(wrap(function.add(value, acc)));
  }
}
