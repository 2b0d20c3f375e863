package dev.tributary.state.dynamodb;

import dev.tributary.state.dynamodb.internal.CheckpointItem;
import dev.tributary.state.dynamodb.internal.Layout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reads the checkpoints of one split at every slot (strongly consistent, in batches of 100): what
 * the coordinator skips before it fans a batch out, and what it answers the event source mapping.
 */
public final class Checkpoints {
  private final DynamoDbClient client;
  private final StateTables tables;
  private final String job;

  /** A reader of {@code job}'s checkpoints. */
  public Checkpoints(DynamoDbClient client, StateTables tables, String job) {
    this.client = client;
    this.tables = tables;
    this.job = job;
  }

  /** What one slot of a split has committed: its position and its epoch (0 before any commit). */
  public record Committed(Position position, long epoch) {}

  /** The committed position of {@code split} at each of {@code slots} slots. */
  public Position[] read(String split, int slots) {
    Committed[] committed = readCommitted(split, slots);
    Position[] out = new Position[slots];
    for (int slot = 0; slot < slots; slot++) {
      out[slot] = committed[slot].position();
    }
    return out;
  }

  /** The committed position and epoch of {@code split} at each of {@code slots} slots. */
  public Committed[] readCommitted(String split, int slots) {
    Committed[] out = new Committed[slots];
    java.util.Arrays.fill(out, new Committed(Position.BEGINNING, 0));
    String pk = Layout.checkpointPk(job, split);
    for (int from = 0; from < slots; from += 100) {
      List<Map<String, AttributeValue>> keys = new ArrayList<>();
      for (int slot = from; slot < Math.min(slots, from + 100); slot++) {
        keys.add(
            Map.of(
                StateTables.PK,
                AttributeValue.fromS(pk),
                StateTables.SK,
                AttributeValue.fromS(Layout.slotSk(slots, slot))));
      }
      Map<String, KeysAndAttributes> request =
          Map.of(
              tables.state(), KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
      int round = 0;
      while (!request.isEmpty()) {
        UnprocessedKeys.beforeRound(round++, request, "reading checkpoints");
        Map<String, KeysAndAttributes> current = request;
        BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(current));
        for (Map<String, AttributeValue> item :
            response.responses().getOrDefault(tables.state(), List.of())) {
          CheckpointItem c = CheckpointItem.SCHEMA.mapToItem(item);
          out[Layout.SlotSk.parse(c.sk()).slot()] =
              new Committed(Position.decode(c.pos()), c.epoch());
        }
        request =
            response.hasUnprocessedKeys() ? new HashMap<>(response.unprocessedKeys()) : Map.of();
      }
    }
    return out;
  }

  /**
   * The furthest position committed at any slot, under any slot count, of each of the job's splits,
   * by the split name its checkpoints carry ({@code <stream>/<shard>/k/<partition key>} with a
   * parallelization factor above 1). One consistent Scan of the state table: for tools that check a
   * kept stream against what the job has committed, not for the coordinator's path.
   */
  public Map<String, Position> furthest() {
    String prefix = Layout.checkpointPk(job, "");
    Map<String, Position> out = new HashMap<>();
    for (ScanResponse page :
        client.scanPaginator(
            b ->
                b.tableName(tables.state())
                    .consistentRead(true)
                    .filterExpression("begins_with(#pk, :prefix)")
                    .projectionExpression("#pk, #pos")
                    .expressionAttributeNames(Map.of("#pk", StateTables.PK, "#pos", "pos"))
                    .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(prefix))))) {
      for (Map<String, AttributeValue> item : page.items()) {
        AttributeValue pos = item.get("pos");
        if (pos != null) {
          out.merge(
              item.get(StateTables.PK).s().substring(prefix.length()),
              Position.decode(pos.s()),
              Position::later);
        }
      }
    }
    return out;
  }
}
