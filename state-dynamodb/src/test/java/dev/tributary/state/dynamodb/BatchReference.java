package dev.tributary.state.dynamodb;

import dev.tributary.JobGraph;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SinkSpec;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.serde.Serde;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference for the runner: the same executor on the in-memory backend, fed the same batches in
 * the same order with the runner's batch semantics (timers up to the input watermark, then the
 * records at the batch's clock, then the watermark and the clock's due timers). Its outputs are
 * what the committed outbox must hold.
 */
final class BatchReference {
  private BatchReference() {}

  /** The outputs of {@code sink}, serialized with the sink's serde and decoded as UTF-8 text. */
  @SuppressWarnings("unchecked")
  static List<String> outputs(JobGraph graph, List<Batch> batches, String sink) {
    Map<String, Serde<Object>> serdes = new HashMap<>();
    for (GraphNode node : graph.sinks()) {
      SinkSpec spec = (SinkSpec) node.spec();
      serdes.put(spec.sinkName(), (Serde<Object>) spec.serde());
    }
    List<String> out = new ArrayList<>();
    // one executor per slot: each slot has its own watermark, as each runner invocation does
    Map<Integer, List<Batch>> bySlot = new java.util.TreeMap<>();
    for (Batch b : batches) {
      bySlot.computeIfAbsent(b.slot(), k -> new ArrayList<>()).add(b);
    }
    for (List<Batch> slotBatches : bySlot.values()) {
      run(graph, slotBatches, sink, serdes, out);
    }
    return out;
  }

  private static void run(
      JobGraph graph,
      List<Batch> batches,
      String sink,
      Map<String, Serde<Object>> serdes,
      List<String> out) {
    ManualClock clock = new ManualClock(Long.MIN_VALUE);
    try (JobExecutor executor =
        new JobExecutor(
            graph.instance(),
            new InMemoryStateBackend(),
            clock,
            (s, value, timestamp) -> {
              if (s.equals(sink)) {
                out.add(new String(serdes.get(s).serialize(value), StandardCharsets.UTF_8));
              }
            })) {
      int exchange = graph.exchanges().get(0).id();
      for (Batch b : batches) {
        if (b.inputWatermark() > Long.MIN_VALUE) {
          executor.injectWatermark(exchange, b.inputWatermark());
          executor.fireDueTimers();
        }
        clock.set(Math.max(clock.currentTimeMillis(), b.processingTime()));
        for (KeyedRecord r : b.records()) {
          executor.injectKeyed(r.exchange(), r.key(), r.value(), r.timestamp());
        }
        executor.injectWatermark(exchange, b.watermark());
        executor.fireDueTimers();
      }
    }
  }
}
