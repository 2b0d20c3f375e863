package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.tributary.operator.protocol.OperatorResponse;
import java.util.List;

/**
 * The periodic tick (an EventBridge schedule): advances processing time and the watermark of an
 * idle job and fires the timers and windows that are due, without new records.
 */
public final class TickHandler implements RequestHandler<ScheduledEvent, String> {
  private final CoordinatorRuntime runtime;

  /** The handler Lambda creates. */
  public TickHandler() {
    this(CoordinatorRuntime.fromEnvironment());
  }

  /** A handler on {@code runtime}. */
  public TickHandler(CoordinatorRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public String handleRequest(ScheduledEvent event, Context context) {
    List<OperatorResponse> responses = runtime.tick();
    long fired = responses.stream().mapToLong(OperatorResponse::timersFired).sum();
    long outputs = responses.stream().mapToLong(OperatorResponse::outputs).sum();
    return "slots=" + responses.size() + " timersFired=" + fired + " outputs=" + outputs;
  }
}
