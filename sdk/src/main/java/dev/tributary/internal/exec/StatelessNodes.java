package dev.tributary.internal.exec;

import dev.tributary.OutputTag;
import dev.tributary.functions.Collector;
import dev.tributary.functions.FilterFunction;
import dev.tributary.functions.FlatMapFunction;
import dev.tributary.functions.MapFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.functions.ProcessFunction;
import dev.tributary.functions.RichFunction;
import dev.tributary.functions.TimerService;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SideOutputSpec;

/** The operators of the stateless prefix and the plumbing nodes. */
final class StatelessNodes {
  private StatelessNodes() {}

  static final OpenContext OPEN_CONTEXT = new OpenContext() {};

  static void open(RuntimeNode node, Object function, dev.tributary.state.KeyedStateStore keyed) {
    if (function instanceof RichFunction rich) {
      rich.setRuntimeContext(new RuntimeContextImpl(node, keyed));
      try {
        rich.open(OPEN_CONTEXT);
      } catch (Exception e) {
        throw node.failure("in open()", e);
      }
    }
  }

  static void close(RuntimeNode node, Object function) {
    if (function instanceof RichFunction rich) {
      try {
        rich.close();
      } catch (Exception e) {
        throw node.failure("in close()", e);
      }
    }
  }

  /** A node running one user function, opened without keyed state. */
  abstract static class FunctionNode extends RuntimeNode {
    private final Object function;

    FunctionNode(GraphNode node, ExecutionContext context, Object function) {
      super(node, context);
      this.function = function;
    }

    @Override
    void open() {
      StatelessNodes.open(this, function, null);
    }

    @Override
    void close() {
      StatelessNodes.close(this, function);
    }
  }

  /** A source: records are pushed in by the executor. */
  static final class Source extends RuntimeNode {
    Source(GraphNode node, ExecutionContext context) {
      super(node, context);
    }

    @Override
    void processElement(Object value, long timestamp) {
      emit(value, timestamp);
    }

    /** End of input: the final watermark. */
    void finish() {
      processWatermark(Long.MAX_VALUE, 0);
    }
  }

  static final class Map extends FunctionNode {
    private final MapFunction<Object, Object> function;

    @SuppressWarnings("unchecked")
    Map(GraphNode node, ExecutionContext context, MapFunction<?, ?> function) {
      super(node, context, function);
      this.function = (MapFunction<Object, Object>) function;
    }

    @Override
    void processElement(Object value, long timestamp) {
      Object out;
      try {
        out = function.map(value);
      } catch (Exception | LinkageError e) {
        throw failure("on element " + Elements.describe(value), e);
      }
      emit(out, timestamp);
    }
  }

  static final class Filter extends FunctionNode {
    private final FilterFunction<Object> function;

    @SuppressWarnings("unchecked")
    Filter(GraphNode node, ExecutionContext context, FilterFunction<?> function) {
      super(node, context, function);
      this.function = (FilterFunction<Object>) function;
    }

    @Override
    void processElement(Object value, long timestamp) {
      boolean keep;
      try {
        keep = function.filter(value);
      } catch (Exception | LinkageError e) {
        throw failure("on element " + Elements.describe(value), e);
      }
      if (keep) {
        emit(value, timestamp);
      }
    }
  }

  static final class FlatMap extends FunctionNode implements Collector<Object> {
    private final FlatMapFunction<Object, Object> function;
    private long timestamp;

    @SuppressWarnings("unchecked")
    FlatMap(GraphNode node, ExecutionContext context, FlatMapFunction<?, ?> function) {
      super(node, context, function);
      this.function = (FlatMapFunction<Object, Object>) function;
    }

    @Override
    void processElement(Object value, long timestamp) {
      long previous = this.timestamp;
      this.timestamp = timestamp;
      try {
        function.flatMap(value, this);
      } catch (Exception | LinkageError e) {
        throw failure("on element " + Elements.describe(value), e);
      } finally {
        this.timestamp = previous;
      }
    }

    @Override
    public void collect(Object record) {
      emit(record, timestamp);
    }
  }

  /** A non-keyed process function. */
  static final class Process extends FunctionNode implements Collector<Object> {
    private final ProcessFunction<Object, Object> function;
    private final ProcessFunction<Object, Object>.Context ctx;
    private long timestamp;

    @SuppressWarnings("unchecked")
    Process(GraphNode node, ExecutionContext context, ProcessFunction<?, ?> function) {
      super(node, context, function);
      this.function = (ProcessFunction<Object, Object>) function;
      TimerService timers = new NonKeyedTimerService(this);
      this.ctx =
          this.function.new Context() {
            @Override
            public Long timestamp() {
              return timestamp == NO_TIMESTAMP ? null : timestamp;
            }

            @Override
            public TimerService timerService() {
              return timers;
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
              emitSide(tag, value, timestamp);
            }
          };
    }

    @Override
    void processElement(Object value, long timestamp) {
      this.timestamp = timestamp;
      try {
        function.processElement(value, ctx, this);
      } catch (Exception | LinkageError e) {
        throw failure("on element " + Elements.describe(value), e);
      }
    }

    @Override
    public void collect(Object record) {
      emit(record, timestamp);
    }
  }

  /** The timer service of non-keyed functions: time only, no timers. */
  static final class NonKeyedTimerService implements TimerService {
    private final RuntimeNode node;

    NonKeyedTimerService(RuntimeNode node) {
      this.node = node;
    }

    @Override
    public long currentProcessingTime() {
      return node.context.clock.currentTimeMillis();
    }

    @Override
    public long currentWatermark() {
      return node.context.watermarkHidden ? Long.MIN_VALUE : node.currentWatermark;
    }

    private UnsupportedOperationException noTimers() {
      return new UnsupportedOperationException(
          "operator '"
              + node.node.name()
              + "' sets a timer, but timers belong to a key: keyBy(...) the stream and use a"
              + " KeyedProcessFunction");
    }

    @Override
    public void registerEventTimeTimer(long time) {
      throw noTimers();
    }

    @Override
    public void registerProcessingTimeTimer(long time) {
      throw noTimers();
    }

    @Override
    public void deleteEventTimeTimer(long time) {
      throw noTimers();
    }

    @Override
    public void deleteProcessingTimeTimer(long time) {
      throw noTimers();
    }
  }

  static final class Union extends RuntimeNode {
    Union(GraphNode node, ExecutionContext context) {
      super(node, context);
    }

    @Override
    void processElement(Object value, long timestamp) {
      emit(value, timestamp);
    }
  }

  /** Selects one side output of its input: elements arrive through {@link #emitSide}. */
  static final class SideOutputNode extends RuntimeNode {
    final OutputTag<?> tag;

    SideOutputNode(GraphNode node, ExecutionContext context) {
      super(node, context);
      this.tag = ((SideOutputSpec) node.spec()).tag();
    }

    @Override
    void processElement(Object value, long timestamp) {
      emit(value, timestamp);
    }
  }

  /** A sink: hands elements to the runtime's output collector. */
  static final class Sink extends RuntimeNode {
    private final String sinkName;

    Sink(GraphNode node, ExecutionContext context, String sinkName) {
      super(node, context);
      this.sinkName = sinkName;
    }

    @Override
    void processElement(Object value, long timestamp) {
      context.output.emit(sinkName, value, timestamp);
    }
  }
}
