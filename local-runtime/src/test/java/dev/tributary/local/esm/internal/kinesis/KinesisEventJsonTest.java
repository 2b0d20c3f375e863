package dev.tributary.local.esm.internal.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KinesisEventJsonTest {
  /** The example event of the Lambda developer guide's "Using Lambda with Kinesis" page. */
  private static final String DOCUMENTED =
      """
      {
        "Records": [
          {
            "kinesis": {
              "kinesisSchemaVersion": "1.0",
              "partitionKey": "1",
              "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
              "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
              "approximateArrivalTimestamp": 1545084650.987
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
            "awsRegion": "us-east-2",
            "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"
          }
        ]
      }
      """;

  private static final PojoSerializer<KinesisEvent> RUNTIME =
      LambdaEventSerializers.serializerFor(KinesisEvent.class, KinesisEvent.class.getClassLoader());

  private final KinesisEventJson json =
      new KinesisEventJson(
          "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
          "us-east-2",
          "arn:aws:iam::123456789012:role/lambda-role");

  @Test
  void writesTheDocumentedEventFieldForFieldInOrder() throws Exception {
    byte[] record =
        json.record(
            "shardId-000000000006",
            "1",
            "49590338271490256608559692538361571095921575989136588898",
            ByteBuffer.wrap("Hello, this is a test.".getBytes(StandardCharsets.UTF_8)),
            Instant.ofEpochMilli(1_545_084_650_987L));
    String event = new String(KinesisEventJson.event(List.of(record)), StandardCharsets.UTF_8);
    ObjectMapper mapper =
        new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    assertThat(event).isEqualTo(mapper.writeValueAsString(mapper.readTree(DOCUMENTED)));
  }

  @Test
  void theLambdaJavaRuntimeReadsItIntoAKinesisEvent() {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    ByteBuffer data = ByteBuffer.wrap(binary);
    data.position(3); // only the remaining bytes are the record's
    List<byte[]> records =
        List.of(
            json.record("shardId-000000000001", "pk-1", "101", data, Instant.ofEpochMilli(5_123L)),
            json.record(
                "shardId-000000000001",
                "pk-2",
                "102",
                ByteBuffer.allocate(0),
                Instant.ofEpochMilli(6_000L)));

    KinesisEvent event =
        RUNTIME.fromJson(new ByteArrayInputStream(KinesisEventJson.event(records)));

    assertThat(event.getRecords()).hasSize(2);
    KinesisEvent.KinesisEventRecord first = event.getRecords().get(0);
    assertThat(first.getEventSource()).isEqualTo("aws:kinesis");
    assertThat(first.getEventVersion()).isEqualTo("1.0");
    assertThat(first.getEventName()).isEqualTo("aws:kinesis:record");
    assertThat(first.getEventID()).isEqualTo("shardId-000000000001:101");
    assertThat(first.getAwsRegion()).isEqualTo("us-east-2");
    assertThat(first.getEventSourceARN())
        .isEqualTo("arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream");
    assertThat(first.getInvokeIdentityArn())
        .isEqualTo("arn:aws:iam::123456789012:role/lambda-role");
    KinesisEvent.Record kinesis = first.getKinesis();
    assertThat(kinesis.getKinesisSchemaVersion()).isEqualTo("1.0");
    assertThat(kinesis.getPartitionKey()).isEqualTo("pk-1");
    assertThat(kinesis.getSequenceNumber()).isEqualTo("101");
    assertThat(kinesis.getApproximateArrivalTimestamp().getTime()).isEqualTo(5_123L);
    byte[] read = new byte[kinesis.getData().remaining()];
    kinesis.getData().duplicate().get(read);
    assertThat(read).isEqualTo(java.util.Arrays.copyOfRange(binary, 3, 256));
    assertThat(event.getRecords().get(1).getKinesis().getData().remaining()).isZero();
    assertThat(event.getRecords().get(1).getKinesis().getApproximateArrivalTimestamp().getTime())
        .isEqualTo(6_000L);
  }

  @Test
  void theEventSizeIsKnownBeforeTheEventIsWritten() {
    List<byte[]> records = new ArrayList<>();
    long bytes = 0;
    for (int n = 0; n <= 3; n++) {
      assertThat(KinesisEventJson.eventSize(bytes, n))
          .isEqualTo(KinesisEventJson.event(records).length);
      byte[] r =
          json.record(
              "shardId-000000000000",
              "k" + n,
              String.valueOf(n),
              ByteBuffer.wrap(new byte[n * 10]),
              Instant.EPOCH);
      records.add(r);
      bytes += r.length;
    }
  }

  @Test
  void arrivalIsEpochSecondsWithMilliseconds() {
    assertThat(KinesisEventJson.epochSeconds(Instant.ofEpochMilli(1_545_084_650_000L)).toString())
        .isEqualTo("1545084650.000");
    assertThat(KinesisEventJson.epochSeconds(Instant.parse("2026-01-01T00:00:00.0456789Z")))
        .hasToString("1767225600.045");
  }
}
