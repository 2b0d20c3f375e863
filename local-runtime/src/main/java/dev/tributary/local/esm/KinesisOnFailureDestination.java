package dev.tributary.local.esm;

/**
 * Where a Kinesis event source mapping sends the invocation record of a batch it gave up (on AWS an
 * SQS queue, SNS topic or S3 bucket). Called on the mapping's delivery threads, one record at a
 * time per shard lane; implementations must be thread-safe. An exception is logged and the stream
 * moves on, as Lambda does when the destination cannot be reached.
 */
@FunctionalInterface
public interface KinesisOnFailureDestination {
  /** Receives the record of one discarded batch. */
  void send(KinesisFailureRecord record);

  /** No destination: discarded batches are only logged (AWS's behaviour without one). */
  static KinesisOnFailureDestination none() {
    return record -> {};
  }
}
