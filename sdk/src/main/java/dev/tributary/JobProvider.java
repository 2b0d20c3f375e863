package dev.tributary;

/**
 * A Tributary job: a class that builds its dataflow on a {@link StreamEnvironment}. The same class
 * runs in the test driver, in the local runner and, from one jar, in the coordinator and operator
 * Lambda functions, each of which calls {@link #build} once per instance of the graph it needs.
 *
 * <pre>{@code
 * public final class ClickCounts implements JobProvider {
 *   public void build(StreamEnvironment env) {
 *     env.kinesis("clicks", Serdes.json(Click.class))
 *         .assignTimestampsAndWatermarks(WatermarkStrategy.<Click>forBoundedOutOfOrderness(
 *             Duration.ofSeconds(5)).withTimestampAssigner((c, t) -> c.timestamp()))
 *         .keyBy(Click::userId)
 *         .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
 *         .aggregate(new CountClicks())
 *         .uid("click-counts")
 *         .sinkTo("counts");
 *   }
 * }
 * }</pre>
 */
@FunctionalInterface
public interface JobProvider {
  /** Declares the job's sources, operators and sinks. Must be deterministic. */
  void build(StreamEnvironment env);
}
