/**
 * Keyed state, timers, checkpoints and the exactly-once commit protocol on DynamoDB: {@link
 * dev.tributary.state.dynamodb.DynamoDbStateBackend} stores the SDK executor's state, and {@link
 * dev.tributary.state.dynamodb.KeyedStageRunner} runs a batch of keyed records for one (split,
 * slot) and commits it in fenced transactions. docs/protocol.md describes the items and every
 * failure case.
 */
package dev.tributary.state.dynamodb;
