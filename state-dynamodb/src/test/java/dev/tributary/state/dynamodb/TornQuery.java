package dev.tributary.state.dynamodb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Tears a client's first checkpoint-partition Query the way DynamoDB may (a Query is read committed
 * per item, not a snapshot): the items whose sort key {@code readFirst} accepts are answered as
 * they were before {@code inside} ran, every other item as after it. {@code inside} runs on the
 * client's thread just before the Query is sent. With {@code tear} false the same work runs before
 * an untorn Query (a control). Tests assert {@link #happened()}, so that a Query that never came
 * cannot pass for a tear.
 */
class TornQuery implements ExecutionInterceptor {
  private final Harness h;
  private final Predicate<String> readFirst;
  private final boolean tear;
  private final Runnable inside;
  private final List<Map<String, AttributeValue>> before = new ArrayList<>();
  private boolean happened;
  private boolean active;

  TornQuery(Harness h, Predicate<String> readFirst, boolean tear, Runnable inside) {
    this.h = h;
    this.readFirst = readFirst;
    this.tear = tear;
    this.inside = inside;
  }

  /** Whether the Query came and {@code inside} ran. */
  boolean happened() {
    return happened;
  }

  /** The items read before {@code inside}: the Query's answer for them when torn. */
  List<Map<String, AttributeValue>> readFirst() {
    return before;
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    if (happened || !Peeks.checkpointQuery(context.request())) {
      return;
    }
    happened = true;
    active = true;
    Peeks.itemsNow(h, (QueryRequest) context.request()).stream()
        .filter(i -> readFirst.test(i.get("sk").s()))
        .forEach(before::add);
    inside.run();
  }

  @Override
  public SdkResponse modifyResponse(
      Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (!active || !tear || !(context.response() instanceof QueryResponse r)) {
      return context.response();
    }
    active = false;
    List<Map<String, AttributeValue>> items = new ArrayList<>(before);
    r.items().stream().filter(i -> !readFirst.test(i.get("sk").s())).forEach(items::add);
    items.sort(Comparator.comparing(i -> i.get("sk").s()));
    return r.toBuilder().items(items).count(items.size()).build();
  }
}
