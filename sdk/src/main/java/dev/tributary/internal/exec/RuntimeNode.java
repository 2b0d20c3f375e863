package dev.tributary.internal.exec;

import dev.tributary.OutputTag;
import dev.tributary.graph.GraphNode;
import dev.tributary.internal.exec.StatelessNodes.SideOutputNode;
import dev.tributary.spi.UserFunctionException;
import java.util.ArrayList;
import java.util.List;

/**
 * One operator while a job runs. Elements are pushed depth-first through direct calls, with value
 * and timestamp passed apart (no record objects on the hot path). Each node combines the watermarks
 * of its inputs as Flink's valve does: the minimum over active inputs, never going back.
 */
abstract class RuntimeNode {
  static final long NO_TIMESTAMP = Long.MIN_VALUE;

  final GraphNode node;
  final ExecutionContext context;

  /** Main-output consumers. */
  private RuntimeNode[] targets = new RuntimeNode[0];

  /** Consumers of watermarks: main consumers and side-output selectors. */
  private RuntimeNode[] watermarkTargets = new RuntimeNode[0];

  private int[] watermarkTargetInputs = new int[0];
  private final List<SideOutputNode> sideOutputs = new ArrayList<>();

  private long[] inputWatermarks;
  private boolean[] inputIdle;
  private boolean[] inputAligned;
  long currentWatermark = Long.MIN_VALUE;
  private boolean idle;

  RuntimeNode(GraphNode node, ExecutionContext context) {
    this.node = node;
    this.context = context;
    int inputs = Math.max(1, node.inputs().size());
    this.inputWatermarks = new long[inputs];
    java.util.Arrays.fill(inputWatermarks, Long.MIN_VALUE);
    this.inputIdle = new boolean[inputs];
    this.inputAligned = new boolean[inputs];
    java.util.Arrays.fill(inputAligned, true);
  }

  void connect(RuntimeNode target, int targetInput) {
    if (target instanceof SideOutputNode side) {
      sideOutputs.add(side);
    } else {
      targets = append(targets, target);
    }
    watermarkTargets = append(watermarkTargets, target);
    watermarkTargetInputs =
        java.util.Arrays.copyOf(watermarkTargetInputs, watermarkTargetInputs.length + 1);
    watermarkTargetInputs[watermarkTargetInputs.length - 1] = targetInput;
  }

  private static RuntimeNode[] append(RuntimeNode[] array, RuntimeNode node) {
    RuntimeNode[] out = java.util.Arrays.copyOf(array, array.length + 1);
    out[array.length] = node;
    return out;
  }

  RuntimeNode[] targets() {
    return targets;
  }

  /** Opens user functions. */
  void open() {}

  /** Closes user functions. */
  void close() {}

  /** An element from input {@code input}. */
  abstract void processElement(Object value, long timestamp);

  /** Emits an element to the main output. */
  final void emit(Object value, long timestamp) {
    if (value == null) {
      throw new UserFunctionException(
          node.name(),
          node.uid(),
          "emitting",
          new NullPointerException("a function emitted null; streams hold no nulls"));
    }
    RuntimeNode[] t = targets;
    for (int i = 0; i < t.length; i++) {
      t[i].processElement(value, timestamp);
    }
  }

  /** Emits an element to a side output. */
  final void emitSide(OutputTag<?> tag, Object value, long timestamp) {
    if (tag == null || value == null) {
      throw new UserFunctionException(
          node.name(),
          node.uid(),
          "emitting to a side output",
          new NullPointerException("the tag or the value is null"));
    }
    context.output.sideOutput(tag, value, timestamp);
    for (SideOutputNode side : sideOutputs) {
      if (side.tag.equals(tag)) {
        side.processElement(value, timestamp);
      }
    }
  }

  /**
   * A watermark from input {@code input}. As Flink's {@code StatusWatermarkValve}: watermarks of
   * idle inputs are ignored; an input that comes back from idleness behind the current watermark
   * counts again only once it has caught up ("aligned").
   */
  void processWatermark(long watermark, int input) {
    if (idle || inputIdle[input] || watermark <= inputWatermarks[input]) {
      return;
    }
    inputWatermarks[input] = watermark;
    if (!inputAligned[input] && watermark >= currentWatermark) {
      inputAligned[input] = true;
    }
    advanceToMinOfAlignedInputs();
  }

  /** An idleness change of input {@code input}. */
  void processIdle(boolean idleNow, int input) {
    if (idleNow && !inputIdle[input]) {
      inputIdle[input] = true;
      inputAligned[input] = false;
      boolean anyActive = false;
      for (boolean b : inputIdle) {
        anyActive |= !b;
      }
      if (!anyActive) {
        // nothing will advance the watermark any more: flush to the highest input watermark
        if (inputWatermarks[input] == currentWatermark) {
          long max = Long.MIN_VALUE;
          for (long w : inputWatermarks) {
            max = Math.max(max, w);
          }
          advanceTo(max);
        }
        idle = true;
        forwardIdle(true);
      } else if (inputWatermarks[input] == currentWatermark) {
        advanceToMinOfAlignedInputs();
      }
    } else if (!idleNow && inputIdle[input]) {
      inputIdle[input] = false;
      if (inputWatermarks[input] >= currentWatermark) {
        inputAligned[input] = true;
      }
      if (idle) {
        idle = false;
        forwardIdle(false);
      }
    }
  }

  private void advanceToMinOfAlignedInputs() {
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (int i = 0; i < inputWatermarks.length; i++) {
      if (inputAligned[i]) {
        min = Math.min(min, inputWatermarks[i]);
        any = true;
      }
    }
    if (any) {
      advanceTo(min);
    }
  }

  private void advanceTo(long watermark) {
    if (watermark > currentWatermark) {
      currentWatermark = watermark;
      onWatermark(watermark);
      forwardWatermark(watermark);
    }
  }

  /** Called when this node's watermark advanced, before it is forwarded (fire timers here). */
  void onWatermark(long watermark) {}

  final void forwardWatermark(long watermark) {
    for (int i = 0; i < watermarkTargets.length; i++) {
      watermarkTargets[i].processWatermark(watermark, watermarkTargetInputs[i]);
    }
  }

  final void forwardIdle(boolean idleNow) {
    for (int i = 0; i < watermarkTargets.length; i++) {
      watermarkTargets[i].processIdle(idleNow, watermarkTargetInputs[i]);
    }
  }

  /** Wraps a user function's exception with the operator's name. */
  final UserFunctionException failure(String what, Throwable e) {
    if (e instanceof UserFunctionException u) {
      return u;
    }
    return new UserFunctionException(node.name(), node.uid(), what, e);
  }
}
