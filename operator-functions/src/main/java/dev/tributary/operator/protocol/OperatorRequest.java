package dev.tributary.operator.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param keyed for each record, how many keyed records in this slot's key groups the coordinator's
 *     prefix run made of it, or null when not given (a tick; an older coordinator): the operator
 *     checks that its own run makes as many, so that a function before keyBy whose results depend
 *     on more than the record fails the batch loudly rather than losing records silently
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
    List<SourceRecord> records,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> keyed) {
  /** Copies the records. */
  public OperatorRequest {
    Objects.requireNonNull(job, "job");
    records = records == null ? List.of() : List.copyOf(records);
    keyed = keyed == null ? null : List.copyOf(keyed);
    if (keyed != null && keyed.size() != records.size()) {
      throw new IllegalArgumentException(
          "keyed has " + keyed.size() + " counts for " + records.size() + " records");
    }
  }

  /** A request without the coordinator's keyed counts (nothing to check them against). */
  public OperatorRequest(
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
    this(
        version,
        job,
        source,
        split,
        slot,
        slots,
        inputWatermark,
        watermark,
        processingTime,
        records,
        null);
  }

  /** A tick: fire what is due at {@code watermark} and {@code processingTime}. */
  public static OperatorRequest tick(
      String job, int slot, int slots, long watermark, long processingTime) {
    return new OperatorRequest(
        Protocol.VERSION, job, null, null, slot, slots, watermark, watermark, processingTime, null);
  }

  /** The records from {@code from} (inclusive) to {@code to} (exclusive), with their counts. */
  public OperatorRequest part(int from, int to) {
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
        records.subList(from, to),
        keyed == null ? null : keyed.subList(from, to));
  }
}
