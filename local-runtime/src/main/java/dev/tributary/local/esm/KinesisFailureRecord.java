package dev.tributary.local.esm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * The invocation record Lambda sends to a Kinesis event source mapping's on-failure destination
 * when it gives a batch up (retries used up, or records older than the maximum record age): which
 * function, why, how often it was invoked, and where the discarded records are in the stream (the
 * records themselves are not included; read them from the stream before they expire). Serializes
 * with Jackson to the JSON AWS documents ({@code requestContext}, {@code responseContext}, {@code
 * version}, {@code timestamp}, {@code KinesisBatchInfo}).
 *
 * @param requestContext the invocation that failed
 * @param responseContext the function's last answer
 * @param version always {@code 1.0}
 * @param timestamp when the batch was given up (ISO-8601, milliseconds, UTC)
 * @param batchInfo the discarded records' place in the stream
 */
@JsonPropertyOrder({
  "requestContext",
  "responseContext",
  "version",
  "timestamp",
  "KinesisBatchInfo"
})
public record KinesisFailureRecord(
    @JsonProperty("requestContext") RequestContext requestContext,
    @JsonProperty("responseContext") ResponseContext responseContext,
    @JsonProperty("version") String version,
    @JsonProperty("timestamp") String timestamp,
    @JsonProperty("KinesisBatchInfo") KinesisBatchInfo batchInfo) {

  /** Why Lambda gave the batch up. */
  public static final String RETRY_ATTEMPTS_EXHAUSTED = "RetryAttemptsExhausted";

  /** Why Lambda gave the batch up: its oldest record passed the maximum record age. */
  public static final String RECORD_AGE_EXCEEDED = "RecordAgeExceeded";

  /** Requires every part. */
  public KinesisFailureRecord {
    Objects.requireNonNull(requestContext, "requestContext");
    Objects.requireNonNull(responseContext, "responseContext");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(batchInfo, "batchInfo");
  }

  /**
   * The failed invocation.
   *
   * @param requestId a unique id of this record
   * @param functionArn the function the mapping invokes
   * @param condition {@link #RETRY_ATTEMPTS_EXHAUSTED} or {@link #RECORD_AGE_EXCEEDED}
   * @param approximateInvokeCount how many times the records were tried
   */
  @JsonPropertyOrder({"requestId", "functionArn", "condition", "approximateInvokeCount"})
  public record RequestContext(
      @JsonProperty("requestId") String requestId,
      @JsonProperty("functionArn") String functionArn,
      @JsonProperty("condition") String condition,
      @JsonProperty("approximateInvokeCount") int approximateInvokeCount) {}

  /**
   * The function's last answer.
   *
   * @param statusCode the Invoke API status (200 also for a function error)
   * @param executedVersion the function version ({@code $LATEST} locally)
   * @param functionError {@code Unhandled} when the function failed, null when it answered (partial
   *     failure) or was never invoked (record age)
   */
  @JsonPropertyOrder({"statusCode", "executedVersion", "functionError"})
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ResponseContext(
      @JsonProperty("statusCode") int statusCode,
      @JsonProperty("executedVersion") String executedVersion,
      @JsonProperty("functionError") String functionError) {}

  /**
   * Where the discarded records are.
   *
   * @param shardId the shard
   * @param startSequenceNumber the first discarded record
   * @param endSequenceNumber the last discarded record
   * @param approximateArrivalOfFirstRecord the first record's arrival (ISO-8601, milliseconds)
   * @param approximateArrivalOfLastRecord the last record's arrival (ISO-8601, milliseconds)
   * @param batchSize how many records were discarded
   * @param streamArn the stream
   */
  @JsonPropertyOrder({
    "shardId",
    "startSequenceNumber",
    "endSequenceNumber",
    "approximateArrivalOfFirstRecord",
    "approximateArrivalOfLastRecord",
    "batchSize",
    "streamArn"
  })
  public record KinesisBatchInfo(
      @JsonProperty("shardId") String shardId,
      @JsonProperty("startSequenceNumber") String startSequenceNumber,
      @JsonProperty("endSequenceNumber") String endSequenceNumber,
      @JsonProperty("approximateArrivalOfFirstRecord") String approximateArrivalOfFirstRecord,
      @JsonProperty("approximateArrivalOfLastRecord") String approximateArrivalOfLastRecord,
      @JsonProperty("batchSize") int batchSize,
      @JsonProperty("streamArn") String streamArn) {}
}
