package dev.tributary.internal.exec;

import dev.tributary.eventtime.TimestampAssigner;
import dev.tributary.eventtime.WatermarkGenerator;
import dev.tributary.eventtime.WatermarkGeneratorSupplier;
import dev.tributary.eventtime.WatermarkOutput;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.WatermarkSpec;

/**
 * Assigns timestamps and generates watermarks, as Flink's timestamps-and-watermarks operator: the
 * element goes downstream first, then the generator sees it; upstream watermarks are ignored except
 * the final one.
 */
final class WatermarkNode extends RuntimeNode implements WatermarkOutput {
  private final TimestampAssigner<Object> assigner;
  private final WatermarkGenerator<Object> generator;
  private long lastEmitted = Long.MIN_VALUE;
  private boolean idleOut;

  @SuppressWarnings("unchecked")
  WatermarkNode(GraphNode node, ExecutionContext context) {
    super(node, context);
    WatermarkStrategy<Object> strategy =
        (WatermarkStrategy<Object>) ((WatermarkSpec) node.spec()).strategy();
    this.assigner = strategy.timestampAssigner();
    WatermarkGeneratorSupplier.Context clock = context.clock::currentTimeMillis;
    this.generator = strategy.createWatermarkGenerator(clock);
  }

  WatermarkGenerator<Object> generator() {
    return generator;
  }

  @Override
  void processElement(Object value, long timestamp) {
    long ts = timestamp;
    if (assigner != null) {
      try {
        ts = assigner.extractTimestamp(value, timestamp);
      } catch (RuntimeException | LinkageError e) {
        throw failure("extracting the timestamp of " + Elements.describe(value), e);
      }
    }
    emit(value, ts);
    try {
      generator.onEvent(value, ts, this);
    } catch (RuntimeException | LinkageError e) {
      throw failure("generating a watermark", e);
    }
  }

  /** After a batch: lets the generator emit the watermark the batch allows. */
  void periodicEmit() {
    try {
      generator.onPeriodicEmit(this);
    } catch (RuntimeException | LinkageError e) {
      throw failure("generating a watermark", e);
    }
  }

  @Override
  void processWatermark(long watermark, int input) {
    if (watermark == Long.MAX_VALUE) {
      emitWatermark(Long.MAX_VALUE);
    }
  }

  @Override
  void processIdle(boolean idleNow, int input) {
    // The generator decides this stream's idleness.
  }

  @Override
  public void emitWatermark(long watermark) {
    if (watermark > lastEmitted) {
      lastEmitted = watermark;
      markActive();
      currentWatermark = watermark;
      forwardWatermark(watermark);
    }
  }

  @Override
  public void markIdle() {
    if (!idleOut) {
      idleOut = true;
      forwardIdle(true);
    }
  }

  @Override
  public void markActive() {
    if (idleOut) {
      idleOut = false;
      forwardIdle(false);
    }
  }
}
