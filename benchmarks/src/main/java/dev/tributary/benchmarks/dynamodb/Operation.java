package dev.tributary.benchmarks.dynamodb;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** The measured calls. Each writes only keys no earlier call wrote, or reads preloaded ones. */
enum Operation {
  /** One PutItem of a new ~200-byte item. */
  PUT_ITEM("PutItem") {
    @Override
    void call(Endpoint endpoint, String phase, int thread, long seq) {
      endpoint
          .client()
          .putItem(
              b ->
                  b.tableName(endpoint.table())
                      .item(Items.item(Items.key("put" + phase, thread, seq), seq)));
    }
  },

  /** One GetItem (eventually consistent) of a preloaded item; a miss counts as a failure. */
  GET_ITEM("GetItem") {
    @Override
    void call(Endpoint endpoint, String phase, int thread, long seq) {
      long index = Math.floorMod(thread * 7_919L + seq, (long) endpoint.preloaded());
      GetItemResponse response =
          endpoint
              .client()
              .getItem(
                  b ->
                      b.tableName(endpoint.table())
                          .key(Items.keyOf(Items.key(PRELOAD_PREFIX, 0, index))));
      if (!response.hasItem() || response.item().isEmpty()) {
        throw new IllegalStateException(
            "GetItem found no item under preloaded key "
                + Items.key(PRELOAD_PREFIX, 0, index)
                + " in "
                + endpoint.table());
      }
    }
  },

  /**
   * One TransactWriteItems of {@value #TRANSACTION_ACTIONS} Puts of new ~200-byte items, each
   * conditional on {@code attribute_not_exists(pk)} as commits of fresh state are.
   */
  TRANSACT_WRITE_ITEMS("TransactWriteItems (10 Puts)") {
    @Override
    void call(Endpoint endpoint, String phase, int thread, long seq) {
      List<TransactWriteItem> actions = new ArrayList<>(TRANSACTION_ACTIONS);
      for (int i = 0; i < TRANSACTION_ACTIONS; i++) {
        long itemSeq = seq * TRANSACTION_ACTIONS + i;
        Put put =
            Put.builder()
                .tableName(endpoint.table())
                .item(Items.item(Items.key("tx" + phase, thread, itemSeq), itemSeq))
                .conditionExpression("attribute_not_exists(" + Items.KEY + ")")
                .build();
        actions.add(TransactWriteItem.builder().put(put).build());
      }
      endpoint.client().transactWriteItems(b -> b.transactItems(actions));
    }
  };

  /** Actions per transaction. */
  static final int TRANSACTION_ACTIONS = 10;

  /** The key prefix of the items GetItem reads. */
  static final String PRELOAD_PREFIX = "get";

  private final String label;

  Operation(String label) {
    this.label = label;
  }

  /** The name in the table. */
  String label() {
    return label;
  }

  /**
   * Makes call number {@code seq} of client thread {@code thread}; {@code phase} keeps the keys of
   * warm-up ("w"), measurement ("m") and probe ("p") calls apart.
   */
  abstract void call(Endpoint endpoint, String phase, int thread, long seq);

  /**
   * A client pointed at one endpoint, the benchmark table there and how many items it preloaded.
   */
  record Endpoint(String name, DynamoDbClient client, String table, int preloaded) {}
}
