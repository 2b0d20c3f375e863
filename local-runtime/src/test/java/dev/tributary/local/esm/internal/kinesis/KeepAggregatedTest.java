package dev.tributary.local.esm.internal.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.Messages;

class KeepAggregatedTest {
  private static final BigInteger MAX = BigInteger.TWO.pow(128).subtract(BigInteger.ONE);

  static byte[] aggregate(String... values) throws Exception {
    Messages.AggregatedRecord.Builder aggregated =
        Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("p");
    for (String v : values) {
      aggregated.addRecords(
          Messages.Record.newBuilder()
              .setPartitionKeyIndex(0)
              .setData(ByteString.copyFrom(v, StandardCharsets.UTF_8)));
    }
    byte[] body = aggregated.build().toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(AggregatorUtil.AGGREGATED_RECORD_MAGIC);
    out.write(body);
    out.write(MessageDigest.getInstance("MD5").digest(body));
    return out.toByteArray();
  }

  private static KinesisClientRecord record(String sequence, byte[] data) {
    return KinesisClientRecord.builder()
        .sequenceNumber(sequence)
        .partitionKey("outer")
        .data(ByteBuffer.wrap(data))
        .approximateArrivalTimestamp(Instant.ofEpochMilli(1_000))
        .build();
  }

  @Test
  void kclsDefaultSplitsAnAggregatedRecordButTheMappingKeepsItWhole() throws Exception {
    byte[] bytes = aggregate("a", "b", "c");
    // (KCL's de-aggregator reads the records' buffers, so each gets its own copy)
    assertThat(
            new AggregatorUtil()
                .deaggregate(
                    List.of(record("7", bytes), record("8", "plain".getBytes())),
                    BigInteger.ZERO,
                    MAX))
        .hasSize(4);

    List<KinesisClientRecord> read = List.of(record("7", bytes), record("8", "plain".getBytes()));

    List<KinesisClientRecord> kept = new KeepAggregated().deaggregate(read, BigInteger.ZERO, MAX);
    assertThat(kept).hasSize(2);
    KinesisClientRecord whole = kept.get(0);
    assertThat(whole.sequenceNumber()).isEqualTo("7");
    assertThat(whole.subSequenceNumber()).isZero();
    assertThat(whole.aggregated()).isFalse();
    byte[] data = new byte[whole.data().remaining()];
    whole.data().duplicate().get(data);
    assertThat(data).isEqualTo(bytes);
    // the String overload KCL's ProcessTask calls goes the same way
    assertThat(new KeepAggregated().deaggregate(read, "0", MAX.toString())).hasSize(2);
  }

  @Test
  void theListIsKclsToFilterInPlace() throws Exception {
    List<KinesisClientRecord> read = List.of(record("1", aggregate("x")), record("2", new byte[0]));
    List<KinesisClientRecord> kept = new ArrayList<>(new KeepAggregated().deaggregate(read));
    kept.remove(0);
    assertThat(kept).extracting(KinesisClientRecord::sequenceNumber).containsExactly("2");
    assertThat(new KeepAggregated().deaggregate(read).remove(0).sequenceNumber()).isEqualTo("1");
  }
}
