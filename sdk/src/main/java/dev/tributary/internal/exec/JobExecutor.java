package dev.tributary.internal.exec;

import dev.tributary.JobGraph;
import dev.tributary.graph.AggregateSpec;
import dev.tributary.graph.FilterSpec;
import dev.tributary.graph.FlatMapSpec;
import dev.tributary.graph.ForwardSpec;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.KeyedProcessSpec;
import dev.tributary.graph.MapSpec;
import dev.tributary.graph.ProcessSpec;
import dev.tributary.graph.ReduceSpec;
import dev.tributary.graph.SideOutputSpec;
import dev.tributary.graph.SinkSpec;
import dev.tributary.graph.SourceSpec;
import dev.tributary.graph.UnionSpec;
import dev.tributary.graph.WatermarkSpec;
import dev.tributary.graph.WindowSpec;
import dev.tributary.serde.Serde;
import dev.tributary.spi.Clock;
import dev.tributary.spi.OutputCollector;
import dev.tributary.spi.StateBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs a {@link JobGraph}: the one executor behind the test driver, the local runner and the Lambda
 * functions. Records are pushed into named sources; after each batch {@link #endBatch()} lets the
 * watermark generators emit; {@link #advanceProcessingTime()} fires processing-time timers; {@link
 * #endOfInput()} sends the final watermark, which fires every event-time window and timer.
 *
 * <p>For a split execution, an {@link ExchangeListener} captures what crosses each keyBy (the
 * coordinator runs the stateless prefix that way) and {@link #injectKeyed}/{@link #injectWatermark}
 * feed a keyed stage directly (the operator functions). Not thread-safe: one thread per executor.
 */
public final class JobExecutor implements AutoCloseable {
  private final JobGraph graph;
  private final ExecutionContext context;
  private final RuntimeNode[] nodes;
  private final Map<String, StatelessNodes.Source> sources = new HashMap<>();
  private final Map<String, Serde<?>> sourceSerdes = new HashMap<>();
  private final List<WatermarkNode> watermarkNodes = new ArrayList<>();
  private final List<KeyedNode> keyedNodes = new ArrayList<>();
  private boolean closed;

  /** Compiles and opens the graph on {@code backend}, with {@code clock} as processing time. */
  public JobExecutor(JobGraph graph, StateBackend backend, Clock clock, OutputCollector output) {
    this.graph = Objects.requireNonNull(graph, "graph");
    this.context =
        new ExecutionContext(
            graph.jobName(),
            graph.maxKeyGroups(),
            Objects.requireNonNull(backend, "backend"),
            Objects.requireNonNull(clock, "clock"),
            Objects.requireNonNull(output, "output"));
    this.nodes = new RuntimeNode[graph.nodes().size()];
    for (GraphNode node : graph.nodes()) {
      nodes[node.id()] = create(node);
    }
    for (GraphNode node : graph.nodes()) {
      List<Integer> inputs = node.inputs();
      for (int i = 0; i < inputs.size(); i++) {
        nodes[inputs.get(i)].connect(nodes[node.id()], i);
      }
    }
    boolean opened = false;
    try {
      for (RuntimeNode node : nodes) {
        node.open();
      }
      opened = true;
    } finally {
      if (!opened) {
        closeQuietly();
      }
    }
  }

  private RuntimeNode create(GraphNode node) {
    dev.tributary.graph.OperatorSpec spec = node.spec();
    if (spec instanceof SourceSpec s) {
      StatelessNodes.Source source = new StatelessNodes.Source(node, context);
      sources.put(s.sourceName(), source);
      if (s.serde() != null) {
        sourceSerdes.put(s.sourceName(), s.serde());
      }
      return source;
    } else if (spec instanceof MapSpec m) {
      return new StatelessNodes.Map(node, context, m.function());
    } else if (spec instanceof FilterSpec f) {
      return new StatelessNodes.Filter(node, context, f.function());
    } else if (spec instanceof FlatMapSpec f) {
      return new StatelessNodes.FlatMap(node, context, f.function());
    } else if (spec instanceof ProcessSpec p) {
      return new StatelessNodes.Process(node, context, p.function());
    } else if (spec instanceof WatermarkSpec) {
      WatermarkNode wm = new WatermarkNode(node, context);
      watermarkNodes.add(wm);
      return wm;
    } else if (spec instanceof UnionSpec) {
      return new StatelessNodes.Union(node, context);
    } else if (spec instanceof KeyBySpec) {
      return new KeyByNode(node, context);
    } else if (spec instanceof ForwardSpec) {
      return new ForwardNode(node, context, keyBy(node));
    } else if (spec instanceof KeyedProcessSpec) {
      return keyed(new KeyedProcessNode(node, context, keyBy(node)));
    } else if (spec instanceof ReduceSpec) {
      return keyed(new RollingNodes.Reduce(node, context, keyBy(node)));
    } else if (spec instanceof AggregateSpec) {
      return keyed(new RollingNodes.Aggregate(node, context, keyBy(node)));
    } else if (spec instanceof WindowSpec) {
      return keyed(new WindowNode(node, context, keyBy(node)));
    } else if (spec instanceof SideOutputSpec) {
      return new StatelessNodes.SideOutputNode(node, context);
    } else if (spec instanceof SinkSpec s) {
      return new StatelessNodes.Sink(node, context, s.sinkName());
    }
    throw new IllegalArgumentException("unknown operator " + spec);
  }

  private KeyedNode keyed(KeyedNode node) {
    keyedNodes.add(node);
    return node;
  }

  private KeyBySpec keyBy(GraphNode node) {
    return (KeyBySpec) graph.node(node.inputs().get(0)).spec();
  }

  /** The graph being run. */
  public JobGraph graph() {
    return graph;
  }

  /** Pushes one record into a source; {@code recordTimestamp} may be {@code Long.MIN_VALUE}. */
  public void process(String sourceName, Object value, long recordTimestamp) {
    source(sourceName).processElement(value, recordTimestamp);
  }

  /** Deserializes a payload with the source's serde and pushes it into the source. */
  public void processBytes(String sourceName, byte[] payload, long recordTimestamp) {
    process(sourceName, deserialize(sourceName, payload), recordTimestamp);
  }

  /** Deserializes a payload with the source's serde. */
  public Object deserialize(String sourceName, byte[] payload) {
    source(sourceName);
    Serde<?> serde = sourceSerdes.get(sourceName);
    if (serde == null) {
      throw new IllegalArgumentException(
          "source '" + sourceName + "' is a collection source; it takes objects, not bytes");
    }
    return serde.deserialize(payload);
  }

  /** A handle to push records into one source without a lookup per record. */
  public SourceInput sourceInput(String sourceName) {
    StatelessNodes.Source source = source(sourceName);
    return source::processElement;
  }

  /** Pushes records into a source. */
  @FunctionalInterface
  public interface SourceInput {
    /** Pushes one record. */
    void push(Object value, long recordTimestamp);
  }

  private StatelessNodes.Source source(String name) {
    StatelessNodes.Source source = sources.get(name);
    if (source == null) {
      graph.source(name); // throws, listing the sources
    }
    return source;
  }

  /** Ends a batch: every watermark generator emits what the batch allows. */
  public void endBatch() {
    for (WatermarkNode node : watermarkNodes) {
      node.periodicEmit();
    }
  }

  /** Fires the processing-time timers due at the clock's current time. */
  public void advanceProcessingTime() {
    long now = context.clock.currentTimeMillis();
    for (KeyedNode node : keyedNodes) {
      node.advanceProcessingTime(now);
    }
  }

  /**
   * Fires the timers that are due at the keyed operators' current watermarks and the clock's time,
   * including timers registered in the past since the watermark last moved. A persistent backend
   * calls it again after pausing firing to commit.
   */
  public void fireDueTimers() {
    long now = context.clock.currentTimeMillis();
    for (KeyedNode node : keyedNodes) {
      node.onWatermark(node.currentWatermark);
      node.advanceProcessingTime(now);
    }
  }

  /** Ends all sources: the final watermark fires every event-time window and timer. */
  public void endOfInput() {
    for (StatelessNodes.Source source : sources.values()) {
      source.finish();
    }
  }

  /**
   * Forces the watermark of every watermark generator to at least {@code watermark} (the test
   * driver's manual watermark).
   */
  public void advanceWatermark(long watermark) {
    for (WatermarkNode node : watermarkNodes) {
      node.emitWatermark(watermark);
    }
  }

  /** The current watermark of node {@code nodeId}. */
  public long watermark(int nodeId) {
    return nodes[nodeId].currentWatermark;
  }

  /** The lowest watermark over the sinks (the job's output watermark). */
  public long outputWatermark() {
    long min = Long.MAX_VALUE;
    for (GraphNode sink : graph.sinks()) {
      min = Math.min(min, nodes[sink.id()].currentWatermark);
    }
    return min;
  }

  /**
   * Makes functions outside keyed stages read no watermark ({@code Long.MIN_VALUE}), whatever the
   * watermark generators emit (they still emit, and watermarks still flow to the exchanges). A
   * deployed job's stateless prefix runs in the coordinator over a batch, again in each operator
   * over that slot's part of it, and again whenever the batch is delivered again; reading no
   * watermark (and a fixed clock), every run makes the same records of a source record.
   */
  public void hideWatermark() {
    context.watermarkHidden = true;
  }

  /**
   * Makes keyed operators judge each record (and answer {@code currentWatermark()}) against at
   * least {@code floorOfKeyGroup} of its key's key group, while their own watermark, which fires
   * timers, stays as the inputs move it. A deployed job keeps how far each slot fired its timers;
   * after the slot count changes, a slot of the new count covers key groups that slots of the old
   * count fired up to different watermarks, and a record of a key group its old slot fired past
   * must be late as it would have been there, or it opens a window that already fired, which then
   * fires twice. {@code highest} is the highest value the function returns: while the operator's
   * own watermark is at or past it, no key group is looked up.
   */
  public void floorWatermarks(java.util.function.IntToLongFunction floorOfKeyGroup, long highest) {
    context.watermarkFloor = Objects.requireNonNull(floorOfKeyGroup, "floorOfKeyGroup");
    context.highestFloor = highest;
  }

  /**
   * Before the records of a keyed stage: fires {@code key}'s stored event-time timers up to its key
   * group's floor in the operators behind exchange {@code exchangeId} ({@link #floorWatermarks}),
   * as its first record there would; false when a timer queue paused (the epoch is full: commit,
   * then call again).
   */
  public boolean catchUp(int exchangeId, Object key) {
    boolean done = true;
    for (KeyedNode node : exchange(exchangeId).keyedTargets()) {
      done &= node.catchUp(key);
    }
    return done;
  }

  /**
   * Fires {@code key}'s event-time timers up to {@code upTo} in the operators behind exchange
   * {@code exchangeId}, in their order, before the watermark gets there: a backend that has all of
   * a key's records of a batch in hand, and a watermark {@code upTo} in force after them, may fire
   * the key's timers right after its last record, since keyed state and timers are the key's own
   * (its records, then its timers in time order, as the watermark's advance would have them). The
   * operators' own watermarks do not move; a later {@link #injectWatermark} fires the other keys'
   * timers, and these, having fired, do not fire again. False when a timer queue paused (the epoch
   * is full: commit, then call again).
   */
  public boolean fireKeyTimers(int exchangeId, Object key, long upTo) {
    for (KeyedNode node : exchange(exchangeId).keyedTargets()) {
      if (!node.fireKeyTimers(key, upTo)) {
        return false; // the operators behind it fire once this one is done
      }
    }
    return true;
  }

  /** Captures the records crossing every keyBy instead of running the keyed stages. */
  public void setExchangeListener(ExchangeListener listener) {
    for (RuntimeNode node : nodes) {
      if (node instanceof KeyByNode keyBy) {
        keyBy.listener = listener;
      }
    }
  }

  /** Feeds one keyed record into the keyed stage behind exchange {@code exchangeId}. */
  public void injectKeyed(int exchangeId, Object key, Object value, long timestamp) {
    exchange(exchangeId).processKeyed(key, value, timestamp);
  }

  /** Advances the watermark of the keyed stage behind exchange {@code exchangeId}. */
  public void injectWatermark(int exchangeId, long watermark) {
    exchange(exchangeId).processWatermark(watermark, 0);
  }

  /** Makes the keyed operators forget cached state entries, e.g. after a backend reload. */
  public void resetKeyContexts() {
    for (KeyedNode node : keyedNodes) {
      node.resetKeyContext();
    }
  }

  private KeyByNode exchange(int exchangeId) {
    if (exchangeId < 0
        || exchangeId >= nodes.length
        || !(nodes[exchangeId] instanceof KeyByNode keyBy)) {
      throw new IllegalArgumentException(
          "node " + exchangeId + " is not a keyBy exchange of job '" + graph.jobName() + "'");
    }
    return keyBy;
  }

  /** Closes every user function. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      RuntimeException first = null;
      for (RuntimeNode node : nodes) {
        try {
          if (node != null) {
            node.close();
          }
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException ignored) {
      // the open failure is the error to report
    }
  }
}
