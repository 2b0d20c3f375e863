package dev.tributary.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DeadLetterItemTest {
  private static final int ITEM_LIMIT = 400 * 1024;

  @Test
  void manyLargeHeadersStayWithinTheItemAndSayWhatWasLeftOut() {
    Map<String, String> meta = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      meta.put("header.h" + i, "v".repeat(1_500));
    }
    meta.put("partitionKey", "alice");
    Map<String, AttributeValue> item =
        DeadLetterItem.of("job", "t-0", "5:0#prefix", new byte[390_000], "boom", 3, meta, null);
    assertThat(DeadLetterItem.bytes(item)).isLessThanOrEqualTo(ITEM_LIMIT);
    assertThat(item.get("metadataTruncated").bool()).isTrue();
    assertThat(item.get("payloadTruncated").bool()).isTrue();
    assertThat(item.get("metadata").m()).containsKey("partitionKey").hasSizeLessThan(301);
  }

  @Test
  void aHugeHeaderNameIsCutLikeItsValue() {
    Map<String, AttributeValue> item =
        DeadLetterItem.of(
            "job",
            "t-0",
            "5:0#prefix",
            new byte[10],
            "boom",
            3,
            Map.of("header." + "k".repeat(500_000), "v"),
            null);
    assertThat(DeadLetterItem.bytes(item)).isLessThanOrEqualTo(ITEM_LIMIT);
    assertThat(item.get("payload").b().asByteArray()).hasSize(10);
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String error = "x".repeat(DeadLetterItem.MAX_ERROR_CHARS - 1) + "\uD83D\uDE00 and more";
    String kept =
        DeadLetterItem.of("job", "t-0", "5:0#prefix", new byte[1], error, 3, Map.of(), null)
            .get("error")
            .s();
    assertThat(kept).startsWith("x".repeat(DeadLetterItem.MAX_ERROR_CHARS - 1) + "…");
    for (int i = 0; i < kept.length(); i++) {
      if (Character.isHighSurrogate(kept.charAt(i))) {
        assertThat(Character.isLowSurrogate(kept.charAt(i + 1))).isTrue();
      }
    }
  }

  @Test
  void aSmallRecordIsKeptWhole() {
    Map<String, AttributeValue> item =
        DeadLetterItem.of(
            "job", "t-0", "5:0#1#0", new byte[] {1, 2, 3}, "", 2, Map.of("key", "k"), 0);
    assertThat(item.get("payload").b().asByteArray()).containsExactly(1, 2, 3);
    assertThat(item).doesNotContainKeys("payloadTruncated", "metadataTruncated");
    assertThat(item.get("error").s()).isEqualTo("-");
    assertThat(item.get("slot").n()).isEqualTo("0");
  }
}
