package dev.tributary.local.esm.internal.kinesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.local.esm.Delivery;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a function's answer means to a Kinesis event source mapping, as AWS documents it for {@code
 * ReportBatchItemFailures}: {@code {"batchItemFailures":[{"itemIdentifier":"<sequence number>"}]}}
 * names the records to retry from (the lowest one counts); an empty or null list, an empty or null
 * answer is a success; an empty, null or unknown identifier, an entry without {@code
 * itemIdentifier}, or an answer that is not a JSON object (a string, a number, a list) fails the
 * whole batch, as the Kafka mapping does. Without {@code ReportBatchItemFailures} the answer is not
 * read: a function that returned succeeded.
 */
public final class BatchAnswers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BatchAnswers() {}

  /**
   * The answer to a batch whose records have {@code sequenceNumbers}, in order.
   *
   * @param payload what the function returned (JSON, possibly empty)
   * @param reportBatchItemFailures whether the mapping has {@code ReportBatchItemFailures}
   */
  public static Delivery.Answer parse(
      byte[] payload, List<String> sequenceNumbers, boolean reportBatchItemFailures) {
    if (!reportBatchItemFailures) {
      return new Delivery.Success();
    }
    String text = payload == null ? "" : new String(payload, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return new Delivery.Success();
    }
    JsonNode answer;
    try {
      answer = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return new Delivery.FunctionError(
          "the function's answer is not JSON (ReportBatchItemFailures expects"
              + " {\"batchItemFailures\":[{\"itemIdentifier\":\"<sequence number>\"}]}): "
              + abbreviate(text));
    }
    if (answer == null || answer.isNull() || answer.isMissingNode()) {
      return new Delivery.Success(); // a null EventResponse
    }
    if (!answer.isObject()) {
      // AWS lists only an empty or null response or failure list as success; like the Kafka
      // mapping, any other answer fails the whole batch
      return new Delivery.FunctionError(
          "the function answered "
              + abbreviate(text)
              + "; with ReportBatchItemFailures the answer must be an object with a"
              + " batchItemFailures list, or nothing");
    }
    JsonNode failures = answer.get("batchItemFailures");
    if (failures == null || failures.isNull() || (failures.isArray() && failures.isEmpty())) {
      return new Delivery.Success();
    }
    if (!failures.isArray()) {
      return new Delivery.PartialFailure(-1);
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < sequenceNumbers.size(); i++) {
      index.putIfAbsent(sequenceNumbers.get(i), i);
    }
    int first = Integer.MAX_VALUE;
    for (JsonNode failure : failures) {
      JsonNode id = failure == null ? null : failure.get("itemIdentifier");
      if (id == null || !id.isTextual() || id.asText().isEmpty()) {
        return new Delivery.PartialFailure(-1);
      }
      Integer at = index.get(id.asText());
      if (at == null) {
        return new Delivery.PartialFailure(-1);
      }
      first = Math.min(first, at);
    }
    return new Delivery.PartialFailure(first);
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
