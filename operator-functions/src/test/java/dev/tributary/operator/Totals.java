package dev.tributary.operator;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;

/** A test job: a running total per account; a negative amount makes the function fail. */
public final class Totals implements JobProvider {
  /** A payment. */
  public record Payment(String account, long amount) {}

  /** The total state. */
  public static final ValueStateDescriptor<Long> TOTAL =
      new ValueStateDescriptor<>("total", Long.class);

  @Override
  public void build(StreamEnvironment env) {
    env.jobName("totals")
        .kinesis("payments", Serdes.json(Payment.class))
        .keyBy(Payment::account)
        .process(new Sum())
        .uid("sum")
        .sinkTo("totals", Serdes.string());
  }

  /** The sum. */
  public static final class Sum extends KeyedProcessFunction<String, Payment, String> {
    private transient ValueState<Long> total;

    @Override
    public void open(OpenContext context) {
      total = getRuntimeContext().getState(TOTAL);
    }

    @Override
    public void processElement(Payment p, Context ctx, Collector<String> out) {
      if (p.amount() < 0) {
        throw new IllegalArgumentException("negative amount " + p.amount());
      }
      long now = (total.value() == null ? 0 : total.value()) + p.amount();
      total.update(now);
      out.collect(p.account() + "=" + now);
    }
  }
}
