package dev.tributary.operator;

import dev.tributary.JobGraph;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.partitioning.KeyGroupRange;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.state.dynamodb.Batch;
import dev.tributary.state.dynamodb.DeadLetter;
import dev.tributary.state.dynamodb.KeyedRecord;
import dev.tributary.state.dynamodb.KeyedStageRunner;
import dev.tributary.state.dynamodb.PoisonRecordException;
import dev.tributary.state.dynamodb.RunReport;
import dev.tributary.state.dynamodb.StateTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The task manager's work for one request: run the stateless prefix again on the source records,
 * keep the keyed records of this slot, run the keyed stage through the exactly-once protocol, and
 * set aside a record that keeps failing. Used by one thread at a time.
 */
public final class SlotExecutor {
  private final JobGraph graph;
  private final DynamoDbClient dynamo;
  private final StateTables tables;
  private final int maxAttempts;
  private final Map<String, StatelessPrefix> prefixes = new HashMap<>();
  private final KeyedStageRunner runner;
  private final AttemptCounter attempts;

  /** An executor for {@code graph}'s keyed stage on {@code tables}. */
  public SlotExecutor(JobGraph graph, DynamoDbClient dynamo, StateTables tables, int maxAttempts) {
    this.graph = graph;
    this.dynamo = dynamo;
    this.tables = tables;
    this.maxAttempts = maxAttempts;
    this.runner = new KeyedStageRunner(dynamo, tables, graph);
    this.attempts = new AttemptCounter(dynamo, tables, graph.jobName());
  }

  /** Runs one request, running the stateless prefix on its records first. */
  public OperatorResponse execute(OperatorRequest request) {
    return execute(request, null);
  }

  /**
   * Runs one request whose records the coordinator's prefix made {@code keyed} of (null: run the
   * prefix here): the keyed records in order, each with its source record's index in {@code
   * request.records()}, those of this slot's key groups at least. The in-process invoker passes
   * them when no function can change them (see {@code Coordinator}), which spares a second run.
   */
  public OperatorResponse execute(OperatorRequest request, List<StatelessPrefix.Keyed> keyed) {
    if (request.version() != Protocol.VERSION) {
      throw new IllegalArgumentException(
          "request has protocol version "
              + request.version()
              + "; this build speaks "
              + Protocol.VERSION);
    }
    if (!request.job().equals(graph.jobName())) {
      throw new IllegalArgumentException(
          "request is for job '"
              + request.job()
              + "' but this function runs job '"
              + graph.jobName()
              + "'; point the coordinator at this job's operator function");
    }
    Batch batch;
    if (request.split() == null) {
      keyed = List.of();
      batch =
          Batch.tick(
              request.slot(), request.slots(), request.watermark(), request.processingTime());
    } else {
      KeyGroupRange range =
          KeyGroups.rangeOf(request.slot(), graph.maxKeyGroups(), request.slots());
      if (keyed == null) {
        keyed = prefix(request);
        checkAgainstCoordinator(request, keyed, range);
      }
      List<KeyedRecord> mine = new ArrayList<>();
      for (StatelessPrefix.Keyed k : keyed) {
        if (range.contains(k.keyGroup())) {
          mine.add(k.record());
        }
      }
      batch =
          new Batch(
              request.split(),
              request.slot(),
              request.slots(),
              mine,
              request.watermark(),
              request.processingTime(),
              request.inputWatermark());
    }
    while (true) {
      try {
        return committed(request, runner.run(batch));
      } catch (PoisonRecordException poison) {
        SourceRecord source = origin(request, keyed, poison.position());
        // counted per keyed record, not per slot: its failures add up across a slot-count change
        int failures = attempts.failed(request.split(), poison.position(), "keyed");
        if (failures < maxAttempts) {
          return poisoned(request, poison, failures);
        }
        batch =
            batch.withDeadLetter(
                new DeadLetter(
                    poison.position(),
                    source == null ? null : source.data(),
                    describe(poison),
                    failures,
                    source == null ? Map.of() : withSequence(source)));
      }
    }
  }

  /** Runs the stateless prefix on {@code request}'s records, as the coordinator did. */
  private List<StatelessPrefix.Keyed> prefix(OperatorRequest request) {
    StatelessPrefix prefix =
        prefixes.computeIfAbsent(request.source(), s -> new StatelessPrefix(graph, s));
    StatelessPrefix.Result result = prefix.run(request.records());
    if (!result.failures().isEmpty()) {
      StatelessPrefix.Failure f = result.failures().get(0);
      throw new IllegalStateException(
          "the stateless prefix failed on record "
              + request.records().get(f.recordIndex()).sequence()
              + " of split "
              + request.split()
              + ", which the coordinator had run it on without failing: the job's stateless"
              + " functions must be deterministic",
          f.error());
    }
    return result.keyed();
  }

  /**
   * Checks that this run of the prefix made as many keyed records of this slot's key groups from
   * each source record as the coordinator's run did ({@link OperatorRequest#keyed}). They differ
   * only when a function before keyBy depends on more than its record: the coordinator would have
   * sent records to slots that drop them, and skipped slots that would apply them.
   *
   * @throws IllegalStateException naming the record, both counts, the cause and the fix
   */
  private static void checkAgainstCoordinator(
      OperatorRequest request, List<StatelessPrefix.Keyed> keyed, KeyGroupRange range) {
    List<Integer> expected = request.keyed();
    if (expected == null) {
      return;
    }
    int[] made = new int[request.records().size()];
    for (StatelessPrefix.Keyed k : keyed) {
      if (range.contains(k.keyGroup())) {
        made[k.recordIndex()]++;
      }
    }
    for (int i = 0; i < made.length; i++) {
      if (made[i] != expected.get(i)) {
        throw new IllegalStateException(
            "the functions before the first keyBy made "
                + made[i]
                + " keyed record(s) of slot "
                + request.slot()
                + " from record "
                + request.records().get(i).sequence()
                + (request.records().get(i).subSequence() == 0
                    ? ""
                    : " (sub-record " + request.records().get(i).subSequence() + ")")
                + " of split "
                + request.split()
                + " in the operator, but "
                + expected.get(i)
                + " in the coordinator. A function before keyBy gives results that depend on"
                + " more than the record (an instance field such as a counter, a cache or a set of"
                + " records seen; a random number; the clock; the thread), and the coordinator and each"
                + " operator run it on different parts of the batch, so records would be lost or"
                + " applied twice. Make such functions depend on the record alone, or move the"
                + " logic behind keyBy, where state is kept exactly once");
      }
    }
  }

  /** The source record that {@code position}'s keyed record came from (null if none did). */
  private static SourceRecord origin(
      OperatorRequest request,
      List<StatelessPrefix.Keyed> keyed,
      dev.tributary.state.dynamodb.Position position) {
    for (StatelessPrefix.Keyed k : keyed) {
      if (k.record().position().equals(position)) {
        return request.records().get(k.recordIndex());
      }
    }
    return null;
  }

  private static Map<String, String> withSequence(SourceRecord source) {
    Map<String, String> meta = new HashMap<>(source.metadata());
    meta.put("sequence", source.sequence());
    meta.put("subSequence", Long.toString(source.subSequence()));
    meta.put("timestamp", Long.toString(source.timestamp()));
    return meta;
  }

  private static String describe(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      b.append("\ncaused by ").append(c);
    }
    return b.length() > 8000 ? b.substring(0, 8000) : b.toString();
  }

  private OperatorResponse poisoned(
      OperatorRequest request, PoisonRecordException poison, int failures) {
    // what was committed before the failing record stays committed; read it back
    KeyedStageRunner.Committed before =
        runner.committed(request.split(), request.slot(), request.slots());
    return new OperatorResponse(
        Protocol.VERSION,
        OperatorResponse.Status.POISON,
        request.split(),
        request.slot(),
        before.position().encode(),
        before.epoch(),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        poison.position().encode(),
        failures,
        describe(poison),
        0);
  }

  private static OperatorResponse committed(OperatorRequest request, RunReport r) {
    return new OperatorResponse(
        Protocol.VERSION,
        r.fenced() ? OperatorResponse.Status.FENCED : OperatorResponse.Status.COMMITTED,
        request.split(),
        request.slot(),
        r.committedThrough().encode(),
        r.epoch(),
        r.epochs(),
        r.recordsApplied(),
        r.recordsSkipped(),
        r.deadLettered(),
        r.outputs(),
        r.timersFired(),
        r.lateRecordsDropped(),
        r.conflicts(),
        r.retries(),
        r.readUnits(),
        r.writeUnits(),
        null,
        0,
        null,
        r.timerItemMerges());
  }

  /** The DynamoDB client (for the handler's health checks). */
  DynamoDbClient dynamo() {
    return dynamo;
  }

  /** The tables. */
  StateTables tables() {
    return tables;
  }
}
