package dev.tributary.operator;

import dev.tributary.JobGraph;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.internal.exec.ExchangeListener;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.state.dynamodb.KeyedRecord;
import dev.tributary.state.dynamodb.Position;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the job's stateless prefix (deserialize, map, filter, flatMap, timestamps) over source
 * records and says, for each keyed record it produces, its position and key group. The coordinator
 * runs it to fan out; each operator runs it again on the records of its slot (the prefix is
 * deterministic: its functions read no watermark and processing time 0, see {@link #run}), so only
 * source bytes cross the wire. Used by one thread at a time.
 */
public final class StatelessPrefix {
  /** One keyed record and the source record it came from. */
  public record Keyed(int recordIndex, KeyedRecord record, int keyGroup) {}

  /** A source record the prefix failed on (undeserializable payload, a throwing function). */
  public record Failure(int recordIndex, RuntimeException error) {}

  /**
   * What the prefix made of a list of source records.
   *
   * @param keyed the keyed records in order
   * @param failures the records it failed on
   * @param watermark the highest watermark the prefix's generators emitted after the records into
   *     the job's keyBys (not those {@link JobGraph#withSinksBehindKeyBy} adds), or {@code
   *     Long.MIN_VALUE}
   */
  public record Result(List<Keyed> keyed, List<Failure> failures, long watermark) {}

  private final JobGraph graph;
  private final String source;
  private final Map<Integer, Serde<Object>> keySerdes = new HashMap<>();
  private final boolean[] watermarkCounts;

  /** The prefix of {@code graph} fed by {@code source}. */
  @SuppressWarnings("unchecked")
  public StatelessPrefix(JobGraph graph, String source) {
    this.graph = graph.instance();
    this.source = source;
    this.graph.source(source); // fails listing the sources if unknown
    this.graph
        .exchanges()
        .forEach(n -> keySerdes.put(n.id(), (Serde<Object>) ((KeyBySpec) n.spec()).keySerde()));
    // the keyBys put in front of sinks that no keyBy feeds carry no watermark of the job's
    this.watermarkCounts = new boolean[this.graph.nodes().size()];
    this.graph
        .exchanges()
        .forEach(n -> watermarkCounts[n.id()] = !this.graph.addedExchange(n.id()));
  }

  /** The graph this prefix runs (its own function instances). */
  public JobGraph graph() {
    return graph;
  }

  /**
   * The keyed position of the {@code fanOut}-th keyed record of a source record: the source
   * sequence number, and (sub-record index, fan-out index) packed into the sub-index.
   */
  public static Position position(SourceRecord record, int fanOut) {
    return new Position(Position.decimal(record.sequence()), (record.subSequence() << 32) | fanOut);
  }

  /**
   * Runs the prefix over {@code records}. Its functions read no watermark ({@code Long.MIN_VALUE})
   * and processing time 0, whatever the generators emit, so that what they make of a source record
   * depends on that record alone: the coordinator's run over a batch, each operator's run over its
   * part, and every run of a batch delivered again make the same keyed records at the same
   * positions.
   */
  public Result run(List<SourceRecord> records) {
    List<Keyed> keyed = new ArrayList<>();
    List<Failure> failures = new ArrayList<>();
    long[] watermark = {Long.MIN_VALUE};
    int[] current = {0};
    int[] fan = {0};
    try (JobExecutor prefix =
        new JobExecutor(graph, new InMemoryStateBackend(), () -> 0L, (s, v, t) -> {})) {
      prefix.hideWatermark();
      prefix.setExchangeListener(
          new ExchangeListener() {
            @Override
            public void onKeyedRecord(int exchangeId, Object key, Object value, long timestamp) {
              SourceRecord from = records.get(current[0]);
              Position position = position(from, fan[0]++);
              int keyGroup =
                  KeyGroups.keyGroupOf(
                      keySerdes.get(exchangeId).serialize(key), graph.maxKeyGroups());
              keyed.add(
                  new Keyed(
                      current[0],
                      new KeyedRecord(exchangeId, key, value, timestamp, position),
                      keyGroup));
            }

            @Override
            public void onWatermark(int exchangeId, long w) {
              if (watermarkCounts[exchangeId]) {
                watermark[0] = Math.max(watermark[0], w);
              }
            }
          });
      for (int i = 0; i < records.size(); i++) {
        current[0] = i;
        fan[0] = 0;
        int before = keyed.size();
        SourceRecord r = records.get(i);
        try {
          // a copy: a function may change the array a serde hands it (Serdes.bytes()), and the
          // record's bytes must stay as they came for every later run, request and dead letter
          prefix.processBytes(source, r.data().clone(), r.timestamp());
        } catch (RuntimeException e) {
          keyed.subList(before, keyed.size()).clear(); // a failed record contributes nothing
          failures.add(new Failure(i, e));
        }
      }
      prefix.endBatch();
    }
    return new Result(keyed, failures, watermark[0]);
  }
}
