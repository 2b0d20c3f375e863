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

  /** The state, lifecycle and function every rolling node shares. */
  abstract static class Rolling extends KeyedNode {
    private final Object function;
    private final Serde<?> serde;
    int slot;

    Rolling(
        GraphNode node,
        ExecutionContext context,
        KeyBySpec keyBy,
        Object function,
        Serde<?> serde) {
      super(node, context, keyBy);
      this.function = function;
      this.serde = serde;
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
  }

  static final class Reduce extends Rolling {
    private final ReduceFunction<Object> function;

    @SuppressWarnings("unchecked")
    Reduce(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
      super(
          node,
          context,
          keyBy,
          ((ReduceSpec) node.spec()).function(),
          ((ReduceSpec) node.spec()).valueSerde());
      this.function = (ReduceFunction<Object>) ((ReduceSpec) node.spec()).function();
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

  static final class Aggregate extends Rolling {
    private final AggregateFunction<Object, Object, Object> function;

    @SuppressWarnings("unchecked")
    Aggregate(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
      super(
          node,
          context,
          keyBy,
          ((AggregateSpec) node.spec()).function(),
          ((AggregateSpec) node.spec()).accumulatorSerde());
      this.function =
          (AggregateFunction<Object, Object, Object>) ((AggregateSpec) node.spec()).function();
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
