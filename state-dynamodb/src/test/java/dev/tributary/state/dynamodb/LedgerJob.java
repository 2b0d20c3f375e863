package dev.tributary.state.dynamodb;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.serde.Serdes;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;

/**
 * The test job: a money ledger. Each transaction adds its amount to its account's balance and emits
 * a posting with the new balance; a per-second window count per account is emitted by an event-time
 * timer. A transaction with {@code fanOut > 1} is split by the stateless prefix into that many
 * postings of the same amount (ids {@code id * 10000 + i}), to test resuming inside one source
 * record.
 */
public final class LedgerJob implements JobProvider {
  /** The source. */
  public static final String SOURCE = "txns";

  /** The sink. */
  public static final String SINK = "out";

  /** The keyed operator. */
  public static final String UID = "ledger";

  /** The balance state. */
  public static final ValueStateDescriptor<Long> BALANCE =
      new ValueStateDescriptor<>("balance", Long.class);

  /** Record counts per window end. */
  public static final MapStateDescriptor<Long, Long> COUNTS =
      new MapStateDescriptor<>("window-counts", Long.class, Long.class);

  /** A transaction. */
  public record Txn(String account, long id, long amount, long ts, int fanOut) {
    /** A transaction without fan-out. */
    public Txn(String account, long id, long amount, long ts) {
      this(account, id, amount, ts, 1);
    }
  }

  /**
   * An output: a posting ({@code kind = "posting"}: id, amount, balance after it) or a window count
   * ({@code kind = "window"}: windowEnd, count).
   */
  public record Out(
      String kind, String account, long id, long amount, long balance, long windowEnd, long count) {
    static Out posting(String account, long id, long amount, long balance) {
      return new Out("posting", account, id, amount, balance, 0, 0);
    }

    static Out window(String account, long windowEnd, long count) {
      return new Out("window", account, 0, 0, 0, windowEnd, count);
    }
  }

  private final int maxKeyGroups;

  /** The job with 128 key groups. */
  public LedgerJob() {
    this(128);
  }

  /** The job with {@code maxKeyGroups} key groups (fewer make fewer timer queries per run). */
  public LedgerJob(int maxKeyGroups) {
    this.maxKeyGroups = maxKeyGroups;
  }

  @Override
  public void build(StreamEnvironment env) {
    env.jobName("ledger")
        .maxKeyGroups(maxKeyGroups)
        .kinesis(SOURCE, Serdes.json(Txn.class))
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Txn>forMonotonousTimestamps()
                .withTimestampAssigner((t, previous) -> t.ts()))
        .<Txn>flatMap(
            (t, out) -> {
              for (int i = 0; i < Math.max(1, t.fanOut()); i++) {
                out.collect(
                    new Txn(
                        t.fanOut() > 1 ? t.account() + "/" + (i % 250) : t.account(),
                        t.fanOut() > 1 ? t.id() * 10000 + i : t.id(),
                        t.amount(),
                        t.ts(),
                        1));
              }
            })
        .returns(Txn.class)
        .keyBy(Txn::account)
        .process(new Ledger())
        .uid(UID)
        .sinkTo(SINK, Serdes.json(Out.class));
  }

  /** The keyed function. */
  public static final class Ledger extends KeyedProcessFunction<String, Txn, Out> {
    private transient ValueState<Long> balance;
    private transient MapState<Long, Long> counts;

    @Override
    public void open(OpenContext context) {
      balance = getRuntimeContext().getState(BALANCE);
      counts = getRuntimeContext().getMapState(COUNTS);
    }

    @Override
    public void processElement(Txn t, Context ctx, Collector<Out> out) throws Exception {
      long now = (balance.value() == null ? 0 : balance.value()) + t.amount();
      balance.update(now);
      out.collect(Out.posting(t.account(), t.id(), t.amount(), now));
      long windowEnd = t.ts() - Math.floorMod(t.ts(), 1000) + 999;
      Long seen = counts.get(windowEnd);
      counts.put(windowEnd, seen == null ? 1 : seen + 1);
      ctx.timerService().registerEventTimeTimer(windowEnd);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Out> out) throws Exception {
      Long seen = counts.get(timestamp);
      if (seen != null) {
        out.collect(Out.window(ctx.getCurrentKey(), timestamp, seen));
        counts.remove(timestamp);
      }
    }
  }
}
