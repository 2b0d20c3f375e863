package dev.tributary.operator.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * One source record as the coordinator received it: its position in the split, its bytes and its
 * metadata. Operators run the job's stateless prefix on it again (it is deterministic) instead of
 * receiving the keyed records, so that no intermediate type needs a serde on the wire.
 *
 * @param sequence the Kinesis sequence number or Kafka offset (a decimal number)
 * @param subSequence the index of a KPL-aggregated sub-record (0 otherwise)
 * @param timestamp the source's timestamp (Kinesis arrival time, Kafka record time), epoch ms
 * @param data the payload
 * @param metadata partition key, Kafka key and headers, ... (kept for dead letters)
 */
public record SourceRecord(
    String sequence, long subSequence, long timestamp, byte[] data, Map<String, String> metadata) {
  /** Validates and copies. */
  public SourceRecord {
    Objects.requireNonNull(sequence, "sequence");
    if (subSequence < 0 || subSequence > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "subSequence is " + subSequence + "; it must be between 0 and " + Integer.MAX_VALUE);
    }
    data = data == null ? new byte[0] : data;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
