package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tributary.local.dynamodb.DynamoDbLocal;
import dev.tributary.state.dynamodb.KvJob.Op;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A record a user function fails on is reported by position, then set aside in the commit. */
class PoisonRecordsIT {
  @AutoClose private static final DynamoDbLocal local = DynamoDbLocal.builder().build();

  @Test
  void aFailingRecordIsReportedThenSetAsideWithItsPayloadInTheCommitThatPassesIt() {
    try (Harness h = Harness.on(local, new KvJob())) {
      List<Op> ops =
          List.of(
              new Op("a", "count", 0, 0),
              new Op("b", "boom", 0, 0),
              new Op("a", "count", 0, 0),
              new Op("c", "emit", 3, 1));
      Batch batch = new Batch("s", 0, 1, h.keyed(KvJob.SOURCE, ops, 10), Long.MIN_VALUE, 0);
      PoisonRecordException poison =
          catchThrowableOfType(PoisonRecordException.class, () -> h.runner().run(batch));
      assertThat(poison.position()).isEqualTo(Position.of(11, 0));
      assertThat(poison).hasMessageContaining("boom on b").hasMessageContaining("11:0");
      assertThat(h.checkpoint("s", 1, 0).get("pos").s())
          .as("the records before it commit; nothing of the failed record does")
          .isEqualTo("10:0");

      byte[] payload = "{\"key\":\"b\",\"kind\":\"boom\"}".getBytes(StandardCharsets.UTF_8);
      RunReport r =
          h.runner()
              .run(
                  batch.withDeadLetter(
                      new DeadLetter(
                          poison.position(),
                          payload,
                          poison.getMessage(),
                          3,
                          Map.of("partitionKey", "b"))));
      assertThat(r.deadLettered()).isEqualTo(1);
      assertThat(r.recordsApplied()).isEqualTo(2);
      assertThat(h.checkpoint("s", 1, 0).get("pos").s()).isEqualTo("13:0");
      assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "a")).isEqualTo(2L);
      assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "b")).isNull();
      assertThat(h.<String>outbox(KvJob.SINK)).hasSize(1);

      List<Map<String, AttributeValue>> letters =
          h.client.scan(b -> b.tableName(h.tables.deadLetters())).items();
      assertThat(letters).hasSize(1);
      Map<String, AttributeValue> letter = letters.get(0);
      assertThat(letter.get("pk").s()).isEqualTo("kv#s");
      assertThat(letter.get("sk").s()).isEqualTo("11:0#1#0");
      assertThat(letter.get("payload").b().asByteArray()).isEqualTo(payload);
      assertThat(letter.get("error").s()).contains("boom on b");
      assertThat(letter.get("attempts").n()).isEqualTo("3");
      assertThat(letter.get("metadata").m().get("partitionKey").s()).isEqualTo("b");

      // delivered again: everything is committed, nothing happens twice
      RunReport again = h.runner().run(batch);
      assertThat(again.recordsSkipped()).isEqualTo(4);
      assertThat(h.state().value(KvJob.UID, KvJob.COUNT, "c")).isEqualTo(1L);
      assertThat(h.client.scan(b -> b.tableName(h.tables.deadLetters())).items()).hasSize(1);
    }
  }

  /**
   * A record larger than a DynamoDB item (Kinesis and Kafka records reach 1 MB): its dead letter
   * keeps what fits of the payload, with the full length and digest, instead of failing the commit
   * on every retry and blocking the split.
   */
  @Test
  void aRecordLargerThanAnItemIsSetAsideWithItsPayloadCutAndItsDigest() throws Exception {
    try (Harness h = Harness.on(local, new KvJob())) {
      List<Op> ops = List.of(new Op("a", "count", 0, 0), new Op("b", "boom", 0, 0));
      Batch batch = new Batch("big", 0, 1, h.keyed(KvJob.SOURCE, ops, 10), Long.MIN_VALUE, 0);
      byte[] payload = new byte[600_000];
      new java.util.Random(7).nextBytes(payload);
      String error = "boom on b: " + "x".repeat(10_000);
      RunReport r =
          h.runner()
              .run(
                  batch.withDeadLetter(
                      new DeadLetter(
                          Position.of(11, 0),
                          payload,
                          error,
                          3,
                          Map.of("partitionKey", "b", "header.trace", "t".repeat(5_000)))));
      assertThat(r.deadLettered()).isEqualTo(1);
      assertThat(h.checkpoint("big", 1, 0).get("pos").s()).isEqualTo("11:0");

      Map<String, AttributeValue> letter =
          h.client.scan(b -> b.tableName(h.tables.deadLetters())).items().stream()
              .filter(i -> i.get("pk").s().equals("kv#big"))
              .findFirst()
              .orElseThrow();
      byte[] kept = letter.get("payload").b().asByteArray();
      assertThat(kept.length).isBetween(300_000, 400 * 1024);
      assertThat(kept).isEqualTo(java.util.Arrays.copyOf(payload, kept.length));
      assertThat(letter.get("payloadTruncated").bool()).isTrue();
      assertThat(letter.get("payloadBytes").n()).isEqualTo("600000");
      assertThat(letter.get("payloadSha256").s())
          .isEqualTo(
              java.util.HexFormat.of()
                  .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload)));
      assertThat(letter.get("error").s())
          .startsWith("boom on b: xxx")
          .endsWith("(10011 characters)")
          .hasSizeLessThan(4_100);
      assertThat(letter.get("metadata").m().get("header.trace").s()).hasSizeLessThan(2_100);
    }
  }
}
