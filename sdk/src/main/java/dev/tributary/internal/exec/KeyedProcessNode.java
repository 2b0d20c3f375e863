package dev.tributary.internal.exec;

import dev.tributary.OutputTag;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.TimeDomain;
import dev.tributary.functions.TimerService;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.KeyedProcessSpec;
import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.Timer;

/**
 * Runs a {@link KeyedProcessFunction}. Outputs carry the element's timestamp, an event-time timer's
 * timestamp, or none for processing-time timers (as in Flink).
 */
final class KeyedProcessNode extends KeyedNode implements Collector<Object> {
  private final KeyedProcessFunction<Object, Object, Object> function;
  private KeyedProcessFunction<Object, Object, Object>.OnTimerContext ctx;
  private long contextTimestamp;
  private long outputTimestamp;
  private TimeDomain domain;

  @SuppressWarnings("unchecked")
  KeyedProcessNode(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
    super(node, context, keyBy);
    this.function =
        (KeyedProcessFunction<Object, Object, Object>) ((KeyedProcessSpec) node.spec()).function();
  }

  @Override
  void open() {
    super.open();
    TimerService timers = new KeyedTimerService(this);
    ctx =
        function.new OnTimerContext() {
          @Override
          public Long timestamp() {
            return contextTimestamp == NO_TIMESTAMP ? null : contextTimestamp;
          }

          @Override
          public TimerService timerService() {
            return timers;
          }

          @Override
          public <X> void output(OutputTag<X> tag, X value) {
            emitSide(tag, value, contextTimestamp);
          }

          @Override
          public Object getCurrentKey() {
            return keys.key();
          }

          @Override
          public TimeDomain timeDomain() {
            return domain;
          }
        };
    StatelessNodes.open(this, function, new KeyedStateStoreImpl(keys, () -> StateNamespace.VOID));
  }

  @Override
  void close() {
    StatelessNodes.close(this, function);
  }

  @Override
  void processKeyed(Object key, Object value, long timestamp) {
    keys.setCurrentKey(key);
    contextTimestamp = timestamp;
    outputTimestamp = timestamp;
    try {
      function.processElement(value, ctx, this);
    } catch (Exception | LinkageError e) {
      throw failure("on element " + Elements.describe(value) + " of key " + key, e);
    }
  }

  @Override
  void onEventTime(Timer timer) {
    fire(timer, TimeDomain.EVENT_TIME, timer.timestamp());
  }

  @Override
  void onProcessingTime(Timer timer) {
    fire(timer, TimeDomain.PROCESSING_TIME, NO_TIMESTAMP);
  }

  private void fire(Timer timer, TimeDomain timeDomain, long outTimestamp) {
    contextTimestamp = timer.timestamp();
    outputTimestamp = outTimestamp;
    domain = timeDomain;
    try {
      function.onTimer(timer.timestamp(), ctx, this);
    } catch (Exception | LinkageError e) {
      throw failure("in onTimer(" + timer.timestamp() + ") of key " + timer.key(), e);
    } finally {
      domain = null;
    }
  }

  @Override
  public void collect(Object record) {
    emit(record, outputTimestamp);
  }
}
