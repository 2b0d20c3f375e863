package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.JobProvider;
import dev.tributary.KeyedStream;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Cutting the epochs of timer firings in a stage of many keyed operators: every epoch writes one
 * timer item per keyed operator and the checkpoint however little fires, so a cut that recut halved
 * down to that many actions must still let a firing into each epoch.
 */
class TimerCutsIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  /** Outputs of one firing. */
  static final int OUTPUTS_PER_FIRING = 7;

  /** Bytes of one output: a firing's outputs are about 2 MB, two firings' more than 4 MB. */
  static final int OUTPUT_BYTES = 280 * 1024;

  /**
   * One keyBy and {@code operators} keyed operators behind it: "fire" registers an event-time timer
   * at each op's n that emits {@link #OUTPUTS_PER_FIRING} outputs of {@link #OUTPUT_BYTES}; the
   * others count their key's ops.
   */
  public static final class ManyOperators implements JobProvider {
    private final int operators;

    /** The job with {@code operators} keyed operators. */
    public ManyOperators(int operators) {
      this.operators = operators;
    }

    @Override
    public void build(StreamEnvironment env) {
      KeyedStream<String, Op> keyed =
          env.jobName("many-operators")
              .maxKeyGroups(8)
              .kinesis("ops", Serdes.json(Op.class))
              .keyBy(Op::key);
      keyed.process(new Fire()).uid("fire").sinkTo("out", Serdes.string());
      for (int i = 1; i < operators; i++) {
        keyed.process(new Count()).uid("count" + i).sinkTo("counts", Serdes.string());
      }
    }
  }

  /** Registers a timer at the op's n; the timer emits the big outputs. */
  public static final class Fire extends KeyedProcessFunction<String, Op, String> {
    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) {
      ctx.timerService().registerEventTimeTimer(op.n());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
      for (int i = 0; i < OUTPUTS_PER_FIRING; i++) {
        out.collect(output(ctx.getCurrentKey(), timestamp, i));
      }
    }
  }

  /** The count of {@link Count}. */
  static final ValueStateDescriptor<Long> COUNT = new ValueStateDescriptor<>("count", Long.class);

  /** Counts the key's ops (state, no timers, no outputs). */
  public static final class Count extends KeyedProcessFunction<String, Op, String> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(COUNT);
    }

    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) throws Exception {
      count.update(count.value() == null ? 1 : count.value() + 1);
    }
  }

  static String output(String key, long timestamp, int i) {
    String head = key + "@" + timestamp + "#" + i + ":";
    return head + "x".repeat(OUTPUT_BYTES - head.length());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void firingsOfTwoMegabytesInAStageOfTenKeyedOperatorsEachCommitOnceAndInTime() {
    int operators = 10;
    int timers = 6;
    try (Harness h = Harness.on(local, new ManyOperators(operators))) {
      List<Op> ops = new ArrayList<>();
      List<String> expected = new ArrayList<>();
      for (int k = 0; k < timers; k++) {
        ops.add(new Op("k" + k, "timer", 1_000 + k));
        for (int i = 0; i < OUTPUTS_PER_FIRING; i++) {
          expected.add(output("k" + k, 1_000 + k, i));
        }
      }
      // the records store the timers (and write every operator's timer item and layout)
      RunReport first =
          h.runner().run(new Batch("s", 0, 1, h.keyed("ops", ops, 0), Long.MIN_VALUE, 0));
      assertThat(first.recordsApplied()).isEqualTo(timers);
      assertThat(first.timersFired()).isZero();
      // then the watermark passes them all: two firings outgrow a transaction (4 MB), so recut
      // halves the cut while it has more than one firing, down to 11 actions: the 10 timer items
      // and the checkpoint of an epoch that has not fired anything yet. The cut stays above them
      // (it did not: firing paused before the first timer and empty epochs were committed forever)
      Transactions tx = new Transactions();
      try (DynamoDbClient client = h.client(tx, true)) {
        RunReport fire = h.runner(client).run(new Batch("s", 0, 1, List.of(), 10_000, 0));
        assertThat(fire.timersFired()).as("every timer fires once").isEqualTo(timers);
        assertThat(fire.outputs()).isEqualTo((long) timers * OUTPUTS_PER_FIRING);
        assertThat(fire.epochs()).as("one firing per epoch: two do not fit").isEqualTo(timers);
        assertThat(tx.actions).allMatch(a -> a <= KeyedStageRunner.MAX_ACTIONS);
      }
      RunReport again = h.runner().run(new Batch("s", 0, 1, List.of(), 20_000, 0));
      assertThat(again.timersFired()).as("nothing is left to fire").isZero();
      List<String> out = h.outboxText("out");
      assertThat(out).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
      for (int k = 0; k < timers; k++) {
        for (int c = 1; c < operators; c++) {
          assertThat(h.state().value("count" + c, COUNT, "k" + k)).isEqualTo(1L);
        }
      }
    }
  }
}
