package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.DataStream;
import dev.tributary.JobProvider;
import dev.tributary.StreamEnvironment;
import dev.tributary.execution.InMemoryRunner;
import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.operator.RuntimeSettings;
import dev.tributary.operator.StatelessPrefix;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.serde.Serdes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The operators check the keyed counts the coordinator sends (review of ad02390): deterministic
 * jobs pass in every shape; a job that changes its input array in place is deterministic (the
 * prefix runs on a copy); a slot that fails the check while others answer is logged by the
 * coordinator, also with a parallelization factor above 1 and for slots run in process.
 */
class KeyedCountCheckIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  /** An invoker that records every slot failure (the coordinator swallows most of them). */
  static final class Watching implements SlotInvoker {
    final SlotInvoker inner;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<OperatorRequest> requests = new CopyOnWriteArrayList<>();

    Watching(SlotInvoker inner) {
      this.inner = inner;
    }

    @Override
    public CompletableFuture<OperatorResponse> invoke(OperatorRequest request) {
      return invoke(request, null);
    }

    @Override
    public CompletableFuture<OperatorResponse> invoke(
        OperatorRequest request, List<StatelessPrefix.Keyed> keyed) {
      requests.add(request);
      return inner
          .invoke(request, keyed)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  errors.add(e);
                }
              });
    }
  }

  private static List<String> sorted(List<String> in) {
    List<String> out = new ArrayList<>(in);
    out.sort(null);
    return out;
  }

  private static List<String> reference(JobProvider job, List<?> input, String sink) {
    List<String> out = new ArrayList<>();
    for (Object o : InMemoryRunner.forJob(job).bind("lines", input.iterator()).run().sink(sink)) {
      out.add(String.valueOf(o));
    }
    out.sort(null);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Problem: a deterministic function of its record that changes its input array in place
  // (Serdes.bytes() hands the SourceRecord's own array to the job) fails every batch forever.
  // ---------------------------------------------------------------------------------------------

  /**
   * Raw bytes, de-obfuscated in place (XOR 0x20 toggles ASCII case), keyed by the decoded line:
   * each output depends on its record alone. In Flink (object reuse off, the default) a map may
   * change its input.
   */
  public static final class XorDecodedLines implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("xor-decoded-lines")
          .kinesis("lines", Serdes.bytes())
          .map(
              b -> {
                for (int i = 0; i < b.length; i++) {
                  b[i] ^= 0x20; // decode in place
                }
                return new String(b, StandardCharsets.UTF_8);
              })
          .returns(String.class)
          .filter(line -> Character.isUpperCase(line.charAt(0))) // decoded lines are upper case
          .keyBy(line -> line)
          .process(new Jobs.Count())
          .uid("count")
          .sinkTo("counts", Serdes.string());
    }
  }

  @Test
  void aMapThatDecodesItsInputArrayInPlaceCommitsEveryRecordOnce() {
    // through the wire = as the operator function gets the request (LambdaInvoker does the same)
    try (Fixture f = new Fixture(local, new XorDecodedLines(), true)) {
      List<SourceRecord> batch = new ArrayList<>();
      List<byte[]> encoded = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        byte[] e = ("word" + i).getBytes(StandardCharsets.UTF_8); // "WORDi" encoded
        encoded.add(e.clone());
        batch.add(new SourceRecord(Long.toString(10 + i), 0, 10 + i, e, Map.of()));
      }
      Watching watching = new Watching(f.invoker);
      Coordinator c = new Coordinator(f.settings, f.dynamo, watching, watching, f.clock);
      Coordinator.Outcome o = null;
      try {
        o = c.process(null, "s/shard-0", batch);
      } catch (IllegalStateException everySlotFailed) {
        watching.errors.add(everySlotFailed);
      }
      // the prefix ran on copies: the records and the requests keep the bytes as they came
      // (before the copy, the coordinator's run decoded them in place and the operators, given
      // the decoded bytes, made other keys: every batch failed the check)
      for (int i = 0; i < 8; i++) {
        assertThat(batch.get(i).data()).isEqualTo(encoded.get(i));
      }
      assertThat(watching.requests).isNotEmpty();
      assertThat(watching.requests.get(0).records().get(0).data()).isIn(encoded.toArray());
      // the job is right: every record counted once, the batch committed
      assertThat(watching.errors)
          .as(
              "slot failures of a deterministic job (first: %s)",
              watching.errors.isEmpty() ? "" : watching.errors.get(0))
          .isEmpty();
      assertThat(o).isNotNull();
      assertThat(o.firstUncommitted()).isEqualTo(-1);
      List<byte[]> input = new ArrayList<>();
      encoded.forEach(e -> input.add(e.clone()));
      List<String> expected = reference(new XorDecodedLines(), input, "counts");
      assertThat(expected).hasSize(8);
      assertThat(sorted(f.outbox("counts"))).isEqualTo(expected);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Problem: when the check fails in some slots but not all, neither the coordinator's answer nor
  // its logs nor its metrics say why; in process (fan-out in-process / auto) it is nowhere at all.
  // ---------------------------------------------------------------------------------------------

  /**
   * Bean payments whose filter before keyBy drops account "x" only on slot threads: a prefix that
   * depends on more than its record (what the check is for), on values no function can be trusted
   * not to change (beans), so that in-process slots run the prefix again and check.
   */
  public static final class ThreadDependentPayments implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      env.jobName("thread-dependent-payments")
          .kinesis("payments", Serdes.json(Jobs.PaymentBean.class))
          .filter(
              p ->
                  !(p.getAccount().equals("x")
                      && Thread.currentThread().getName().startsWith("tributary-slot")))
          .keyBy(Jobs.PaymentBean::getAccount)
          .process(new Jobs.BeanTotal())
          .uid("total")
          .sinkTo("totals", Serdes.string());
    }
  }

  /** A payment of {@code n} to {@code account} at sequence {@code n}, with {@code metadata}. */
  private static SourceRecord payment(int n, String account, Map<String, String> metadata) {
    byte[] json =
        ("{\"account\":\"" + account + "\",\"amount\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    return new SourceRecord(Long.toString(n), 0, n, json, metadata);
  }

  /** A stream that writes to both {@code copy} and {@code out}. */
  private static PrintStream tee(ByteArrayOutputStream copy, PrintStream out) {
    return new PrintStream(
        new java.io.OutputStream() {
          @Override
          public void write(int b) {
            copy.write(b);
            out.write(b);
          }
        },
        true,
        StandardCharsets.UTF_8);
  }

  @Test
  void aCheckFailureInOneSlotReachesTheCoordinatorsLogs() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream tee = tee(captured, original);
    System.setOut(tee); // the coordinator's Telemetry writes to System.out as it is when built
    try (Fixture f =
        new Fixture(local, new ThreadDependentPayments(), false /* as in production */)) {
      Watching watching = new Watching(f.invoker);
      CoordinatorRuntime runtime =
          new CoordinatorRuntime(f.settings, f.dynamo, watching, watching, f.clock);
      List<SourceRecord> batch = new ArrayList<>();
      String[] accounts = {"a", "b", "c", "d", "e", "f", "g", "x"};
      for (int i = 0; i < accounts.length; i++) {
        batch.add(payment(i + 1, accounts[i], Map.of()));
      }
      Coordinator.Outcome o = runtime.process("p/shard-0", batch);
      tee.flush();
      String logs = captured.toString(StandardCharsets.UTF_8);
      // staging: some slots committed, the slot of "x" failed the check
      assertThat(o.responses()).as("slots that committed").isNotEmpty();
      assertThat(o.firstUncommitted()).as("delivered again").isBetween(0, 7);
      // what the user sees: the coordinator's logs (the only place, in process) name the cause
      theCheckFailedOnceAndIsLogged(watching, logs);
    } finally {
      System.setOut(original);
    }
  }

  /**
   * With a parallelization factor above 1, a partition key whose every slot failed the check is
   * dropped without a trace once another key committed (Coordinator.process keeps keyFailure only
   * to throw it when every key failed).
   */
  @Test
  void withAParallelizationFactorACheckFailureReachesTheCoordinatorsLogs() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream tee = tee(captured, original);
    System.setOut(tee);
    try (Fixture f =
        new Fixture(
            local,
            new ThreadDependentPayments(),
            false,
            RuntimeSettings.PARALLELIZATION_FACTOR,
            "2")) {
      Watching watching = new Watching(f.invoker);
      CoordinatorRuntime runtime =
          new CoordinatorRuntime(f.settings, f.dynamo, watching, watching, f.clock);
      List<SourceRecord> batch = new ArrayList<>();
      String[] accounts = {"a", "b", "x"};
      String[] keys = {"pk0", "pk0", "pk1"};
      for (int i = 0; i < accounts.length; i++) {
        batch.add(payment(i + 1, accounts[i], Map.of("partitionKey", keys[i])));
      }
      Coordinator.Outcome o = runtime.process("p/shard-0", batch);
      tee.flush();
      String logs = captured.toString(StandardCharsets.UTF_8);
      // staging: pk0 committed, every slot of pk1 (one: x's) failed the check
      assertThat(o.responses()).as("slots of pk0 that committed").isNotEmpty();
      assertThat(o.firstUncommitted()).as("delivered again from x").isEqualTo(2);
      theCheckFailedOnceAndIsLogged(watching, logs);
    } finally {
      System.setOut(original);
    }
  }

  /**
   * One slot failed the keyed-count check, and the coordinator's log output says the batch was not
   * fully committed and names the cause.
   */
  private static void theCheckFailedOnceAndIsLogged(Watching watching, String logs) {
    assertThat(watching.errors)
        .singleElement()
        .satisfies(e -> assertThat(e).hasStackTraceContaining("depend on more than the record"));
    assertThat(logs).contains("batch not fully committed");
    assertThat(logs).as("the coordinator's log output").contains("depend on more than the record");
  }

  // ---------------------------------------------------------------------------------------------
  // Soundness sweep: deterministic jobs through the wire (the operator re-runs the prefix and
  // checks), in every shape the brief lists. None may fail the check.
  // ---------------------------------------------------------------------------------------------

  /**
   * Several exchanges out of the prefix, a flatMap of several keyed records per record, a side
   * output and a union of unkeyed streams into a sink (rewritten behind a constant keyBy).
   */
  public static final class ManyExchanges implements JobProvider {
    @Override
    public void build(StreamEnvironment env) {
      DataStream<String> lines = env.jobName("many-exchanges").kinesis("lines", Serdes.string());
      lines
          .<String>flatMap(
              (line, out) -> {
                for (String w : line.split(" ")) {
                  out.collect(w);
                }
              })
          .returns(String.class)
          .keyBy(w -> w)
          .process(new Jobs.Count())
          .uid("count")
          .sinkTo("counts", Serdes.string());
      lines
          .map(l -> "len" + l.length())
          .returns(String.class)
          .keyBy(l -> l)
          .process(new Jobs.Count())
          .uid("lengths")
          .sinkTo("lengths", Serdes.string());
      lines
          .union(lines.map(String::toUpperCase).returns(String.class))
          .sinkTo("both", Serdes.string());
    }
  }

  @Test
  void deterministicJobsPassTheCheckInEveryShape() {
    for (boolean throughWire : new boolean[] {true, false}) {
      // duplicates in one batch, KPL sub-records, fan-out of 64 keyed records per record
      try (Fixture f = new Fixture(local, new ManyExchanges(), throughWire)) {
        Watching w = new Watching(f.invoker);
        Coordinator c = new Coordinator(f.settings, f.dynamo, w, w, f.clock);
        List<SourceRecord> batch = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          String line = "a" + (i % 5) + " b" + (i % 3) + " c" + i;
          for (int sub = 0; sub < 3; sub++) { // one KPL record of three sub-records
            String l = line + " s" + sub;
            lines.add(l);
            batch.add(
                new SourceRecord(
                    Long.toString(100 + i), sub, i, l.getBytes(StandardCharsets.UTF_8), Map.of()));
          }
        }
        List<SourceRecord> twice = new ArrayList<>(batch);
        twice.addAll(20, batch.subList(10, 40)); // delivered twice in one batch
        assertThat(c.process(null, "s/shard-0", twice).firstUncommitted()).isEqualTo(-1);
        Coordinator eight = f.redeployed(RuntimeSettings.SLOTS, "8").coordinator();
        assertThat(eight.process(null, "s/shard-0", batch).firstUncommitted()).isEqualTo(-1);
        assertThat(w.errors).as("through the wire: %s", throughWire).isEmpty();
        assertThat(w.requests).isNotEmpty();
        for (String sink : List.of("counts", "lengths", "both")) {
          assertThat(sorted(f.outbox(sink)))
              .as(sink)
              .isEqualTo(reference(new ManyExchanges(), lines, sink));
        }
      }
      // a poison record: cut off, retried, then dead-lettered; parallelization factor 2
      try (Fixture f =
          new Fixture(
              local,
              new Jobs.Payments(),
              throughWire,
              RuntimeSettings.MAX_ATTEMPTS,
              "2",
              RuntimeSettings.PARALLELIZATION_FACTOR,
              "2")) {
        Watching w = new Watching(f.invoker);
        Coordinator c = new Coordinator(f.settings, f.dynamo, w, w, f.clock);
        List<SourceRecord> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          String text =
              i == 7 ? "not json" : "{\"account\":\"a" + (i % 6) + "\",\"amount\":" + i + "}";
          batch.add(
              new SourceRecord(
                  Long.toString(i + 1),
                  0,
                  i,
                  text.getBytes(StandardCharsets.UTF_8),
                  Map.of("partitionKey", "pk" + (i % 2))));
        }
        Coordinator.Outcome first = c.process(null, "p/shard-0", batch);
        assertThat(first.firstUncommitted()).isEqualTo(7);
        Coordinator.Outcome second = c.process(null, "p/shard-0", batch);
        assertThat(second.firstUncommitted()).isEqualTo(-1);
        assertThat(second.deadLettered()).isEqualTo(1);
        assertThat(w.errors).as("through the wire: %s", throughWire).isEmpty();
      }
    }
  }

  @Test
  void anOversizedRecordRunInProcessPassesTheCheck() {
    try (Fixture f =
        new Fixture(local, new Jobs.WordCounts(), true, RuntimeSettings.FAN_OUT, "lambda")) {
      Watching inProcess = new Watching(f.invoker);
      LambdaInvoker lambda = new LambdaInvoker(null, "never-called", false, 2_000, inProcess);
      Coordinator c = new Coordinator(f.settings, f.dynamo, lambda, inProcess, f.clock);
      StringBuilder big = new StringBuilder();
      for (int i = 0; big.length() < 3_000; i++) {
        big.append("z").append(i % 40).append(' ');
      }
      List<SourceRecord> batch = List.of(Fixture.text(1, big.toString()));
      Coordinator.Outcome o = c.process(null, "s/shard-0", batch);
      assertThat(inProcess.errors).isEmpty();
      assertThat(o.firstUncommitted()).as("%s", o).isEqualTo(-1);
      assertThat(inProcess.requests).as("fell back to in process").isNotEmpty();
      assertThat(inProcess.requests.get(0).keyed()).as("with the counts").isNotNull();
      assertThat(inProcess.errors).isEmpty();
    }
  }
}
