package dev.tributary.coordinator;

import dev.tributary.DataStream;
import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkGenerator;
import dev.tributary.eventtime.WatermarkOutput;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.functions.ProcessFunction;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import dev.tributary.windowing.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Test jobs for the coordinator. */
final class Jobs {
  private Jobs() {}

  /** The count state. */
  static final ValueStateDescriptor<Long> COUNT = new ValueStateDescriptor<>("count", Long.class);

  /** Lines of words; a running count per word ("word=n"); "every" fans out to 64 words. */
  public static final class WordCounts implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("word-counts")
          .kinesis("lines", Serdes.string())
          .<String>flatMap(
              (line, out) -> {
                if (line.equals("every")) {
                  for (int i = 0; i < 64; i++) {
                    out.collect("w" + i);
                  }
                  return;
                }
                for (String w : line.split(" ")) {
                  if (!w.isEmpty()) {
                    out.collect(w);
                  }
                }
              })
          .returns(String.class)
          .keyBy(w -> w)
          .process(new Count())
          .uid("count")
          .sinkTo("counts", Serdes.string());
    }
  }

  /** Lines marked "short" (fewer than 3 words) on the way, before any keyBy. */
  static final OutputTag<String> SHORT = new OutputTag<>("short", Serdes.string());

  /**
   * Sinks that no keyBy feeds next to a keyed one: each line upper-cased ("upper"), short lines as
   * a side output taken before keyBy ("short"), and the running word counts ("counts").
   */
  public static final class HalfKeyedLines implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<String> lines =
          env.jobName("half-keyed-lines")
              .kinesis("lines", Serdes.string())
              .process(
                  new ProcessFunction<String, String>() {
                    @Override
                    public void processElement(String line, Context ctx, Collector<String> out) {
                      if (line.split(" ").length < 3) {
                        ctx.output(SHORT, line);
                      }
                      out.collect(line);
                    }
                  })
              .returns(String.class);
      lines.map(String::toUpperCase).returns(String.class).sinkTo("upper", Serdes.string());
      lines.getSideOutput(SHORT).sinkTo("short", Serdes.string());
      lines
          .<String>flatMap(
              (line, out) -> {
                for (String w : line.split(" ")) {
                  out.collect(w);
                }
              })
          .returns(String.class)
          .keyBy(w -> w)
          .process(new Count())
          .uid("count")
          .sinkTo("counts", Serdes.string());
    }
  }

  /**
   * Word counts of every other line this instance of the filter sees: a function before keyBy whose
   * result depends on more than its record, which the functions must refuse to run silently.
   */
  public static final class EveryOtherLine implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("every-other-line")
          .kinesis("lines", Serdes.string())
          .filter(
              new dev.tributary.functions.FilterFunction<String>() {
                private long seen;

                @Override
                public boolean filter(String line) {
                  return seen++ % 2 == 0;
                }
              })
          .keyBy(w -> w)
          .process(new Count())
          .uid("count")
          .sinkTo("counts", Serdes.string());
    }
  }

  /** Payments with their amount as event time, in windows of 10 ms behind {@code lateness}. */
  static DataStream<Payment> timedPayments(StreamEnvironment env, String job, long lateness) {
    return env.jobName(job)
        .kinesis("payments", Serdes.json(Payment.class))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Payment>forBoundedOutOfOrderness(Duration.ofMillis(lateness))
                .withTimestampAssigner((p, t) -> p.amount()));
  }

  /**
   * Job {@code job}: payments timed by their amount, by account through {@code function} (uid
   * {@code name}), to sink {@code name} as strings.
   */
  static void processed(
      StreamEnvironment env,
      String job,
      KeyedProcessFunction<String, Payment, String> function,
      String name) {
    timedPayments(env, job, 0)
        .keyBy(Payment::account)
        .process(function)
        .uid(name)
        .sinkTo(name, Serdes.string());
  }

  /** Sums per account in tumbling 10 ms event-time windows, to "sums" as "account=sum". */
  static void windowSums(DataStream<Payment> payments) {
    payments
        .keyBy(Payment::account)
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(10)))
        .reduce((a, b) -> new Payment(a.account(), a.amount() + b.amount()))
        .uid("sums")
        .map(p -> p.account() + "=" + p.amount())
        .returns(String.class)
        .sinkTo("sums", Serdes.string());
  }

  /** Window sums, and every payment as text to "raw" (no keyBy). */
  public static final class WindowsAndRaw implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<Payment> payments = timedPayments(env, "windows-and-raw", 0);
      windowSums(payments);
      payments.map(p -> p.account() + ":" + p.amount()).returns(String.class).sinkTo("raw");
    }
  }

  /** {@link WindowsAndRaw} after an edit that keeps no state: a filter before the raw sink. */
  public static final class WindowsAndFilteredRaw implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<Payment> payments = timedPayments(env, "windows-and-raw", 0);
      windowSums(payments);
      payments
          .filter(p -> p.amount() >= 0)
          .map(p -> p.account() + ":" + p.amount())
          .returns(String.class)
          .sinkTo("raw");
    }
  }

  /** Window sums of payments. */
  public static final class GrowingWindows implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      windowSums(timedPayments(env, "growing", 0));
    }
  }

  /** {@link GrowingWindows} deployed again with a new keyed operator: running totals. */
  public static final class GrownWindows implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<Payment> payments = timedPayments(env, "growing", 0);
      windowSums(payments);
      payments
          .keyBy(Payment::account)
          .process(new Total())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }

  /** Window sums behind 100 ms of out-of-orderness. */
  public static final class LaggingWindows implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      windowSums(timedPayments(env, "lagging", 100));
    }
  }

  /**
   * {@link LaggingWindows}, and every payment to "raw" with a watermark of its own that runs ahead
   * of the windows'.
   */
  public static final class LaggingWindowsAndRaw implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<Payment> payments =
          env.jobName("lagging").kinesis("payments", Serdes.json(Payment.class));
      windowSums(
          payments.assignTimestampsAndWatermarks(
              WatermarkStrategy.<Payment>forBoundedOutOfOrderness(Duration.ofMillis(100))
                  .withTimestampAssigner((p, t) -> p.amount())));
      payments
          .assignTimestampsAndWatermarks(
              WatermarkStrategy.<Payment>forMonotonousTimestamps()
                  .withTimestampAssigner((p, t) -> p.amount()))
          .map(p -> p.account() + ":" + p.amount())
          .returns(String.class)
          .sinkTo("raw", Serdes.string());
    }
  }

  /** A payment. */
  public record Payment(String account, long amount) {}

  /** JSON payments; a running total per account; a negative amount fails the function. */
  public static final class Payments implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("payments")
          .kinesis("payments", Serdes.json(Payment.class))
          .keyBy(Payment::account)
          .process(new Total())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }

  static final class Count extends KeyedProcessFunction<String, String, String> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(COUNT);
    }

    @Override
    public void processElement(String word, Context ctx, Collector<String> out) {
      long n = (count.value() == null ? 0 : count.value()) + 1;
      count.update(n);
      out.collect(word + "=" + n);
    }
  }

  /** A running total per account ("account=total"); a negative amount fails the function. */
  abstract static class RunningTotal<T> extends KeyedProcessFunction<String, T, String> {
    private transient ValueState<Long> total;

    abstract String account(T payment);

    abstract long amount(T payment);

    /** Called once the payment is counted. */
    void counted(T payment) {}

    @Override
    public void open(OpenContext context) {
      total = getRuntimeContext().getState(COUNT);
    }

    @Override
    public void processElement(T p, Context ctx, Collector<String> out) {
      long amount = amount(p);
      if (amount < 0) {
        throw new IllegalArgumentException("negative amount " + amount);
      }
      long n = (total.value() == null ? 0 : total.value()) + amount;
      total.update(n);
      counted(p);
      out.collect(account(p) + "=" + n);
    }
  }

  static final class Total extends RunningTotal<Payment> {
    @Override
    String account(Payment p) {
      return p.account();
    }

    @Override
    long amount(Payment p) {
      return p.amount();
    }
  }

  /** Payments whose key selector counts its calls: how often the stateless prefix ran. */
  public static final class CountedPayments implements JobProvider {
    static final AtomicLong KEYED = new AtomicLong();

    @Override
    public void build(StreamEnvironment env) {
      env.jobName("counted-payments")
          .kinesis("payments", Serdes.json(Payment.class))
          .keyBy(
              p -> {
                KEYED.incrementAndGet();
                return p.account();
              })
          .process(new Total())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }

  /** A payment as a bean: a value a function could change. */
  public static final class PaymentBean {
    private String account;
    private long amount;

    /** The account. */
    public String getAccount() {
      return account;
    }

    /** Sets the account. */
    public void setAccount(String account) {
      this.account = account;
    }

    /** The amount. */
    public long getAmount() {
      return amount;
    }

    /** Sets the amount. */
    public void setAmount(long amount) {
      this.amount = amount;
    }
  }

  /** {@link CountedPayments} on beans. */
  public static final class BeanPayments implements JobProvider {
    static final AtomicLong KEYED = new AtomicLong();

    @Override
    public void build(StreamEnvironment env) {
      env.jobName("bean-payments")
          .kinesis("payments", Serdes.json(PaymentBean.class))
          .keyBy(
              p -> {
                KEYED.incrementAndGet();
                return p.getAccount();
              })
          .process(new BeanTotal())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }

  static final class BeanTotal extends RunningTotal<PaymentBean> {
    @Override
    String account(PaymentBean p) {
      return p.getAccount();
    }

    @Override
    long amount(PaymentBean p) {
      return p.getAmount();
    }

    @Override
    void counted(PaymentBean p) {
      p.setAmount(0); // a function may change its input
    }
  }

  /** A watermark after every payment (the punctuated pattern). */
  static final class Punctuated implements WatermarkGenerator<Payment> {
    private long max = Long.MIN_VALUE;

    @Override
    public void onEvent(Payment event, long ts, WatermarkOutput output) {
      max = Math.max(max, ts);
      output.emitWatermark(max - 1);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }

  /** Before keyBy, a payment behind the watermark it reads counts 1000. */
  static final class TagLate extends ProcessFunction<Payment, Payment> {
    @Override
    public void processElement(Payment p, Context ctx, Collector<Payment> out) {
      boolean late =
          ctx.timestamp() != null && ctx.timestamp() < ctx.timerService().currentWatermark();
      out.collect(late ? new Payment(p.account(), 1000) : p);
    }
  }

  /**
   * Payments with a watermark per element and late tagging before keyBy (from a review: an
   * operator's prefix run over its part of a batch tagged other records than the coordinator's).
   */
  public static final class LatePayments implements JobProvider {
    static final AtomicLong KEYED = new AtomicLong();

    @Override
    public void build(StreamEnvironment env) {
      env.jobName("late-payments")
          .kinesis("payments", Serdes.json(Payment.class))
          .assignTimestampsAndWatermarks(
              WatermarkStrategy.<Payment>forGenerator(ctx -> new Punctuated()))
          .process(new TagLate())
          .returns(Payment.class)
          .keyBy(
              p -> {
                KEYED.incrementAndGet();
                return p.account();
              })
          .process(new Total())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }

  /** Before keyBy, a payment behind the watermark it reads goes to the account "late". */
  static final class RouteLate extends ProcessFunction<Payment, Payment> {
    @Override
    public void processElement(Payment p, Context ctx, Collector<Payment> out) {
      boolean late =
          ctx.timestamp() != null && ctx.timestamp() < ctx.timerService().currentWatermark();
      out.collect(late ? new Payment("late", p.amount()) : p);
    }
  }

  /**
   * Payments with monotonous timestamps whose late ones go to "late" before keyBy (from a review:
   * with the prefix reading the batch's input watermark, which the batch's own commit moves, a
   * batch delivered again routed a record to another slot, which applied it again).
   */
  public static final class RoutedPayments implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("routed-payments")
          .kinesis("payments", Serdes.json(Payment.class))
          .assignTimestampsAndWatermarks(WatermarkStrategy.<Payment>forMonotonousTimestamps())
          .process(new RouteLate())
          .returns(Payment.class)
          .keyBy(Payment::account)
          .process(new Total())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }
}
