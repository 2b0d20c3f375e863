package dev.tributary.coordinator;

import dev.tributary.operator.StatelessPrefix;
import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs an operator request somewhere: in this process, or in the operator function. */
public interface SlotInvoker extends AutoCloseable {
  /** Starts {@code request}; the future completes with the operator's answer or its failure. */
  CompletableFuture<OperatorResponse> invoke(OperatorRequest request);

  /**
   * Starts {@code request}, whose records the coordinator's prefix made {@code keyed} of (indexed
   * into the request's records; null when they may not be handed over). An invoker that runs the
   * slot in this process may run on them instead of running the prefix again; one that sends the
   * request elsewhere ignores them, as this default does.
   */
  default CompletableFuture<OperatorResponse> invoke(
      OperatorRequest request, List<StatelessPrefix.Keyed> keyed) {
    return invoke(request);
  }

  @Override
  default void close() {}
}
