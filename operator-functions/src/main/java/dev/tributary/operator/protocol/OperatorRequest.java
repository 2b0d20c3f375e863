package dev.tributary.operator.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What the coordinator asks one operator slot to do: apply the source records of one split that
 * touch the slot (or, for a tick, only advance time), with the watermarks and the clock.
 *
 * @param version the protocol version ({@link Protocol#VERSION})
 * @param job the job's name (an operator refuses a request for another job)
 * @param source the logical source the records come from, or null for a tick
 * @param split the split, or null for a tick
 * @param slot the slot
 * @param slots the number of slots
 * @param inputWatermark the global watermark before the records
 * @param watermark the global watermark after them
 * @param processingTime the coordinator's clock, epoch ms
 * @param records the source records, in position order
 */
public record OperatorRequest(
    int version,
    String job,
    String source,
    String split,
    int slot,
    int slots,
    long inputWatermark,
    long watermark,
    long processingTime,
    List<SourceRecord> records) {
  /** Copies the records. */
  public OperatorRequest {
    Objects.requireNonNull(job, "job");
    records = records == null ? List.of() : List.copyOf(records);
  }

  /** A tick: fire what is due at {@code watermark} and {@code processingTime}. */
  public static OperatorRequest tick(
      String job, int slot, int slots, long watermark, long processingTime) {
    return new OperatorRequest(
        Protocol.VERSION, job, null, null, slot, slots, watermark, watermark, processingTime, null);
  }

  /** The same request with other records (to cut one that is too large). */
  public OperatorRequest withRecords(List<SourceRecord> others) {
    return new OperatorRequest(
        version,
        job,
        source,
        split,
        slot,
        slots,
        inputWatermark,
        watermark,
        processingTime,
        others);
  }
}
