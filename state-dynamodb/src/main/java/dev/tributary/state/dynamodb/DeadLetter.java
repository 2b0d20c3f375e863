package dev.tributary.state.dynamodb;

import java.util.Map;
import java.util.Objects;

/**
 * A record set aside after failing too often: the runner skips it and writes it to the dead-letter
 * table in the same transaction that moves the checkpoint past it, so it is neither lost nor
 * applied.
 *
 * @param position the keyed record's position
 * @param payload the source record's bytes, as received
 * @param error what failed, with the cause
 * @param attempts how many times it failed
 * @param metadata source metadata (partition key, arrival time, offset, ...)
 */
public record DeadLetter(
    Position position, byte[] payload, String error, int attempts, Map<String, String> metadata) {
  /** Validates and copies. */
  public DeadLetter {
    Objects.requireNonNull(position, "position");
    payload = payload == null ? new byte[0] : payload.clone();
    error = error == null ? "" : error;
    metadata = Map.copyOf(metadata == null ? Map.of() : metadata);
  }
}
