package dev.tributary.state.dynamodb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;

/** Records the number of actions of every TransactWriteItems request a client sends. */
final class Transactions implements ExecutionInterceptor {
  final List<Integer> actions = Collections.synchronizedList(new ArrayList<>());

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    if (context.request() instanceof TransactWriteItemsRequest request) {
      actions.add(request.transactItems().size());
    }
  }
}
