package dev.tributary.state.dynamodb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the DynamoDB calls a client makes and crashes the caller (as a Lambda that dies) before or
 * after a chosen call: the call's effects, if any, stay; nothing after it happens.
 */
class Calls implements ExecutionInterceptor {
  /** The invocation died. */
  static final class Crash extends Error {
    Crash(String message) {
      super(message, null, false, false);
    }
  }

  /** What {@link #count(String)} calls a Query of a timer index (other Queries stay "Query"). */
  static final String TIMER_QUERY = "Query of a timer index";

  final AtomicInteger count = new AtomicInteger();
  final List<String> operations = Collections.synchronizedList(new ArrayList<>());
  volatile int crashBefore = -1;
  volatile int crashAfter = -1;

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    int n = count.incrementAndGet();
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    if (context.request()
            instanceof software.amazon.awssdk.services.dynamodb.model.QueryRequest query
        && query.expressionAttributeValues().containsKey(":pk")
        && query.expressionAttributeValues().get(":pk").s().startsWith("T#")) {
      operation = TIMER_QUERY;
    }
    operations.add(operation);
    if (n == crashBefore) {
      crashBefore = -1;
      throw new Crash("crashed before call " + n + " (" + operation + ")");
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    if (count.get() == crashAfter) {
      crashAfter = -1;
      throw new Crash(
          "crashed after call "
              + count.get()
              + " ("
              + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)
              + ")");
    }
  }

  long count(String operation) {
    synchronized (operations) {
      return operations.stream().filter(operation::equals).count();
    }
  }
}
