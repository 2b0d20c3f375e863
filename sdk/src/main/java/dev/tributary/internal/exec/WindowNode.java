package dev.tributary.internal.exec;

import dev.tributary.OutputTag;
import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.Collector;
import dev.tributary.functions.ProcessWindowFunction;
import dev.tributary.functions.ReduceFunction;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.WindowSpec;
import dev.tributary.serde.Serde;
import dev.tributary.spi.KeyedStateEntry;
import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.Timer;
import dev.tributary.spi.TimerQueue;
import dev.tributary.state.AggregatingStateDescriptor;
import dev.tributary.state.KeyedStateStore;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.ReducingStateDescriptor;
import dev.tributary.state.StateDescriptor;
import dev.tributary.state.ValueStateDescriptor;
import dev.tributary.windowing.MergingWindowAssigner;
import dev.tributary.windowing.Window;
import dev.tributary.windowing.WindowAssigner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A keyed window operator with the default trigger of its time domain, following Flink's {@code
 * WindowOperator} step by step so that results match: windows late by more than the allowed
 * lateness are skipped, the window fires when time passes its max timestamp (or at once for a late
 * element within the lateness), state is cleared at {@code maxTimestamp + allowedLateness}, and an
 * element no window took goes to the late-data side output if it is late.
 */
final class WindowNode extends KeyedNode implements Collector<Object> {
  static final String CONTENTS = "_t.window-contents";
  static final String MERGING_WINDOWS = "_t.merging-windows";

  private enum Contents {
    LIST,
    REDUCE,
    AGGREGATE
  }

  private final WindowAssigner<Window> assigner;
  private final MergingWindowAssigner<Window> merging;
  private final boolean eventTime;
  private final long allowedLateness;
  private final OutputTag<?> lateTag;
  private final ReduceFunction<Object> reducer;
  private final AggregateFunction<Object, Object, Object> aggregate;
  private final ProcessWindowFunction<Object, Object, Object, Window> function;
  private final Contents contents;
  private final Serde<?> stateSerde;
  private int contentsSlot;
  private int mergingSlot;
  private ProcessWindowFunction<Object, Object, Object, Window>.Context windowContext;
  private Window currentWindow;
  private long outputTimestamp;

  @SuppressWarnings("unchecked")
  WindowNode(GraphNode node, ExecutionContext context, KeyBySpec keyBy) {
    super(node, context, keyBy);
    WindowSpec spec = (WindowSpec) node.spec();
    this.assigner = (WindowAssigner<Window>) spec.assigner();
    this.merging =
        assigner instanceof MergingWindowAssigner<?> m ? (MergingWindowAssigner<Window>) m : null;
    this.eventTime = assigner.isEventTime();
    this.allowedLateness = spec.allowedLatenessMillis();
    this.lateTag = spec.lateDataTag();
    this.reducer = (ReduceFunction<Object>) spec.reduceFunction();
    this.aggregate = (AggregateFunction<Object, Object, Object>) spec.aggregateFunction();
    this.function = (ProcessWindowFunction<Object, Object, Object, Window>) spec.processFunction();
    this.contents =
        reducer != null ? Contents.REDUCE : aggregate != null ? Contents.AGGREGATE : Contents.LIST;
    this.stateSerde = spec.stateSerde();
  }

  @Override
  Serde<?> namespaceSerde() {
    return assigner.windowSerde();
  }

  @Override
  @SuppressWarnings("unchecked")
  void open() {
    super.open();
    Serde<Object> serde = (Serde<Object>) stateSerde;
    StateDescriptor<?> contentsDescriptor =
        switch (contents) {
          case LIST -> new ListStateDescriptor<>(CONTENTS, serde);
          case REDUCE -> new ReducingStateDescriptor<>(CONTENTS, reducer, serde);
          case AGGREGATE -> new AggregatingStateDescriptor<>(CONTENTS, aggregate, serde);
        };
    contentsSlot = store.register(contentsDescriptor);
    if (merging != null) {
      mergingSlot =
          store.register(
              new ValueStateDescriptor<>(
                  MERGING_WINDOWS,
                  (Serde<LinkedHashMap<Window, Window>>)
                      (Serde<?>) WindowSetSerde.of(assigner.windowSerde())));
    }
    if (function != null) {
      KeyedStateStore windowState = new KeyedStateStoreImpl(keys, () -> currentWindow);
      KeyedStateStore globalState = new KeyedStateStoreImpl(keys, () -> StateNamespace.VOID);
      windowContext =
          function.new Context() {
            @Override
            public Window window() {
              return currentWindow;
            }

            @Override
            public long currentProcessingTime() {
              return context.clock.currentTimeMillis();
            }

            @Override
            public long currentWatermark() {
              return keyWatermark();
            }

            @Override
            public KeyedStateStore windowState() {
              return windowState;
            }

            @Override
            public KeyedStateStore globalState() {
              return globalState;
            }

            @Override
            public <X> void output(OutputTag<X> tag, X value) {
              emitSide(tag, value, outputTimestamp);
            }
          };
      StatelessNodes.open(this, function, globalState);
    }
    StatelessNodes.open(this, reducer, null);
    StatelessNodes.open(this, aggregate, null);
  }

  @Override
  void close() {
    StatelessNodes.close(this, function);
    StatelessNodes.close(this, reducer);
    StatelessNodes.close(this, aggregate);
  }

  // ---- elements ----

  @Override
  void processKeyed(Object key, Object value, long timestamp) {
    keys.setCurrentKey(key);
    Collection<Window> windows;
    try {
      windows = assigner.assignWindows(value, timestamp, context.clock.currentTimeMillis());
    } catch (RuntimeException e) {
      throw failure("assigning windows to " + Elements.describe(value), e);
    }
    boolean skipped = true;
    if (merging != null) {
      MergingWindowSet set = mergingWindowSet();
      for (Window window : windows) {
        Window actual = set.addWindow(window, merging, this::mergeWindows);
        if (isWindowLate(actual)) {
          set.retireWindow(actual);
          continue;
        }
        skipped = false;
        Window stateWindow = set.stateWindow(actual);
        addToContents(stateWindow, value, key);
        if (onElementFires(actual)) {
          fire(actual, stateWindow);
        }
        registerCleanupTimer(actual);
      }
      saveMergingWindowSet(set);
    } else {
      for (Window window : windows) {
        if (isWindowLate(window)) {
          continue;
        }
        skipped = false;
        addToContents(window, value, key);
        if (onElementFires(window)) {
          fire(window, window);
        }
        registerCleanupTimer(window);
      }
    }
    if (skipped && isElementLate(timestamp)) {
      if (lateTag != null) {
        emitSide(lateTag, value, timestamp);
      } else {
        context.output.lateRecordDropped(node.uid(), value, timestamp);
      }
    }
  }

  private void mergeWindows(
      Window mergeResult,
      Collection<Window> mergedWindows,
      Window stateWindow,
      Collection<Window> mergedStateWindows) {
    if (eventTime && mergeResult.maxTimestamp() + allowedLateness <= keyWatermark()) {
      throw new IllegalStateException(
          "window operator '"
              + node.name()
              + "': merging produced window "
              + mergeResult
              + " whose end is already before the watermark "
              + keyWatermark());
    }
    // the default trigger's onMerge
    if (eventTime) {
      if (mergeResult.maxTimestamp() > keyWatermark()) {
        eventTimers.add(new Timer(mergeResult.maxTimestamp(), keys.key(), mergeResult));
      }
    } else if (mergeResult.maxTimestamp() > context.clock.currentTimeMillis()) {
      processingTimers.add(new Timer(mergeResult.maxTimestamp(), keys.key(), mergeResult));
    }
    for (Window m : mergedWindows) {
      clearTriggerTimer(m);
      deleteCleanupTimer(m);
    }
    mergeContents(stateWindow, mergedStateWindows);
  }

  private boolean onElementFires(Window window) {
    if (eventTime) {
      if (window.maxTimestamp() <= keyWatermark()) {
        return true;
      }
      eventTimers.add(new Timer(window.maxTimestamp(), keys.key(), window));
      return false;
    }
    processingTimers.add(new Timer(window.maxTimestamp(), keys.key(), window));
    return false;
  }

  // ---- timers ----

  @Override
  void onEventTime(Timer timer) {
    onTimer(timer, true);
  }

  @Override
  void onProcessingTime(Timer timer) {
    onTimer(timer, false);
  }

  private void onTimer(Timer timer, boolean eventTimeTimer) {
    Window window = (Window) timer.namespace();
    MergingWindowSet set = null;
    Window stateWindow;
    if (merging != null) {
      set = mergingWindowSet();
      stateWindow = set.stateWindow(window);
      if (stateWindow == null) {
        return; // the window merged away or was purged; its timer is stale
      }
    } else {
      stateWindow = window;
    }
    // default triggers: event time fires at maxTimestamp; processing time fires on its timer
    boolean fires =
        eventTimeTimer ? eventTime && timer.timestamp() == window.maxTimestamp() : !eventTime;
    if (fires) {
      fire(window, stateWindow);
    }
    if (eventTime == eventTimeTimer && timer.timestamp() == cleanupTime(window)) {
      clearAllState(window, stateWindow, set);
    }
    if (set != null) {
      saveMergingWindowSet(set);
    }
  }

  private void clearAllState(Window window, Window stateWindow, MergingWindowSet set) {
    keys.entry().remove(contentsSlot, stateWindow);
    clearTriggerTimer(window);
    if (function != null) {
      currentWindow = window;
      try {
        function.clear(windowContext);
      } catch (Exception | LinkageError e) {
        throw failure("in clear() of window " + window, e);
      } finally {
        currentWindow = null;
      }
    }
    if (set != null) {
      set.retireWindow(window);
    }
  }

  private void clearTriggerTimer(Window window) {
    TimerQueue timers = eventTime ? eventTimers : processingTimers;
    timers.remove(new Timer(window.maxTimestamp(), keys.key(), window));
  }

  private long cleanupTime(Window window) {
    if (!eventTime) {
      return window.maxTimestamp();
    }
    long cleanup = window.maxTimestamp() + allowedLateness;
    return cleanup >= window.maxTimestamp() ? cleanup : Long.MAX_VALUE;
  }

  private void registerCleanupTimer(Window window) {
    long cleanup = cleanupTime(window);
    if (cleanup == Long.MAX_VALUE) {
      return;
    }
    (eventTime ? eventTimers : processingTimers).add(new Timer(cleanup, keys.key(), window));
  }

  private void deleteCleanupTimer(Window window) {
    long cleanup = cleanupTime(window);
    if (cleanup == Long.MAX_VALUE) {
      return;
    }
    (eventTime ? eventTimers : processingTimers).remove(new Timer(cleanup, keys.key(), window));
  }

  private boolean isWindowLate(Window window) {
    return eventTime && cleanupTime(window) <= keyWatermark();
  }

  private boolean isElementLate(long timestamp) {
    return eventTime && timestamp + allowedLateness <= keyWatermark();
  }

  // ---- contents ----

  @SuppressWarnings("unchecked")
  private void addToContents(Window stateWindow, Object value, Object key) {
    KeyedStateEntry entry = keys.entry();
    Object current = entry.get(contentsSlot, stateWindow);
    try {
      switch (contents) {
        case LIST -> {
          if (current == null) {
            List<Object> list = new ArrayList<>(4);
            list.add(value);
            entry.put(contentsSlot, stateWindow, list);
          } else {
            ((List<Object>) current).add(value);
            entry.markDirty(contentsSlot, stateWindow);
          }
        }
        case REDUCE ->
            entry.put(
                contentsSlot,
                stateWindow,
                current == null ? value : reducer.reduce(current, value));
        case AGGREGATE ->
            entry.put(
                contentsSlot,
                stateWindow,
                aggregate.add(value, current == null ? aggregate.createAccumulator() : current));
      }
    } catch (Exception | LinkageError e) {
      throw failure("adding " + Elements.describe(value) + " of key " + key + " to a window", e);
    }
  }

  @SuppressWarnings("unchecked")
  private void mergeContents(Window target, Collection<Window> sources) {
    KeyedStateEntry entry = keys.entry();
    Object merged = null;
    for (Window source : sources) {
      Object state = entry.remove(contentsSlot, source);
      if (state != null) {
        merged = merged == null ? state : combine(merged, state);
      }
    }
    if (merged != null) {
      Object current = entry.get(contentsSlot, target);
      entry.put(contentsSlot, target, current == null ? merged : combine(current, merged));
    }
  }

  @SuppressWarnings("unchecked")
  private Object combine(Object a, Object b) {
    try {
      return switch (contents) {
        case LIST -> {
          List<Object> list = new ArrayList<>((List<Object>) a);
          list.addAll((List<Object>) b);
          yield list;
        }
        case REDUCE -> reducer.reduce(a, b);
        case AGGREGATE -> aggregate.merge(a, b);
      };
    } catch (Exception | LinkageError e) {
      throw failure("merging session windows", e);
    }
  }

  @SuppressWarnings("unchecked")
  private void fire(Window window, Window stateWindow) {
    Object state = keys.entry().get(contentsSlot, stateWindow);
    if (state == null) {
      return;
    }
    outputTimestamp = window.maxTimestamp();
    try {
      Object result =
          switch (contents) {
            case LIST -> state;
            case REDUCE -> state;
            case AGGREGATE -> aggregate.getResult(state);
          };
      if (function == null) {
        emit(result, outputTimestamp);
      } else {
        Iterable<Object> elements =
            contents == Contents.LIST
                ? Collections.unmodifiableList((List<Object>) result)
                : Collections.singletonList(result);
        currentWindow = window;
        try {
          function.process(keys.key(), windowContext, elements, this);
        } finally {
          currentWindow = null;
        }
      }
    } catch (Exception | LinkageError e) {
      throw failure("evaluating window " + window + " of key " + keys.key(), e);
    }
  }

  @Override
  public void collect(Object record) {
    emit(record, outputTimestamp);
  }

  // ---- merging window set ----

  @SuppressWarnings("unchecked")
  private MergingWindowSet mergingWindowSet() {
    Object stored = keys.entry().get(mergingSlot, StateNamespace.VOID);
    return new MergingWindowSet(
        stored == null ? new LinkedHashMap<>() : (LinkedHashMap<Window, Window>) stored);
  }

  private void saveMergingWindowSet(MergingWindowSet set) {
    keys.entry().put(mergingSlot, StateNamespace.VOID, set.mapping.isEmpty() ? null : set.mapping);
  }
}
