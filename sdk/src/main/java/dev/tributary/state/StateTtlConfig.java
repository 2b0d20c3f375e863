package dev.tributary.state;

import java.time.Duration;
import java.util.Objects;

/**
 * Time-to-live of keyed state, as in Flink: a value expires {@code ttl} after it was last written
 * (or read, with {@link UpdateType#ON_READ_AND_WRITE}) and is never returned once expired. Time is
 * processing time. On DynamoDB the item also gets a TTL attribute so that DynamoDB deletes it.
 *
 * @param ttl how long a value lives after its last update
 * @param updateType which accesses refresh the expiry
 */
public record StateTtlConfig(Duration ttl, UpdateType updateType) {

  /** Which accesses refresh a value's expiry. */
  public enum UpdateType {
    /** Creating and writing refresh the expiry (Flink's default). */
    ON_CREATE_AND_WRITE,
    /** Reading refreshes it too. */
    ON_READ_AND_WRITE
  }

  /** Validates the settings. */
  public StateTtlConfig {
    Objects.requireNonNull(ttl, "StateTtlConfig.ttl is null; pass a positive Duration");
    Objects.requireNonNull(updateType, "StateTtlConfig.updateType is null");
    if (ttl.isZero() || ttl.isNegative()) {
      throw new IllegalArgumentException(
          "StateTtlConfig.ttl is " + ttl + "; it must be positive, e.g. Duration.ofHours(1)");
    }
  }

  /** Values expire {@code ttl} after they were created or last written. */
  public static StateTtlConfig ofWrite(Duration ttl) {
    return new StateTtlConfig(ttl, UpdateType.ON_CREATE_AND_WRITE);
  }

  /** Values expire {@code ttl} after they were last read or written. */
  public static StateTtlConfig ofReadAndWrite(Duration ttl) {
    return new StateTtlConfig(ttl, UpdateType.ON_READ_AND_WRITE);
  }

  /** The TTL in milliseconds. */
  public long ttlMillis() {
    return ttl.toMillis();
  }
}
