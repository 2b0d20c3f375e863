package dev.tributary.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.google.protobuf.ByteString;
import dev.tributary.operator.protocol.SourceRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.kpl.Messages;

class KinesisRecordsTest {
  private static KinesisEvent.KinesisEventRecord record(String sequence, byte[] data) {
    KinesisEvent.Record k = new KinesisEvent.Record();
    k.setSequenceNumber(sequence);
    k.setPartitionKey("outer");
    k.setData(ByteBuffer.wrap(data));
    k.setApproximateArrivalTimestamp(new Date(1_767_225_600_123L));
    KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
    r.setKinesis(k);
    r.setEventID("shardId-000000000003:" + sequence);
    r.setEventSourceARN("arn:aws:kinesis:us-east-1:111122223333:stream/clicks");
    return r;
  }

  /** A record as the Kinesis Producer Library aggregates it: magic, protobuf, MD5 of it. */
  private static byte[] aggregated(String... values) throws Exception {
    Messages.AggregatedRecord.Builder agg =
        Messages.AggregatedRecord.newBuilder()
            .addPartitionKeyTable("k0")
            .addPartitionKeyTable("k1");
    for (int i = 0; i < values.length; i++) {
      agg.addRecords(
          Messages.Record.newBuilder()
              .setPartitionKeyIndex(i % 2)
              .setData(ByteString.copyFrom(values[i], StandardCharsets.UTF_8)));
    }
    byte[] body = agg.build().toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2});
    out.write(body);
    out.write(MessageDigest.getInstance("MD5").digest(body));
    return out.toByteArray();
  }

  @Test
  void aPlainRecordIsOneSourceRecord() {
    List<SourceRecord> records =
        KinesisRecords.sourceRecords(record("100", "hello".getBytes(StandardCharsets.UTF_8)));
    assertThat(records).hasSize(1);
    SourceRecord r = records.get(0);
    assertThat(r.sequence()).isEqualTo("100");
    assertThat(r.subSequence()).isZero();
    assertThat(r.timestamp()).isEqualTo(1_767_225_600_123L);
    assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(r.metadata()).containsEntry("partitionKey", "outer");
  }

  @Test
  void aKplAggregatedRecordIsDeaggregatedWithSubSequenceNumbers() throws Exception {
    List<SourceRecord> records =
        KinesisRecords.sourceRecords(record("200", aggregated("a", "b", "c")));
    assertThat(records).extracting(SourceRecord::sequence).containsOnly("200");
    assertThat(records).extracting(SourceRecord::subSequence).containsExactly(0L, 1L, 2L);
    assertThat(records)
        .extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
        .containsExactly("a", "b", "c");
    assertThat(records)
        .extracting(r -> r.metadata().get("partitionKey"))
        .containsExactly("k0", "k1", "k0");
  }

  @Test
  void theSplitNamesTheStreamAndTheShard() {
    assertThat(KinesisHandler.split(record("1", new byte[0])))
        .isEqualTo("clicks/shardId-000000000003");
  }
}
