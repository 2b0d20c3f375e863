package dev.tributary.local.dynamodb.internal.ops;

import dev.tributary.local.dynamodb.internal.model.Value;
import dev.tributary.local.dynamodb.internal.storage.Table;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Deletes expired items of tables with TTL enabled, as DynamoDB's background process does: items
 * whose TTL attribute is a number of epoch seconds in the past (but less than five years in the
 * past); other items never expire. Until a sweep runs, expired items are still returned, as on AWS.
 */
public final class TtlSweeper {
  private static final long FIVE_YEARS_SECONDS = 5L * 365 * 24 * 3600;

  private TtlSweeper() {}

  /** Runs one sweep; returns how many items it deleted. */
  public static int sweep(Context ctx) {
    long nowSeconds = ctx.clock().getAsLong() / 1000;
    int deleted = 0;
    ctx.database().lock().writeLock().lock();
    try {
      for (Table table : ctx.database().tables().values()) {
        if (!table.meta().ttlEnabled || table.meta().ttlAttribute == null) {
          continue;
        }
        String attribute = table.meta().ttlAttribute;
        List<Map<String, Value>> expired = new ArrayList<>();
        Iterator<Map<String, Value>> it = table.all();
        while (it.hasNext()) {
          Map<String, Value> item = it.next();
          if (item.get(attribute) instanceof Value.N n) {
            BigDecimal at = n.value();
            if (at.compareTo(BigDecimal.valueOf(nowSeconds)) <= 0
                && at.compareTo(BigDecimal.valueOf(nowSeconds - FIVE_YEARS_SECONDS)) > 0) {
              expired.add(item);
            }
          }
        }
        for (Map<String, Value> item : expired) {
          table.delete(item);
          deleted++;
        }
      }
    } finally {
      ctx.database().lock().writeLock().unlock();
    }
    return deleted;
  }
}
