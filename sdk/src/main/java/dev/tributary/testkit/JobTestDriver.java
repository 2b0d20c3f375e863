package dev.tributary.testkit;

import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SinkSpec;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.internal.exec.StateReader;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.ManualClock;
import dev.tributary.spi.OperatorStateStore;
import dev.tributary.spi.OutputCollector;
import dev.tributary.state.ListStateDescriptor;
import dev.tributary.state.MapStateDescriptor;
import dev.tributary.state.StateDescriptor;
import dev.tributary.state.ValueStateDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a job in memory, one step at a time, as Kafka Streams' {@code TopologyTestDriver}: pipe
 * records into named sources, move the watermark and the processing-time clock by hand, then read
 * the sinks, the side outputs and the keyed state of any key. It runs the same executor as every
 * other runtime.
 *
 * <p>Each {@code pipe} call is one batch: its records go through the job, then the watermark
 * generators emit (as after an event-source-mapping batch on AWS) and due processing-time timers
 * fire.
 *
 * <pre>{@code
 * try (JobTestDriver driver = JobTestDriver.of(new ClickWindowSums())) {
 *   driver.pipe("clicks", new Click("u1", 1_000L, 3));
 *   driver.advanceWatermarkTo(10_000L);
 *   assertThat(driver.sink("totals")).containsExactly(...);
 * }
 * }</pre>
 */
public final class JobTestDriver implements AutoCloseable {
  private final JobGraph graph;
  private final ManualClock clock;
  private final InMemoryStateBackend backend = new InMemoryStateBackend();
  private final JobExecutor executor;
  private final Map<String, List<TestRecord<Object>>> sinks = new LinkedHashMap<>();
  private final Map<String, Integer> sinkReadPositions = new LinkedHashMap<>();
  private final Map<String, List<TestRecord<Object>>> sideOutputs = new LinkedHashMap<>();
  private final Set<String> sinkNames = new LinkedHashSet<>();
  private long lateRecordsDropped;

  private JobTestDriver(JobProvider job, long startProcessingTime) {
    this.graph = JobGraph.of(job);
    this.clock = new ManualClock(startProcessingTime);
    for (GraphNode sink : graph.sinks()) {
      String name = ((SinkSpec) sink.spec()).sinkName();
      sinkNames.add(name);
      sinks.put(name, new ArrayList<>());
    }
    this.executor = new JobExecutor(graph, backend, clock, new Collector());
  }

  /** A driver for {@code job} with the processing-time clock at 0. */
  public static JobTestDriver of(JobProvider job) {
    return new JobTestDriver(job, 0L);
  }

  /** A driver for {@code job} with the processing-time clock at {@code startProcessingTime}. */
  public static JobTestDriver of(JobProvider job, long startProcessingTime) {
    return new JobTestDriver(job, startProcessingTime);
  }

  /** The job's graph. */
  public JobGraph graph() {
    return graph;
  }

  // ---- input ----

  /** Pipes one record (without a source timestamp) as one batch. */
  public void pipe(String source, Object value) {
    pipe(source, value, Long.MIN_VALUE);
  }

  /** Pipes one record with the source's own timestamp (e.g. Kinesis arrival time) as one batch. */
  public void pipe(String source, Object value, long recordTimestamp) {
    executor.process(source, value, recordTimestamp);
    endBatch();
  }

  /** Pipes records (without source timestamps) as one batch. */
  public void pipeAll(String source, List<?> values) {
    JobExecutor.SourceInput input = executor.sourceInput(source);
    for (Object value : values) {
      input.push(value, Long.MIN_VALUE);
    }
    endBatch();
  }

  /** Pipes a raw payload, read with the source's serde, as one batch. */
  public void pipeBytes(String source, byte[] payload) {
    executor.processBytes(source, payload, Long.MIN_VALUE);
    endBatch();
  }

  private void endBatch() {
    executor.endBatch();
    executor.advanceProcessingTime();
  }

  // ---- time ----

  /** Moves every watermark generator's watermark to at least {@code watermark}. */
  public void advanceWatermarkTo(long watermark) {
    executor.advanceWatermark(watermark);
  }

  /** Moves the processing-time clock to {@code time}, then fires due timers and checks idleness. */
  public void advanceProcessingTimeTo(long time) {
    clock.set(time);
    endBatch();
  }

  /** Moves the processing-time clock forward by {@code duration}. */
  public void advanceProcessingTimeBy(Duration duration) {
    advanceProcessingTimeTo(clock.currentTimeMillis() + duration.toMillis());
  }

  /** Ends the input: the final watermark fires every event-time window and timer. */
  public void endOfInput() {
    executor.endOfInput();
  }

  /** The processing-time clock. */
  public long currentProcessingTime() {
    return clock.currentTimeMillis();
  }

  /** The lowest watermark over the job's sinks. */
  public long currentWatermark() {
    return executor.outputWatermark();
  }

  // ---- outputs ----

  /** Everything the sink received so far. */
  @SuppressWarnings("unchecked")
  public <T> List<T> sink(String sinkName) {
    List<T> out = new ArrayList<>();
    for (TestRecord<Object> record : sinkRecords(sinkName)) {
      out.add((T) record.value());
    }
    return out;
  }

  /** Everything the sink received so far, with timestamps. */
  public List<TestRecord<Object>> sinkRecords(String sinkName) {
    return Collections.unmodifiableList(records(sinkName));
  }

  /** What the sink received since the last {@code readSink} of it. */
  @SuppressWarnings("unchecked")
  public <T> List<T> readSink(String sinkName) {
    List<TestRecord<Object>> records = records(sinkName);
    int from = sinkReadPositions.getOrDefault(sinkName, 0);
    sinkReadPositions.put(sinkName, records.size());
    List<T> out = new ArrayList<>();
    for (TestRecord<Object> record : records.subList(from, records.size())) {
      out.add((T) record.value());
    }
    return out;
  }

  private List<TestRecord<Object>> records(String sinkName) {
    List<TestRecord<Object>> records = sinks.get(sinkName);
    if (records == null) {
      throw new IllegalArgumentException(
          "job '"
              + graph.jobName()
              + "' has no sink named '"
              + sinkName
              + "'; its sinks are "
              + sinkNames);
    }
    return records;
  }

  /** Everything emitted to the side output {@code tag} so far, consumed by the job or not. */
  @SuppressWarnings("unchecked")
  public <T> List<T> sideOutput(OutputTag<T> tag) {
    List<T> out = new ArrayList<>();
    for (TestRecord<Object> record : sideOutputs.getOrDefault(tag.id(), List.of())) {
      out.add((T) record.value());
    }
    return out;
  }

  /** Everything emitted to the side output {@code tag} so far, with timestamps. */
  public List<TestRecord<Object>> sideOutputRecords(OutputTag<?> tag) {
    return Collections.unmodifiableList(sideOutputs.getOrDefault(tag.id(), List.of()));
  }

  /** How many late records window operators dropped (late for every window, no late-data tag). */
  public long lateRecordsDropped() {
    return lateRecordsDropped;
  }

  // ---- state ----

  /** The value of a value state of {@code key} in operator {@code uid}, or null. */
  @SuppressWarnings("unchecked")
  public <T> T valueState(String uid, Object key, ValueStateDescriptor<T> descriptor) {
    return (T) read(uid, key, descriptor);
  }

  /** The elements of a list state of {@code key} in operator {@code uid} (empty if none). */
  @SuppressWarnings("unchecked")
  public <T> List<T> listState(String uid, Object key, ListStateDescriptor<T> descriptor) {
    Object value = read(uid, key, descriptor);
    return value == null ? List.of() : (List<T>) value;
  }

  /** The entries of a map state of {@code key} in operator {@code uid} (empty if none). */
  @SuppressWarnings("unchecked")
  public <K, V> Map<K, V> mapState(String uid, Object key, MapStateDescriptor<K, V> descriptor) {
    Object value = read(uid, key, descriptor);
    return value == null ? Map.of() : (Map<K, V>) value;
  }

  /**
   * The raw value of any state of {@code key}: the accumulator of an aggregating state, the value
   * of a reducing state.
   */
  public Object state(String uid, Object key, StateDescriptor<?> descriptor) {
    return read(uid, key, descriptor);
  }

  /** The number of pending event-time and processing-time timers of operator {@code uid}. */
  public int pendingTimers(String uid) {
    OperatorStateStore store = store(uid);
    return store.eventTimeTimers().size() + store.processingTimeTimers().size();
  }

  /** The keys with state in operator {@code uid}. */
  public List<Object> keys(String uid) {
    store(uid);
    List<Object> keys = new ArrayList<>();
    backend.keys(uid).forEach(keys::add);
    return keys;
  }

  private Object read(String uid, Object key, StateDescriptor<?> descriptor) {
    return StateReader.read(store(uid), descriptor, key, clock.currentTimeMillis());
  }

  private OperatorStateStore store(String uid) {
    OperatorStateStore store = backend.store(uid);
    if (store == null) {
      List<String> uids = new ArrayList<>();
      for (GraphNode node : graph.nodes()) {
        if (node.spec().stateful()) {
          uids.add(node.uid());
        }
      }
      throw new IllegalArgumentException(
          "job '"
              + graph.jobName()
              + "' has no stateful operator with uid '"
              + uid
              + "'; its stateful uids are "
              + uids);
    }
    return store;
  }

  /** Closes the job's functions. */
  @Override
  public void close() {
    executor.close();
  }

  private final class Collector implements OutputCollector {
    @Override
    public void emit(String sinkName, Object value, long timestamp) {
      sinks
          .get(sinkName)
          .add(new TestRecord<>(value, timestamp == Long.MIN_VALUE ? null : timestamp));
    }

    @Override
    public void sideOutput(OutputTag<?> tag, Object value, long timestamp) {
      sideOutputs
          .computeIfAbsent(tag.id(), id -> new ArrayList<>())
          .add(new TestRecord<>(value, timestamp == Long.MIN_VALUE ? null : timestamp));
    }

    @Override
    public void lateRecordDropped(String operatorUid, Object value, long timestamp) {
      lateRecordsDropped++;
    }
  }
}
