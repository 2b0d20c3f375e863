package dev.tributary.local.esm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a Kafka event source mapping sends to its on-failure destination when it gives records up,
 * shaped as Lambda's invocation record for Amazon MSK and self-managed Kafka sources: which
 * function, why ({@link Condition}), how many invocations were tried, and per {@code
 * topic-partition} the first and last offset and timestamp of the records given up — enough to find
 * them again in the topic. {@link #toJson()} writes the JSON Lambda sends to an SNS, SQS or S3
 * destination (with the failed event as {@code payload}, as S3 destinations get it).
 *
 * @param requestId the failed invocation's request id (generated locally)
 * @param functionArn the function's ARN
 * @param condition why the records were given up
 * @param approximateInvokeCount invocations tried with these records (0 if none)
 * @param functionError how the last invocation failed ({@code Unhandled}), null if it answered (a
 *     partial failure) or was never made; AWS's {@code responseContext} is absent then too when
 *     nothing was invoked
 * @param invoked whether the function was invoked with these records at all
 * @param timestamp when the records were given up
 * @param batchSize how many records were given up
 * @param eventSourceArn the MSK cluster's ARN, null for a self-managed cluster
 * @param bootstrapServers the cluster's bootstrap servers
 * @param payloadSize the size in bytes of the event that carried the records
 * @param recordsInfo per {@code topic-partition}, the range given up
 * @param payload the event JSON that carried the records
 * @param reason in words, why (the function's error, or the limit passed); not part of AWS's record
 */
public record KafkaOnFailureRecord(
    String requestId,
    String functionArn,
    Condition condition,
    int approximateInvokeCount,
    String functionError,
    boolean invoked,
    Instant timestamp,
    int batchSize,
    String eventSourceArn,
    String bootstrapServers,
    long payloadSize,
    Map<String, RecordsInfo> recordsInfo,
    String payload,
    String reason) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Why records were given up; the names are the {@code condition} values Lambda writes. */
  public enum Condition {
    /** The function kept failing until {@code MaximumRetryAttempts} were used. */
    RetryAttemptsExhausted,
    /** The records were older than {@code MaximumRecordAgeInSeconds} before an invocation. */
    RecordAgeExceeded,
    /** A record alone is larger than the 6 MB synchronous invocation payload. */
    MaximumPayloadSizeExceeded
  }

  /**
   * The records given up from one partition.
   *
   * @param firstRecordOffset the first one's offset
   * @param lastRecordOffset the last one's offset
   * @param firstRecordTimestamp the first one's timestamp
   * @param lastRecordTimestamp the last one's timestamp
   */
  public record RecordsInfo(
      long firstRecordOffset,
      long lastRecordOffset,
      Instant firstRecordTimestamp,
      Instant lastRecordTimestamp) {}

  /** Checks the required parts and copies the map. */
  public KafkaOnFailureRecord {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(timestamp, "timestamp");
    recordsInfo = Collections.unmodifiableMap(new LinkedHashMap<>(recordsInfo));
  }

  /**
   * The record as Lambda writes it: {@code requestContext}, {@code responseContext} (null when the
   * function was not invoked), {@code version}, {@code timestamp}, {@code KafkaBatchInfo} (offsets
   * as strings, timestamps ISO-8601 with milliseconds) and {@code payload}.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode request = root.putObject("requestContext");
    request.put("requestId", requestId);
    request.put("functionArn", functionArn);
    request.put("condition", condition.name());
    request.put("approximateInvokeCount", approximateInvokeCount);
    if (invoked) {
      ObjectNode response = root.putObject("responseContext");
      response.put("statusCode", 200);
      response.put("executedVersion", "$LATEST");
      if (functionError != null) {
        response.put("functionError", functionError);
      }
    } else {
      root.putNull("responseContext");
    }
    root.put("version", "1.0");
    root.put("timestamp", ISO_MILLIS.format(timestamp));
    ObjectNode info = root.putObject("KafkaBatchInfo");
    info.put("batchSize", batchSize);
    if (eventSourceArn != null) {
      info.put("eventSourceArn", eventSourceArn);
    }
    info.put("bootstrapServers", bootstrapServers);
    info.put("payloadSize", payloadSize);
    ObjectNode ranges = info.putObject("recordsInfo");
    recordsInfo.forEach(
        (partition, r) -> {
          ObjectNode range = ranges.putObject(partition);
          range.put("firstRecordOffset", Long.toString(r.firstRecordOffset()));
          range.put("lastRecordOffset", Long.toString(r.lastRecordOffset()));
          range.put("firstRecordTimestamp", ISO_MILLIS.format(r.firstRecordTimestamp()));
          range.put("lastRecordTimestamp", ISO_MILLIS.format(r.lastRecordTimestamp()));
        });
    if (payload != null) {
      root.put("payload", payload);
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write the on-failure record as JSON", e);
    }
  }
}
