package dev.tributary.coordinator;

import dev.tributary.operator.SlotExecutor;
import dev.tributary.operator.StatelessPrefix;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs operator requests in the coordinator's own process, one thread and one {@link SlotExecutor}
 * per concurrent slot: fewer invocations for small batches, the same commit protocol. The request
 * object is handed over as it is, not encoded; the slot runs on the keyed records the coordinator's
 * prefix made when it hands them over (no second prefix run), else it runs the prefix on the source
 * records itself, as the operator function does. Built {@code throughWire}, every request and
 * answer is encoded and decoded as for the operator function, which tests use to hold both paths to
 * the same results.
 */
public final class InProcessInvoker implements SlotInvoker {
  private final ExecutorService pool;
  private final ThreadLocal<SlotExecutor> executors;
  private final boolean throughWire;

  /** An invoker running up to {@code threads} slots at once, each with its own executor. */
  public InProcessInvoker(Supplier<SlotExecutor> executors, int threads) {
    this(executors, threads, false);
  }

  /**
   * An invoker running up to {@code threads} slots at once, each with its own executor; with {@code
   * throughWire}, every request and answer goes through the wire format.
   */
  public InProcessInvoker(Supplier<SlotExecutor> executors, int threads, boolean throughWire) {
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "tributary-slot");
              t.setDaemon(true);
              return t;
            });
    this.executors = ThreadLocal.withInitial(executors);
    this.throughWire = throughWire;
  }

  @Override
  public CompletableFuture<OperatorResponse> invoke(OperatorRequest request) {
    return invoke(request, null);
  }

  @Override
  public CompletableFuture<OperatorResponse> invoke(
      OperatorRequest request, List<StatelessPrefix.Keyed> keyed) {
    if (throughWire) {
      byte[] wire = Protocol.write(request);
      return CompletableFuture.supplyAsync(
          () ->
              Protocol.readResponse(
                  Protocol.write(executors.get().execute(Protocol.readRequest(wire)))),
          pool);
    }
    return CompletableFuture.supplyAsync(() -> executors.get().execute(request, keyed), pool);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
