package dev.tributary.graph;

import dev.tributary.OutputTag;
import dev.tributary.functions.AggregateFunction;
import dev.tributary.functions.ProcessWindowFunction;
import dev.tributary.functions.ReduceFunction;
import dev.tributary.serde.Serde;
import dev.tributary.windowing.WindowAssigner;

/**
 * A keyed window operator, with Flink's default trigger of the assigner's time domain: fire when
 * the watermark (or clock) passes the window's end, fire again for each late element within the
 * allowed lateness, purge after it.
 *
 * @param assigner the window assigner
 * @param allowedLatenessMillis how long after its end a window still accepts late elements
 * @param lateDataTag where elements too late for every window go, or null to drop them
 * @param reduceFunction incremental reduce, or null
 * @param aggregateFunction incremental aggregate, or null
 * @param processFunction the window function, or null (then the incremental result is emitted)
 * @param stateSerde serde of the window contents (elements, reduced value or accumulator)
 */
public record WindowSpec(
    WindowAssigner<?> assigner,
    long allowedLatenessMillis,
    OutputTag<?> lateDataTag,
    ReduceFunction<?> reduceFunction,
    AggregateFunction<?, ?, ?> aggregateFunction,
    ProcessWindowFunction<?, ?, ?, ?> processFunction,
    Serde<?> stateSerde)
    implements OperatorSpec {

  @Override
  public boolean stateful() {
    return true;
  }

  @Override
  public boolean emitsSideOutputs() {
    return true;
  }

  @Override
  public String describe() {
    StringBuilder out = new StringBuilder(assigner.describe());
    if (reduceFunction != null) {
      out.append(" reduce=").append(Functions.describe(reduceFunction));
    }
    if (aggregateFunction != null) {
      out.append(" aggregate=").append(Functions.describe(aggregateFunction));
    }
    if (processFunction != null) {
      out.append(" process=").append(Functions.describe(processFunction));
    }
    if (allowedLatenessMillis > 0) {
      out.append(" allowedLateness=")
          .append(dev.tributary.internal.graph.DurationFormat.millis(allowedLatenessMillis));
    }
    if (lateDataTag != null) {
      out.append(" lateData->").append(lateDataTag.id());
    }
    return out.append(" state=").append(stateSerde.describe()).toString();
  }

  @Override
  public String kind() {
    return "window";
  }
}
