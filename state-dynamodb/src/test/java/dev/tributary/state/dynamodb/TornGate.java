package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.internal.EarlierSlotCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * A {@link Sequencer} gate that also tears reads into separately scheduled calls, so that the
 * schedule search reaches what DynamoDB allows (Query and BatchGetItem are read committed per item,
 * not snapshots): the checkpoint partition's Query one item a page (each page a step), in sort
 * order or backwards (read committed per item promises no order in which a page's items are read,
 * so an item that sorts later may be read before one that sorts earlier; the runner does not rely
 * on the order, and backwards pages check that), and a BatchGetItem that holds the counts item
 * split in two calls (the counts item alone after the rest, or before it), the deferred keys
 * answered as unprocessed, which the runner asks for again. From the ninth review of the rescaling
 * fence.
 */
final class TornGate implements ExecutionInterceptor {
  private final ExecutionInterceptor gate;
  private final boolean countsLast;
  private final boolean backwards;
  private List<Map<String, AttributeValue>> deferred;
  private String table;
  static final AtomicInteger SPLITS = new AtomicInteger();
  static final AtomicInteger PAGES = new AtomicInteger();

  TornGate(ExecutionInterceptor gate, boolean countsLast, boolean backwards) {
    this.gate = gate;
    this.countsLast = countsLast;
    this.backwards = backwards;
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    gate.beforeExecution(context, attributes);
  }

  @Override
  public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
    if (Peeks.checkpointQuery(context.request())) {
      PAGES.incrementAndGet();
      QueryRequest q = (QueryRequest) context.request();
      return q.toBuilder().limit(1).scanIndexForward(!backwards).build();
    }
    if (context.request() instanceof BatchGetItemRequest b && b.requestItems().size() == 1) {
      Map.Entry<String, KeysAndAttributes> e = b.requestItems().entrySet().iterator().next();
      List<Map<String, AttributeValue>> keys = e.getValue().keys();
      List<Map<String, AttributeValue>> counts = new ArrayList<>();
      List<Map<String, AttributeValue>> rest = new ArrayList<>();
      for (Map<String, AttributeValue> k : keys) {
        (EarlierSlotCounts.HISTORY_SK.equals(k.get("sk").s()) ? counts : rest).add(k);
      }
      if (counts.isEmpty() || rest.isEmpty()) {
        return b;
      }
      SPLITS.incrementAndGet();
      table = e.getKey();
      List<Map<String, AttributeValue>> now = countsLast ? rest : counts;
      deferred = countsLast ? counts : rest;
      return b.toBuilder()
          .requestItems(Map.of(table, e.getValue().toBuilder().keys(now).build()))
          .build();
    }
    return context.request();
  }

  @Override
  public SdkResponse modifyResponse(
      Context.ModifyResponse context, ExecutionAttributes attributes) {
    if (deferred != null && context.response() instanceof BatchGetItemResponse r) {
      Map<String, KeysAndAttributes> unprocessed = new HashMap<>(r.unprocessedKeys());
      List<Map<String, AttributeValue>> keys = new ArrayList<>(deferred);
      if (unprocessed.containsKey(table)) {
        keys.addAll(unprocessed.get(table).keys());
      }
      unprocessed.put(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
      deferred = null;
      return r.toBuilder().unprocessedKeys(unprocessed).build();
    }
    return context.response();
  }
}
