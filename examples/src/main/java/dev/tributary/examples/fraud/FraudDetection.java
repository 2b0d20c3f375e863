package dev.tributary.examples.fraud;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;

/**
 * Example 2, the shape of Flink's fraud-detection tutorial: alert when a transaction below {@value
 * #SMALL_AMOUNT} is followed, within one minute of processing time, by one above {@value
 * #LARGE_AMOUNT} on the same account. A flag in {@link ValueState} remembers the small transaction;
 * a processing-time timer forgets it after a minute.
 */
public final class FraudDetection implements JobProvider {
  /** The logical source name. */
  public static final String SOURCE = "transactions";

  /** The logical sink name. */
  public static final String SINK = "alerts";

  /** The uid of the detector. */
  public static final String UID = "fraud-detector";

  /** Below this, a transaction is small. */
  public static final double SMALL_AMOUNT = 1.00;

  /** Above this, a transaction is large. */
  public static final double LARGE_AMOUNT = 500.00;

  /** How long a small transaction stays suspicious. */
  public static final long ONE_MINUTE = 60 * 1000;

  @Override
  public void build(StreamEnvironment env) {
    env.jobName("fraud-detection")
        .kafka(SOURCE, Serdes.json(Transaction.class))
        .keyBy(Transaction::accountId)
        .process(new FraudDetector())
        .uid(UID)
        .sinkTo(SINK, Serdes.json(Alert.class));
  }

  /** The detector: one flag and one timer per account. */
  public static final class FraudDetector extends KeyedProcessFunction<String, Transaction, Alert> {
    /** The last small transaction's amount, while it is suspicious. */
    public static final ValueStateDescriptor<Double> FLAG =
        new ValueStateDescriptor<>("small-amount", Double.class);

    /** The pending timer's time. */
    public static final ValueStateDescriptor<Long> TIMER =
        new ValueStateDescriptor<>("timer", Long.class);

    private transient ValueState<Double> flagState;
    private transient ValueState<Long> timerState;

    @Override
    public void open(OpenContext context) {
      flagState = getRuntimeContext().getState(FLAG);
      timerState = getRuntimeContext().getState(TIMER);
    }

    @Override
    public void processElement(Transaction tx, Context ctx, Collector<Alert> out) {
      Double smallAmount = flagState.value();
      if (smallAmount != null) {
        if (tx.amount() > LARGE_AMOUNT) {
          out.collect(new Alert(tx.accountId(), smallAmount, tx.amount(), tx.timestamp()));
        }
        cleanUp(ctx);
      }
      if (tx.amount() < SMALL_AMOUNT) {
        flagState.update(tx.amount());
        long timer = ctx.timerService().currentProcessingTime() + ONE_MINUTE;
        ctx.timerService().registerProcessingTimeTimer(timer);
        timerState.update(timer);
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
      timerState.clear();
      flagState.clear();
    }

    private void cleanUp(Context ctx) {
      Long timer = timerState.value();
      if (timer != null) {
        ctx.timerService().deleteProcessingTimeTimer(timer);
      }
      timerState.clear();
      flagState.clear();
    }
  }
}
