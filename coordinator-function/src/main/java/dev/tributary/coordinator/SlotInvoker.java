package dev.tributary.coordinator;

import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import java.util.concurrent.CompletableFuture;

/** Runs an operator request somewhere: in this process, or in the operator function. */
public interface SlotInvoker extends AutoCloseable {
  /** Starts {@code request}; the future completes with the operator's answer or its failure. */
  CompletableFuture<OperatorResponse> invoke(OperatorRequest request);

  @Override
  default void close() {}
}
