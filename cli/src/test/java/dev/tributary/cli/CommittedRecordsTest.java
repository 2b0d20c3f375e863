package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Where a mapping reports no counters (LocalStack), the records a run produced count as delivered
 * once the job's checkpoints are past them; and producing stores every record exactly once.
 */
class CommittedRecordsTest {
  private static final String BIG = "49590338271490256608559692538361571095921575989136588";

  @Test
  void aRecordCountsOnceItsSplitsFurthestCheckpointIsAtOrPastIt() {
    CommittedRecords records = new CommittedRecords();
    records.add("clicks/shardId-000000000000", BIG + "001", "a");
    records.add("clicks/shardId-000000000000", BIG + "002", "b");
    records.add("clicks/shardId-000000000000", BIG + "010", "a");
    records.add("clicks/shardId-000000000001", BIG + "003", "c");

    assertThat(records.committed(Map.of())).isZero();
    assertThat(
            records.committed(Map.of("clicks/shardId-000000000000", Position.of(BIG + "002", 0))))
        .isEqualTo(2);
    assertThat(
            records.committed(
                Map.of(
                    "clicks/shardId-000000000000",
                    Position.of(BIG + "010", 0),
                    "clicks/shardId-000000000001",
                    Position.of(BIG + "003", 0))))
        .isEqualTo(4);
  }

  @Test
  void withAParallelizationFactorEachPartitionKeysCheckpointCounts() {
    CommittedRecords records = new CommittedRecords();
    records.add("clicks/shardId-000000000000", "5", "a");
    records.add("clicks/shardId-000000000000", "6", "b");
    records.add("clicks/shardId-000000000000", "7", "a");
    assertThat(
            records.committed(
                Map.of(
                    "clicks/shardId-000000000000/k/a", Position.of("7", 0),
                    "clicks/shardId-000000000000/k/b", Position.of("5", 0))))
        .as("b's record 6 is past its key's checkpoint")
        .isEqualTo(2);
  }

  @Test
  void onlyTheRefusedEntriesArePutAgainAndEachResultIsWhereItsEntryWasStored() {
    List<PutRecordsRequest> calls = new ArrayList<>();
    KinesisClient throttling =
        new KinesisClient() {
          @Override
          public PutRecordsResponse putRecords(PutRecordsRequest request) {
            calls.add(request);
            List<PutRecordsResultEntry> results = new ArrayList<>();
            for (PutRecordsRequestEntry e : request.records()) {
              String key = e.partitionKey();
              // the first call refuses b and d; the second stores everything
              results.add(
                  calls.size() == 1 && (key.equals("b") || key.equals("d"))
                      ? PutRecordsResultEntry.builder()
                          .errorCode("ProvisionedThroughputExceededException")
                          .build()
                      : PutRecordsResultEntry.builder()
                          .shardId("shardId-000000000000")
                          .sequenceNumber(key + calls.size())
                          .build());
            }
            return PutRecordsResponse.builder()
                .records(results)
                .failedRecordCount(calls.size() == 1 ? 2 : 0)
                .build();
          }

          @Override
          public String serviceName() {
            return "kinesis";
          }

          @Override
          public void close() {}
        };
    List<PutRecordsRequestEntry> batch =
        Stream.of("a", "b", "c", "d", "e")
            .map(
                k ->
                    PutRecordsRequestEntry.builder()
                        .partitionKey(k)
                        .data(SdkBytes.fromUtf8String(k))
                        .build())
            .toList();

    List<PutRecordsResultEntry> stored = KinesisSource.putAll(throttling, "clicks", batch);

    assertThat(calls).hasSize(2);
    assertThat(calls.get(1).records())
        .extracting(PutRecordsRequestEntry::partitionKey)
        .containsExactly("b", "d");
    assertThat(stored)
        .extracting(PutRecordsResultEntry::sequenceNumber)
        .containsExactly("a1", "b2", "c1", "d2", "e1");
  }
}
