package dev.tributary.state.dynamodb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * Runs {@code other} inside the first BatchGetItem; the items whose key {@code stale} accepts come
 * back as before it, the others as after it.
 */
final class TornFirstBatchGet implements ExecutionInterceptor {
  private final Harness h;
  private final Runnable other;
  private final Predicate<Map<String, AttributeValue>> stale;
  private boolean done;
  private boolean active;
  private final Map<Map<String, AttributeValue>, Map<String, AttributeValue>> before =
      new HashMap<>();

  TornFirstBatchGet(Harness h, Runnable other, Predicate<Map<String, AttributeValue>> stale) {
    this.h = h;
    this.other = other;
    this.stale = stale;
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    if (done || !(context.request() instanceof BatchGetItemRequest request)) {
      return;
    }
    done = true;
    active = true;
    for (KeysAndAttributes ka : request.requestItems().values()) {
      for (Map<String, AttributeValue> k : ka.keys()) {
        if (stale.test(k)) {
          GetItemResponse got =
              h.client.getItem(g -> g.tableName(h.tables.state()).key(k).consistentRead(true));
          before.put(Map.copyOf(k), got.hasItem() && !got.item().isEmpty() ? got.item() : null);
        }
      }
    }
    other.run();
  }

  @Override
  public SdkResponse modifyResponse(
      Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (!active || !(context.response() instanceof BatchGetItemResponse response)) {
      return context.response();
    }
    active = false;
    Map<String, List<Map<String, AttributeValue>>> out = new HashMap<>();
    response
        .responses()
        .forEach(
            (table, items) -> {
              List<Map<String, AttributeValue>> kept = new ArrayList<>();
              for (Map<String, AttributeValue> item : items) {
                Map<String, AttributeValue> k =
                    Map.of(
                        StateTables.PK,
                        item.get(StateTables.PK),
                        StateTables.SK,
                        item.get(StateTables.SK));
                if (!before.containsKey(k)) {
                  kept.add(item);
                }
              }
              before.values().stream().filter(v -> v != null).forEach(kept::add);
              out.put(table, kept);
            });
    return response.toBuilder().responses(out).build();
  }
}
