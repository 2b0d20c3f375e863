package dev.tributary.local.esm;

/**
 * Where a Kafka event source mapping sends the records it gives up (an SQS queue, SNS topic, S3
 * bucket or Kafka topic on AWS; a file, a list or a dead-letter table locally). The mapping commits
 * past the records once this returns; if it throws, the mapping logs it and still moves on, so a
 * destination that must not lose anything should store before returning.
 */
@FunctionalInterface
public interface KafkaOnFailureDestination {
  /** Receives one invocation record. Called on the mapping's poller thread. */
  void send(KafkaOnFailureRecord record);
}
