package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.tributary.operator.protocol.SourceRecord;
import java.util.List;
import java.util.Map;

/** Turns Kinesis event records into source records. */
final class KinesisRecords {
  private KinesisRecords() {}

  /** The source records of one Kinesis record (several when it is KPL-aggregated). */
  static List<SourceRecord> sourceRecords(KinesisEvent.KinesisEventRecord r) {
    KinesisEvent.Record k = r.getKinesis();
    long arrival =
        k.getApproximateArrivalTimestamp() == null
            ? Long.MIN_VALUE
            : k.getApproximateArrivalTimestamp().getTime();
    return List.of(
        new SourceRecord(
            k.getSequenceNumber(),
            0,
            arrival,
            KinesisHandler.bytes(k.getData()),
            Map.of("partitionKey", String.valueOf(k.getPartitionKey()))));
  }
}
