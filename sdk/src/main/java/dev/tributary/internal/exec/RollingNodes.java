package dev.tributary.internal.exec;

import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.ReduceFunction;
import dev.tributary.graph.AggregateSpec;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.ReduceSpec;
import dev.tributary.serde.Serde;
import dev.tributary.spi.StateNamespace;
import dev.tributary.state.ValueStateDescriptor;

/** {@code KeyedStream.reduce} and {@code KeyedStream.aggregate}: a running result per key. */
final class RollingNodes {
  private RollingNodes() {}

  /** The name of the state a rolling reduce or aggregate keeps. */
  static final String STATE_NAME = "_t.rolling";

  @SuppressWarnings("unchecked")
  static ValueStateDescriptor<Object> descriptor(Serde<?> serde) {
    return new ValueStateDescriptor<>(STATE_NAME, (Serde<Object>) serde);
  }

  static final class Reduce extends KeyedNode {
    private final ReduceFunction<Object> function;
    private final Serde<?> serde;
    private int slot;

    @SuppressWarnings("unchecked")
    Reduce(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
      super(node, context, keyBy);
      ReduceSpec spec = (ReduceSpec) node.spec();
      this.function = (ReduceFunction<Object>) spec.function();
      this.serde = spec.valueSerde();
    }

    @Override
    void open() {
      super.open();
      slot = store.register(descriptor(serde));
      StatelessNodes.open(this, function, null);
    }

    @Override
    void close() {
      StatelessNodes.close(this, function);
    }

    @Override
    void processKeyed(Object key, Object value, long timestamp) {
      keys.setCurrentKey(key);
      Object current = keys.entry().get(slot, StateNamespace.VOID);
      Object next;
      try {
        next = current == null ? value : function.reduce(current, value);
      } catch (Exception | LinkageError e) {
        throw failure("on element " + Elements.describe(value) + " of key " + key, e);
      }
      keys.entry().put(slot, StateNamespace.VOID, next);
      emit(next, timestamp);
    }
  }

  static final class Aggregate extends KeyedNode {
    private final AggregateFunction<Object, Object, Object> function;
    private final Serde<?> serde;
    private int slot;

    @SuppressWarnings("unchecked")
    Aggregate(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
      super(node, context, keyBy);
      AggregateSpec spec = (AggregateSpec) node.spec();
      this.function = (AggregateFunction<Object, Object, Object>) spec.function();
      this.serde = spec.accumulatorSerde();
    }

    @Override
    void open() {
      super.open();
      slot = store.register(descriptor(serde));
      StatelessNodes.open(this, function, null);
    }

    @Override
    void close() {
      StatelessNodes.close(this, function);
    }

    @Override
    void processKeyed(Object key, Object value, long timestamp) {
      keys.setCurrentKey(key);
      Object acc = keys.entry().get(slot, StateNamespace.VOID);
      Object result;
      try {
        if (acc == null) {
          acc = function.createAccumulator();
        }
        acc = function.add(value, acc);
        result = function.getResult(acc);
      } catch (RuntimeException | LinkageError e) {
        throw failure("on element " + Elements.describe(value) + " of key " + key, e);
      }
      keys.entry().put(slot, StateNamespace.VOID, acc);
      emit(result, timestamp);
    }
  }
}
