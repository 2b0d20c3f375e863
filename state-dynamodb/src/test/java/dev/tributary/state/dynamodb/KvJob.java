package dev.tributary.state.dynamodb;

import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.functions.Collector;
import dev.tributary.functions.KeyedProcessFunction;
import dev.tributary.functions.OpenContext;
import dev.tributary.serde.Serdes;
import dev.tributary.state.ListState;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.MapState;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.StateTtlConfig;
import dev.tributary.state.ValueState;
import dev.tributary.state.ValueStateDescriptor;
import java.time.Duration;

/**
 * A test job that writes state of chosen shapes and sizes per key: counters, big values, maps and
 * lists that outgrow one item, state with a TTL, and bursts of outputs.
 */
public final class KvJob implements JobProvider {
  /** The source. */
  public static final String SOURCE = "ops";

  /** The sink. */
  public static final String SINK = "out";

  /** The keyed operator. */
  public static final String UID = "kv";

  /** Records per key. */
  public static final ValueStateDescriptor<Long> COUNT =
      new ValueStateDescriptor<>("count", Long.class);

  /** A value of a chosen size. */
  public static final ValueStateDescriptor<String> BLOB =
      new ValueStateDescriptor<>("blob", String.class);

  /** Entries of a chosen size. */
  public static final MapStateDescriptor<Integer, String> MAP =
      new MapStateDescriptor<>("map", Integer.class, String.class);

  /** Elements of a chosen size. */
  public static final ListStateDescriptor<String> LIST =
      new ListStateDescriptor<>("list", String.class);

  /** A value that expires one second after it was written. */
  public static final ValueStateDescriptor<String> SESSION =
      new ValueStateDescriptor<>("session", String.class)
          .withTtl(StateTtlConfig.ofWrite(Duration.ofSeconds(1)));

  /**
   * One operation on {@code key}: {@code count}; {@code blob} (a value of {@code size} chars);
   * {@code map} ({@code n} more entries of {@code size} chars); {@code unmap} (clear the map);
   * {@code list} ({@code n} more elements); {@code emit} ({@code n} outputs of {@code size} chars);
   * {@code session} (read the session value, emit what was there, write a new one); {@code boom}
   * (fail).
   */
  public record Op(String key, String kind, int size, int n) {}

  @Override
  public void build(StreamEnvironment env) {
    env.jobName("kv")
        .kinesis(SOURCE, Serdes.json(Op.class))
        .keyBy(Op::key)
        .process(new Kv())
        .uid(UID)
        .sinkTo(SINK, Serdes.string());
  }

  static String chars(int size, int seed) {
    StringBuilder b = new StringBuilder(size);
    for (int i = 0; i < size; i++) {
      b.append((char) ('a' + (i * 7 + seed) % 26));
    }
    return b.toString();
  }

  /** The keyed function. */
  public static final class Kv extends KeyedProcessFunction<String, Op, String> {
    private transient ValueState<Long> count;
    private transient ValueState<String> blob;
    private transient MapState<Integer, String> map;
    private transient ListState<String> list;
    private transient ValueState<String> session;

    @Override
    public void open(OpenContext context) {
      count = getRuntimeContext().getState(COUNT);
      blob = getRuntimeContext().getState(BLOB);
      map = getRuntimeContext().getMapState(MAP);
      list = getRuntimeContext().getListState(LIST);
      session = getRuntimeContext().getState(SESSION);
    }

    @Override
    public void processElement(Op op, Context ctx, Collector<String> out) throws Exception {
      long seen = count.value() == null ? 0 : count.value();
      count.update(seen + 1);
      switch (op.kind()) {
        case "blob" -> blob.update(chars(op.size(), (int) seen));
        case "map" -> {
          int size = 0;
          for (Integer ignored : map.keys()) {
            size++;
          }
          for (int i = 0; i < op.n(); i++) {
            map.put(size + i, chars(op.size(), size + i));
          }
        }
        case "unmap" -> map.clear();
        case "list" -> {
          for (int i = 0; i < op.n(); i++) {
            list.add(chars(op.size(), i));
          }
        }
        case "emit" -> {
          for (int i = 0; i < op.n(); i++) {
            out.collect(op.key() + ":" + i + ":" + chars(op.size(), i));
          }
        }
        case "session" -> {
          out.collect(op.key() + " had " + session.value());
          session.update("seen-" + seen);
        }
        case "boom" -> throw new IllegalStateException("boom on " + op.key());
        default -> {}
      }
    }
  }
}
