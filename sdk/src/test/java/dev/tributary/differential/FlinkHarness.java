package dev.tributary.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs reference jobs on Apache Flink's MiniCluster (test scope only), bound to 127.0.0.1, one
 * cluster per JVM. Sinks collect "value@timestamp" records, so that results and their timestamps
 * compare with Tributary's.
 */
public final class FlinkHarness {
  private static MiniCluster cluster;
  private static final Map<String, Map<String, List<String>>> RESULTS = new ConcurrentHashMap<>();

  private FlinkHarness() {}

  private static synchronized MiniCluster cluster() throws Exception {
    if (cluster == null) {
      Configuration conf = new Configuration();
      conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
      conf.set(RestOptions.ADDRESS, "127.0.0.1");
      conf.set(RestOptions.BIND_PORT, "0");
      conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
      conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
      conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
      conf.set(TaskManagerOptions.HOST, "127.0.0.1");
      MiniCluster mc =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(conf)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(4)
                  .setCommonBindAddress("127.0.0.1")
                  .build());
      mc.start();
      cluster = mc;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      mc.closeAsync().get();
                    } catch (Exception ignored) {
                      // the JVM is exiting
                    }
                  }));
    }
    return cluster;
  }

  /** Collects records of one named output. */
  public interface Outputs {
    /** Sends {@code stream} to the collected output {@code name}. */
    <T> void collect(String name, DataStream<T> stream);
  }

  /**
   * Builds a job with {@code builder} on a parallelism-1 environment, runs it to completion and
   * returns each output's "value@timestamp" strings.
   */
  public static Map<String, List<String>> run(
      BiConsumer<StreamExecutionEnvironment, Outputs> builder) {
    String runId = UUID.randomUUID().toString();
    RESULTS.put(runId, new ConcurrentHashMap<>());
    try {
      StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
      env.setParallelism(1);
      builder.accept(
          env,
          new Outputs() {
            @Override
            public <T> void collect(String name, DataStream<T> stream) {
              RESULTS
                  .get(runId)
                  .put(name, java.util.Collections.synchronizedList(new ArrayList<>()));
              stream.sinkTo(new CollectSink<>(runId, name)).name("collect-" + name);
            }
          });
      cluster().executeJobBlocking(env.getStreamGraph().getJobGraph());
      Map<String, List<String>> out = new java.util.TreeMap<>();
      RESULTS.get(runId).forEach((k, v) -> out.put(k, new ArrayList<>(v)));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("the Flink reference job failed: " + e, e);
    } finally {
      RESULTS.remove(runId);
    }
  }

  /** Formats a record as the harness does on both sides. */
  public static String format(Object value, Long timestamp) {
    return value + "@" + (timestamp == null ? "none" : timestamp.toString());
  }

  /**
   * Flink's bounded-out-of-orderness watermark ({@code max - bound - 1}) emitted after every
   * element, so that lateness is deterministic; the Tributary side advances its watermark after
   * every element too.
   */
  public static <T> WatermarkStrategy<T> perEventBoundedOutOfOrderness(long boundMillis) {
    return WatermarkStrategy.forGenerator(ctx -> new PerEventBounded<>(boundMillis));
  }

  private static final class PerEventBounded<T> implements WatermarkGenerator<T> {
    private final long bound;
    private long max;

    PerEventBounded(long bound) {
      this.bound = bound;
      this.max = Long.MIN_VALUE + bound + 1;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
      max = Math.max(max, eventTimestamp);
      output.emitWatermark(new Watermark(max - bound - 1));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {}
  }

  private static final class CollectSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final String name;

    CollectSink(String runId, String name) {
      this.runId = runId;
      this.name = name;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      List<String> target = RESULTS.get(runId).get(name);
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context ctx) {
          target.add(format(element, ctx.timestamp()));
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
