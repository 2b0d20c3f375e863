package dev.tributary.coordinator;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.tributary.operator.protocol.SourceRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator for a Kinesis event source mapping (turn on {@code ReportBatchItemFailures}):
 * processes the batch and answers the first record not committed, so that the mapping delivers it
 * again from there; a fully committed batch, even a redelivered one, answers no failure.
 */
public final class KinesisHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {
  private final CoordinatorRuntime runtime;

  /** The handler Lambda creates. */
  public KinesisHandler() {
    this(CoordinatorRuntime.fromEnvironment());
  }

  /** A handler on {@code runtime}. */
  public KinesisHandler(CoordinatorRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
    // one batch holds one shard; group anyway, in order, by stream and shard
    Map<String, List<KinesisEvent.KinesisEventRecord>> bySplit = new LinkedHashMap<>();
    for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
      bySplit.computeIfAbsent(split(r), s -> new ArrayList<>()).add(r);
    }
    for (List<KinesisEvent.KinesisEventRecord> records : bySplit.values()) {
      String arn = records.get(0).getEventSourceARN();
      runtime.declareShards(arn, arn == null ? null : streamName(arn));
    }
    long deadline = CoordinatorRuntime.deadline(context);
    List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
    for (Map.Entry<String, List<KinesisEvent.KinesisEventRecord>> e : bySplit.entrySet()) {
      List<SourceRecord> records = new ArrayList<>();
      for (KinesisEvent.KinesisEventRecord r : e.getValue()) {
        records.addAll(KinesisRecords.sourceRecords(r));
      }
      Coordinator.Outcome outcome = runtime.process(e.getKey(), records, deadline);
      if (outcome.firstUncommitted() >= 0) {
        failures.add(
            StreamsEventResponse.BatchItemFailure.builder()
                .withItemIdentifier(records.get(outcome.firstUncommitted()).sequence())
                .build());
      }
    }
    return StreamsEventResponse.builder().withBatchItemFailures(failures).build();
  }

  /** The split of a record: {@code <stream name>/<shard id>}. */
  static String split(KinesisEvent.KinesisEventRecord r) {
    String id = r.getEventID();
    String shard = id == null || id.indexOf(':') < 0 ? "shard" : id.substring(0, id.indexOf(':'));
    String arn = r.getEventSourceARN();
    return splitName(arn == null ? "stream" : streamName(arn), shard);
  }

  /**
   * The name of a Kinesis shard as a split, {@code <stream name>/<shard id>}: the name its
   * checkpoints and watermark are kept under, and the form {@code TRIBUTARY_SPLITS} declares it in.
   */
  public static String splitName(String stream, String shardId) {
    return stream + "/" + shardId;
  }

  /** The stream's name in its ARN ({@code arn:aws:kinesis:<region>:<account>:stream/<name>}). */
  static String streamName(String streamArn) {
    return streamArn.substring(streamArn.lastIndexOf('/') + 1);
  }

  static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
