package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.state.dynamodb.Position;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeptStreamTest {
  @Test
  void checkpointsWithinWhatTheStreamHoldsAreFine() {
    assertThat(
            KeptStream.committedPastTheEnd(
                Map.of(
                    "s/shardId-000000000000",
                    Position.of(120, 0),
                    "s/shardId-000000000001",
                    Position.of(75, 3)),
                Map.of(
                    "s/shardId-000000000000", BigInteger.valueOf(120),
                    "s/shardId-000000000001", BigInteger.valueOf(90))))
        .isEmpty();
  }

  @Test
  void aCheckpointPastTheStreamsLastRecordIsReportedWithBothPositions() {
    assertThat(
            KeptStream.committedPastTheEnd(
                Map.of("clicks-0", Position.of(41, 0), "clicks-1", Position.of(7, 0)),
                Map.of("clicks-0", BigInteger.valueOf(39), "clicks-1", BigInteger.valueOf(7))))
        .containsExactly("clicks-0 committed up to 41 but ends at 39");
  }

  @Test
  void aSplitThatLostEveryRecordIsReported() {
    assertThat(KeptStream.committedPastTheEnd(Map.of("clicks-2", Position.of(0, 0)), Map.of()))
        .containsExactly("clicks-2 committed up to 0 but holds no record");
  }

  @Test
  void partitionKeyCheckpointsCountForTheirShardAtTheFurthest() {
    BigInteger end = new BigInteger("49650000000000000000000000000000000000000000000000000002");
    assertThat(
            KeptStream.committedPastTheEnd(
                Map.of(
                    "s/shardId-000000000000/k/alice",
                    new Position(end.subtract(BigInteger.ONE), 0),
                    "s/shardId-000000000000/k/bob",
                    new Position(end.add(BigInteger.ONE), 0)),
                Map.of("s/shardId-000000000000", end)))
        .containsExactly(
            "s/shardId-000000000000 committed up to "
                + end.add(BigInteger.ONE)
                + " but ends at "
                + end);
  }
}
