package dev.tributary.internal.exec;

import dev.tributary.functions.RuntimeContext;
import dev.tributary.state.AggregatingState;
import dev.tributary.state.AggregatingStateDescriptor;
import dev.tributary.state.KeyedStateStore;
import dev.tributary.state.ListState;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.ReducingState;
import dev.tributary.state.ReducingStateDescriptor;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;

/** The runtime context of one operator; keyed state only when the operator is keyed. */
final class RuntimeContextImpl implements RuntimeContext {
  private final RuntimeNode node;
  private final KeyedStateStore keyedState;

  RuntimeContextImpl(RuntimeNode node, KeyedStateStore keyedState) {
    this.node = node;
    this.keyedState = keyedState;
  }

  private KeyedStateStore keyed(String stateName) {
    if (keyedState == null) {
      throw new IllegalStateException(
          "operator '"
              + node.node.name()
              + "' asks for keyed state '"
              + stateName
              + "' but its input is not keyed; keyed state needs keyBy(...) before the operator"
              + " (use a KeyedProcessFunction)");
    }
    return keyedState;
  }

  private static String name(Object descriptor) {
    return descriptor == null
        ? "null"
        : ((dev.tributary.state.StateDescriptor<?>) descriptor).name();
  }

  @Override
  public String getJobName() {
    return node.context.jobName;
  }

  @Override
  public String getOperatorName() {
    return node.node.name();
  }

  @Override
  public String getOperatorUid() {
    return node.node.uid();
  }

  @Override
  public int getMaxKeyGroups() {
    return node.context.maxKeyGroups;
  }

  @Override
  public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
    return keyed(name(descriptor)).getState(descriptor);
  }

  @Override
  public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
    return keyed(name(descriptor)).getListState(descriptor);
  }

  @Override
  public <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor) {
    return keyed(name(descriptor)).getMapState(descriptor);
  }

  @Override
  public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
    return keyed(name(descriptor)).getReducingState(descriptor);
  }

  @Override
  public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
      AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
    return keyed(name(descriptor)).getAggregatingState(descriptor);
  }
}
