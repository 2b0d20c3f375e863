package dev.tributary.operator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The operator function (the task manager): decodes a request, runs its slot's share of the keyed
 * stage through the exactly-once protocol, and answers what it committed. Configured by {@link
 * RuntimeSettings} (environment variables) at cold start.
 */
public final class OperatorHandler implements RequestStreamHandler {
  private final SlotExecutor executor;

  /** The handler Lambda creates: reads the environment, checks the tables. */
  public OperatorHandler() {
    this(Functions.slotExecutor(RuntimeSettings.fromEnvironment(), Functions.dynamoDb()));
  }

  /** A handler around {@code executor} (tests, local runs). */
  public OperatorHandler(SlotExecutor executor) {
    this.executor = executor;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws java.io.IOException {
    OperatorResponse response = executor.execute(Protocol.readRequest(input));
    output.write(Protocol.write(response));
  }

  /** Handles one request's bytes (local runs, where no Lambda runtime calls the handler). */
  public byte[] handle(byte[] request) {
    return Protocol.write(executor.execute(Protocol.readRequest(request)));
  }
}
