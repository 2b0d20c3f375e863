package dev.tributary.cdk;

import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.lambda.IEventSourceDlq;
import software.amazon.awscdk.services.lambda.eventsources.SqsDlq;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * Where what the job could not process goes besides the dead-letter table: an SQS queue (encrypted,
 * TLS only) that receives the event source mapping's failed batches (their shard and positions,
 * when retries or the record age run out) and the ticks EventBridge could not deliver. Poison
 * records themselves go to the dead-letter table, in the commit that moves past them.
 */
public final class DeadLetters extends Construct {
  private final Queue queue;

  DeadLetters(Construct scope, String id, Duration retention, RemovalPolicy removalPolicy) {
    super(scope, id);
    this.queue =
        Queue.Builder.create(this, "Queue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(retention)
            .removalPolicy(removalPolicy)
            .build();
  }

  /** The queue. */
  public IQueue queue() {
    return queue;
  }

  /** The queue as the mapping's on-failure destination. */
  IEventSourceDlq asEventSourceDestination() {
    return new SqsDlq(queue);
  }
}
