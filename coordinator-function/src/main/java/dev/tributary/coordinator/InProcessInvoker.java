package dev.tributary.coordinator;

import dev.tributary.operator.SlotExecutor;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Runs operator requests in the coordinator's own process, one thread and one {@link SlotExecutor}
 * per concurrent slot: fewer invocations for small batches, the same commit protocol. Requests go
 * through the wire format anyway, so that in-process and Lambda runs cannot drift apart.
 */
public final class InProcessInvoker implements SlotInvoker {
  private final ExecutorService pool;
  private final ThreadLocal<SlotExecutor> executors;

  /** An invoker running up to {@code threads} slots at once, each with its own executor. */
  public InProcessInvoker(Supplier<SlotExecutor> executors, int threads) {
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "tributary-slot");
              t.setDaemon(true);
              return t;
            });
    this.executors = ThreadLocal.withInitial(executors);
  }

  @Override
  public CompletableFuture<OperatorResponse> invoke(OperatorRequest request) {
    byte[] wire = Protocol.write(request);
    return CompletableFuture.supplyAsync(
        () ->
            Protocol.readResponse(
                Protocol.write(executors.get().execute(Protocol.readRequest(wire)))),
        pool);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
