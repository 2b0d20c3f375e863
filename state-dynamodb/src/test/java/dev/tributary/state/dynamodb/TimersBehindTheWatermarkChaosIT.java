package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.OpsJobs.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;

/**
 * Timers registered behind the watermark or behind a key group's floor, under crashes: a batch that
 * dies after any of its commits and is delivered again (once or twice), a redelivery with a lower
 * input watermark, a poison record among the records, a stage of two keyed operators, and a floor's
 * catch-up cut into epochs all end as one uninterrupted run does (docs/protocol.md, "Timers behind
 * the watermark"). Without the timer item's {@code hw} and the key item's {@code cu}, four of them
 * fail: the timer reads an earlier count.
 */
class TimersBehindTheWatermarkChaosIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  private static List<Op> ops(int fill) {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op("k", "timer", 500));
    for (int i = 0; i < fill; i++) {
      ops.add(new Op("f" + i, "set", 0));
    }
    ops.add(new Op("k", "set", 0));
    for (int i = 0; i < fill; i++) {
      ops.add(new Op("g" + i, "set", 0));
    }
    ops.add(new Op("k", "set", 0));
    return ops;
  }

  private static List<String> kTimers(Harness h) {
    return h.outboxText("out").stream().filter(s -> s.startsWith("k@")).toList();
  }

  @Test
  void aBatchThatDiesAfterAnyOfItsCommitsEndsAsOneRun() {
    List<String> bad = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      for (int m = 0; m <= 3; m++) {
        try (Harness h = Harness.on(local, new OpsJobs.Job())) {
          Batch b = h.batches("a", 1, h.keyed("ops", ops(150), 0), 1_000, 0, 1_000).get(0);
          boolean c1 = h.crashesAfterCommit(b, n);
          boolean c2 = m > 0 && c1 && h.crashesAfterCommit(b, m);
          h.runner().run(b);
          List<String> got = kTimers(h);
          if (!got.equals(List.of("k@500=3"))) {
            bad.add("n=" + n + " m=" + m + " " + got);
          }
        }
      }
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void aRedeliveryWithALowerInputWatermarkEndsAsOneRun() {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      Batch b = h.batches("a", 1, h.keyed("ops", ops(150), 0), 1_000, 0, 1_000).get(0);
      h.crashesAfterCommit(b, 1);
      Batch again = h.batches("a", 1, h.keyed("ops", ops(150), 0), 1_000, 0, 500).get(0);
      h.runner().run(again);
      assertThat(kTimers(h)).containsExactly("k@500=3");
    }
  }

  private static List<String> floorRun(int n, int m) {
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      List<Op> pre = new ArrayList<>();
      pre.add(new Op("k", "timer", 1_200));
      pre.add(new Op("carol", "timer", 1_000_000));
      for (int i = 0; i < 120; i++) {
        pre.add(new Op("f" + i, "timer", 1_100 + i));
      }
      h.runAll(h.batches("c", 1, h.keyed("ops", pre, 0), 1_000, 0, 1_000));
      h.setFloors("ops", 2_000);
      List<Op> ops = ops(150);
      ops.set(0, new Op("k", "timer", 1_500));
      Batch a = h.batches("a", 1, h.keyed("ops", ops, 0), 1_000, 0, 1_000).get(0);
      if (n > 0 && h.crashesAfterCommit(a, n) && m > 0) {
        h.crashesAfterCommit(a, m);
      }
      h.runner().run(a);
      h.runAll(List.of(Batch.tick(0, 1, 3_000, 0)));
      return h.outboxText("out").stream().filter(s -> !s.startsWith("carol")).sorted().toList();
    }
  }

  @Test
  void aCatchUpToAFloorThatDiesAfterAnyCommitEndsAsOneRun() {
    List<String> ref = floorRun(0, 0);
    List<String> bad = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      for (int m = 0; m <= 3; m++) {
        List<String> got = floorRun(n, m);
        if (!got.equals(ref)) {
          bad.add("n=" + n + " m=" + m);
        }
      }
    }
    assertThat(bad).isEmpty();
  }

  public static final class TwoOps implements dev.tributary.JobProvider {
    @Override
    public void build(dev.tributary.StreamEnvironment env) {
      var keyed =
          env.jobName("ops")
              .kinesis("ops", dev.tributary.serde.Serdes.json(Op.class))
              .keyBy(Op::key);
      keyed.process(new OpsJobs.Fn()).uid("ops").sinkTo("out", dev.tributary.serde.Serdes.string());
      keyed.process(new Second()).uid("ops2").sinkTo("out2", dev.tributary.serde.Serdes.string());
    }
  }

  /** Counts; a timer only for key j (so ops2's timers differ from ops'). */
  public static final class Second
      extends dev.tributary.functions.KeyedProcessFunction<String, Op, String> {
    private transient dev.tributary.state.ValueState<Long> count;

    @Override
    public void open(dev.tributary.functions.OpenContext context) {
      count =
          getRuntimeContext()
              .getState(new dev.tributary.state.ValueStateDescriptor<>("c2", Long.class));
    }

    @Override
    public void processElement(Op op, Context ctx, dev.tributary.functions.Collector<String> out)
        throws Exception {
      count.update(count.value() == null ? 1 : count.value() + 1);
      if (op.key().equals("j") && op.kind().equals("timer")) {
        ctx.timerService().registerEventTimeTimer(op.n());
      }
    }

    @Override
    public void onTimer(
        long timestamp, OnTimerContext ctx, dev.tributary.functions.Collector<String> out)
        throws Exception {
      out.collect(ctx.getCurrentKey() + "@" + timestamp + "=" + count.value());
    }
  }

  private static List<String> twoOps(int n, int m, boolean secondHasTimer) {
    try (Harness h = Harness.on(local, new TwoOps())) {
      if (secondHasTimer) {
        h.runAll(
            h.batches(
                "c",
                1,
                h.keyed("ops", List.of(new Op("j", "timer", 1_000_000)), 0),
                1_000,
                0,
                1_000));
      }
      Batch a = h.batches("a", 1, h.keyed("ops", ops(150), 0), 1_000, 0, 1_000).get(0);
      if (n > 0 && h.crashesAfterCommit(a, n) && m > 0) {
        h.crashesAfterCommit(a, m);
      }
      h.runner().run(a);
      List<String> out = new ArrayList<>(h.outboxText("out"));
      out.addAll(h.outboxText("out2"));
      return out.stream().sorted().toList();
    }
  }

  @Test
  void twoKeyedOperatorsThatDieAfterAnyCommitEndAsOneRun() {
    for (boolean second : List.of(false, true)) {
      List<String> ref = twoOps(0, 0, second);
      List<String> bad = new ArrayList<>();
      for (int n = 1; n <= 4; n++) {
        for (int m = 0; m <= 2; m++) {
          List<String> got = twoOps(n, m, second);
          if (!got.equals(ref)) {
            bad.add("second=" + second + " n=" + n + " m=" + m);
          }
        }
      }
      assertThat(bad).isEmpty();
    }
  }

  @Test
  void aPoisonRecordAmongTheRecordsLeavesTheTimerWaiting() {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op("k", "timer", 500));
    ops.add(new Op("f", "set", 0));
    ops.add(new Op("x", "boom", 0));
    ops.add(new Op("k", "set", 0));
    List<String> ref;
    try (Harness h = Harness.on(local, new OpsJobs.Job())) {
      Batch b = h.batches("a", 1, h.keyed("ops", ops, 0), 1_000, 0, 1_000).get(0);
      PoisonRecordException p =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              PoisonRecordException.class, () -> h.runner().run(b));
      h.runner()
          .run(
              b.withDeadLetter(
                  new DeadLetter(p.position(), new byte[] {1}, "boom", 3, java.util.Map.of())));
      assertThat(kTimers(h)).containsExactly("k@500=2");
    }
  }
}
