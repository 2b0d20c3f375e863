package dev.tributary.operator;

import dev.tributary.JobGraph;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import dev.tributary.spi.InMemoryStateBackend;
import java.util.List;
import java.util.Map;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * A SnapStart (CRaC) priming hook: before the snapshot is taken, runs the code every invocation
 * needs (the wire format both ways, the job's executor) so that its classes are loaded and
 * initialized in the snapshot instead of on the first invocation. Touches no external service.
 */
public final class Priming implements Resource {
  private final JobGraph graph;

  private Priming(JobGraph graph) {
    this.graph = graph;
  }

  /** Registers the hook for {@code graph} (a no-op outside a CRaC-capable runtime). */
  public static void register(JobGraph graph) {
    Priming priming = new Priming(graph);
    Core.getGlobalContext().register(priming);
    HOLD.add(priming); // CRaC keeps only weak references
  }

  private static final List<Priming> HOLD = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void beforeCheckpoint(Context<? extends Resource> context) {
    prime(graph);
  }

  @Override
  public void afterRestore(Context<? extends Resource> context) {
    // nothing to reopen: clients reconnect on their first call
  }

  /** Runs the priming work once. */
  static void prime(JobGraph graph) {
    OperatorRequest request =
        new OperatorRequest(
            Protocol.VERSION,
            graph.jobName(),
            null,
            "priming",
            0,
            1,
            0,
            0,
            0,
            List.of(new SourceRecord("0", 0, 0, new byte[0], Map.of())));
    Protocol.readRequest(Protocol.write(request));
    Protocol.readResponse(
        Protocol.write(
            new OperatorResponse(
                Protocol.VERSION,
                OperatorResponse.Status.COMMITTED,
                "priming",
                0,
                "0:0",
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
                0,
                null,
                0,
                null,
                0)));
    try (JobExecutor executor =
        new JobExecutor(graph.instance(), new InMemoryStateBackend(), () -> 0L, (s, v, t) -> {})) {
      executor.endBatch();
    }
  }
}
