package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.tributary.operator.protocol.SourceRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Turns Kinesis event records into source records, de-aggregating records written by the Kinesis
 * Producer Library with KCL's own de-aggregator: each sub-record keeps its parent's sequence number
 * and gets its sub-sequence number, which becomes part of its position.
 */
final class KinesisRecords {
  private static final AggregatorUtil AGGREGATOR = new AggregatorUtil();

  private KinesisRecords() {}

  /** The source records of one Kinesis record (several when it is KPL-aggregated). */
  static List<SourceRecord> sourceRecords(KinesisEvent.KinesisEventRecord r) {
    KinesisEvent.Record k = r.getKinesis();
    long arrival =
        k.getApproximateArrivalTimestamp() == null
            ? Long.MIN_VALUE
            : k.getApproximateArrivalTimestamp().getTime();
    KinesisClientRecord record =
        KinesisClientRecord.builder()
            .data(k.getData().duplicate())
            .partitionKey(k.getPartitionKey())
            .sequenceNumber(k.getSequenceNumber())
            .approximateArrivalTimestamp(
                arrival == Long.MIN_VALUE ? null : Instant.ofEpochMilli(arrival))
            .build();
    List<SourceRecord> out = new ArrayList<>();
    for (KinesisClientRecord sub : AGGREGATOR.deaggregate(List.of(record))) {
      Map<String, String> meta = new HashMap<>();
      meta.put("partitionKey", String.valueOf(sub.partitionKey()));
      if (sub.explicitHashKey() != null) {
        meta.put("explicitHashKey", sub.explicitHashKey());
      }
      if (r.getEventSourceARN() != null) {
        meta.put("eventSourceARN", r.getEventSourceARN());
      }
      out.add(
          new SourceRecord(
              sub.sequenceNumber(),
              sub.aggregated() ? sub.subSequenceNumber() : 0,
              arrival,
              KinesisHandler.bytes(sub.data()),
              meta));
    }
    return out;
  }
}
