/**
 * An embedded Kafka broker (one KRaft node in this JVM) for local runs and tests; see {@link
 * dev.tributary.local.kafka.KafkaLocal}.
 */
package dev.tributary.local.kafka;
