package dev.tributary.state.dynamodb;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.serde.Serdes;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;

/**
 * A small job of single operations on one key's state, for {@link StaleCopiesIT} and {@link
 * TornBatchGetIT}.
 */
public final class OpsJobs {
  private OpsJobs() {}

  /** One operation. */
  public record Op(String key, String kind, long n) {}

  /**
   * set: count + 1; peek: emit the count (read only); timer: count + 1 and an event-time timer at
   * n; fill: map entries 0..n-1; clear: clear all state; size: emit the map's size. A timer emits
   * {@code key@time=count}.
   */
  public static final class Job implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("ops")
          .kinesis("ops", Serdes.json(Op.class))
          .keyBy(Op::key)
          .process(new Fn())
          .uid("ops")
          .sinkTo("out", Serdes.string());
    }
  }

  /** The keyed function. */
  public static final class Fn extends KeyedProcessFunction<String, Op, String> {
    private transient ValueState<Long> count;
    private transient MapState<Integer, String> map;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
      map =
          getRuntimeContext()
              .getMapState(new MapStateDescriptor<>("map", Integer.class, String.class));
    }

    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) throws Exception {
      switch (op.kind()) {
        case "set" -> count.update(count.value() == null ? 1 : count.value() + 1);
        case "peek" -> out.collect(op.key() + "=" + count.value());
        case "timer" -> {
          count.update(count.value() == null ? 1 : count.value() + 1);
          ctx.timerService().registerEventTimeTimer(op.n());
        }
        case "fill" -> {
          for (int i = 0; i < op.n(); i++) {
            map.put(i, "v" + i);
          }
        }
        case "clear" -> {
          count.clear();
          map.clear();
        }
        case "size" -> {
          int size = 0;
          for (Integer ignored : map.keys()) {
            size++;
          }
          out.collect(op.key() + ":" + size);
        }
        default -> throw new IllegalArgumentException(op.kind());
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      out.collect(ctx.getCurrentKey() + "@" + timestamp + "=" + count.value());
    }
  }
}
