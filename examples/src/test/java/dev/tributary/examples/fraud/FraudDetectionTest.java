package dev.tributary.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.differential.FlinkHarness;
import dev.tributary.testkit.JobTestDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class FraudDetectionTest {
  private static final String SOURCE = FraudDetection.SOURCE;

  @Test
  void alertsOnASmallTransactionFollowedByALargeOne() {
    try (JobTestDriver driver = JobTestDriver.of(new FraudDetection())) {
      driver.pipe(SOURCE, new Transaction("acc-1", 0.50, 1));
      driver.pipe(SOURCE, new Transaction("acc-2", 900.00, 2)); // other account: no flag
      driver.pipe(SOURCE, new Transaction("acc-1", 700.00, 3));
      assertThat(driver.sink(FraudDetection.SINK))
          .containsExactly(new Alert("acc-1", 0.50, 700.00, 3));
      // the alert cleared the flag and the timer
      assertThat(driver.valueState(FraudDetection.UID, "acc-1", FraudDetection.FraudDetector.FLAG))
          .isNull();
      assertThat(driver.pendingTimers(FraudDetection.UID)).isZero();
    }
  }

  @Test
  void forgetsTheSmallTransactionAfterOneMinuteOfProcessingTime() {
    try (JobTestDriver driver = JobTestDriver.of(new FraudDetection(), 1_000)) {
      driver.pipe(SOURCE, new Transaction("acc-1", 0.50, 1));
      assertThat(driver.valueState(FraudDetection.UID, "acc-1", FraudDetection.FraudDetector.TIMER))
          .isEqualTo(61_000L);
      driver.advanceProcessingTimeBy(Duration.ofSeconds(59));
      assertThat(driver.valueState(FraudDetection.UID, "acc-1", FraudDetection.FraudDetector.FLAG))
          .isEqualTo(0.50);
      driver.advanceProcessingTimeBy(Duration.ofSeconds(1)); // the timer fires at 61,000
      assertThat(driver.valueState(FraudDetection.UID, "acc-1", FraudDetection.FraudDetector.FLAG))
          .isNull();
      driver.pipe(SOURCE, new Transaction("acc-1", 700.00, 2));
      assertThat(driver.sink(FraudDetection.SINK)).isEmpty();
    }
  }

  @Test
  void aMediumTransactionClearsTheFlagWithoutAnAlert() {
    try (JobTestDriver driver = JobTestDriver.of(new FraudDetection())) {
      driver.pipe(SOURCE, new Transaction("acc-1", 0.10, 1));
      driver.pipe(SOURCE, new Transaction("acc-1", 50.00, 2));
      driver.pipe(SOURCE, new Transaction("acc-1", 900.00, 3));
      assertThat(driver.sink(FraudDetection.SINK)).isEmpty();
    }
  }

  /**
   * Flink runs these inputs in well under the one-minute timer, and the test driver's clock does
   * not move, so neither side fires a timer: the alerts must be equal.
   */
  @Property(tries = 20)
  void sameAlertsAsFlink(@ForAll("transactions") List<Transaction> transactions) {
    List<String> tributary = new ArrayList<>();
    try (JobTestDriver driver = JobTestDriver.of(new FraudDetection())) {
      for (Transaction t : transactions) {
        driver.pipe(SOURCE, t);
      }
      driver.endOfInput();
      driver
          .sinkRecords(FraudDetection.SINK)
          .forEach(r -> tributary.add(FlinkHarness.format(r.value(), r.timestamp())));
    }
    Map<String, List<String>> flink =
        FlinkHarness.run(
            (env, out) ->
                out.collect(
                    "alerts",
                    env.fromData(transactions)
                        .keyBy(Transaction::accountId)
                        .process(new FlinkFraudDetector())));
    assertThat(tributary).containsExactlyInAnyOrderElementsOf(flink.get("alerts"));
  }

  @Provide
  Arbitrary<List<Transaction>> transactions() {
    Arbitrary<Double> amount =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.of(0.10, 0.50, 0.99)),
            net.jqwik.api.Tuple.of(3, Arbitraries.of(600.0, 900.0)),
            net.jqwik.api.Tuple.of(4, Arbitraries.of(1.0, 20.0, 500.0)));
    return Combinators.combine(Arbitraries.of("a", "b", "c"), amount)
        .as((account, a) -> new Object[] {account, a})
        .list()
        .ofMinSize(1)
        .ofMaxSize(50)
        .map(
            steps -> {
              List<Transaction> out = new ArrayList<>();
              long t = 0;
              for (Object[] s : steps) {
                out.add(new Transaction((String) s[0], (Double) s[1], t++));
              }
              return out;
            });
  }

  /** Flink port of {@link FraudDetection.FraudDetector}. */
  static final class FlinkFraudDetector extends KeyedProcessFunction<String, Transaction, Alert> {
    private transient ValueState<Double> flagState;
    private transient ValueState<Long> timerState;

    @Override
    public void open(OpenContext context) {
      flagState = getRuntimeContext().getState(new ValueStateDescriptor<>("flag", Types.DOUBLE));
      timerState = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
    }

    @Override
    public void processElement(Transaction tx, Context ctx, Collector<Alert> out) throws Exception {
      Double small = flagState.value();
      if (small != null) {
        if (tx.amount() > FraudDetection.LARGE_AMOUNT) {
          out.collect(new Alert(tx.accountId(), small, tx.amount(), tx.timestamp()));
        }
        Long timer = timerState.value();
        if (timer != null) {
          ctx.timerService().deleteProcessingTimeTimer(timer);
        }
        timerState.clear();
        flagState.clear();
      }
      if (tx.amount() < FraudDetection.SMALL_AMOUNT) {
        flagState.update(tx.amount());
        long timer = ctx.timerService().currentProcessingTime() + FraudDetection.ONE_MINUTE;
        ctx.timerService().registerProcessingTimeTimer(timer);
        timerState.update(timer);
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) {
      timerState.clear();
      flagState.clear();
    }
  }
}
