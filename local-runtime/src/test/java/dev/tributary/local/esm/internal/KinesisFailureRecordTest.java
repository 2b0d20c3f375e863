package dev.tributary.local.esm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KinesisFailureRecordTest {
  /** The example invocation record of the Lambda developer guide (Kinesis on-failure). */
  private static final String DOCUMENTED =
      """
      {
          "requestContext": {
              "requestId": "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
              "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
              "condition": "RetryAttemptsExhausted",
              "approximateInvokeCount": 1
          },
          "responseContext": {
              "statusCode": 200,
              "executedVersion": "$LATEST",
              "functionError": "Unhandled"
          },
          "version": "1.0",
          "timestamp": "2019-11-14T00:38:06.021Z",
          "KinesisBatchInfo": {
              "shardId": "shardId-000000000001",
              "startSequenceNumber": "49601189658422359378836298521827638475320189012309704722",
              "endSequenceNumber": "49601189658422359378836298522902373528957594348623495186",
              "approximateArrivalOfFirstRecord": "2019-11-14T00:38:04.835Z",
              "approximateArrivalOfLastRecord": "2019-11-14T00:38:05.580Z",
              "batchSize": 500,
              "streamArn": "arn:aws:kinesis:us-east-2:123456789012:stream/mystream"
          }
      }
      """;

  static KinesisFailureRecord documented(String functionError) {
    return new KinesisFailureRecord(
        new KinesisFailureRecord.RequestContext(
            "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
            "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
            KinesisFailureRecord.RETRY_ATTEMPTS_EXHAUSTED,
            1),
        new KinesisFailureRecord.ResponseContext(200, "$LATEST", functionError),
        "1.0",
        "2019-11-14T00:38:06.021Z",
        new KinesisFailureRecord.KinesisBatchInfo(
            "shardId-000000000001",
            "49601189658422359378836298521827638475320189012309704722",
            "49601189658422359378836298522902373528957594348623495186",
            "2019-11-14T00:38:04.835Z",
            "2019-11-14T00:38:05.580Z",
            500,
            "arn:aws:kinesis:us-east-2:123456789012:stream/mystream"));
  }

  @Test
  void serializesToTheDocumentedInvocationRecord() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    assertThat(KinesisFailureFile.json(documented("Unhandled")))
        .isEqualTo(mapper.writeValueAsString(mapper.readTree(DOCUMENTED)));
    assertThat(mapper.readValue(DOCUMENTED, KinesisFailureRecord.class))
        .isEqualTo(documented("Unhandled"));
  }

  @Test
  void aPartialFailureHasANullFunctionError() {
    assertThat(KinesisFailureFile.json(documented(null))).contains("\"functionError\":null");
  }

  @Test
  void theFileDestinationAppendsJsonLinesAndKeepsTheRecords(@TempDir Path dir) throws Exception {
    KinesisFailureFile file = new KinesisFailureFile(dir.resolve("a/b/failures.jsonl"));
    file.send(documented("Unhandled"));
    file.send(documented(null));
    assertThat(file.records()).containsExactly(documented("Unhandled"), documented(null));
    assertThat(Files.readAllLines(file.file()))
        .containsExactly(
            KinesisFailureFile.json(documented("Unhandled")),
            KinesisFailureFile.json(documented(null)));
  }
}
