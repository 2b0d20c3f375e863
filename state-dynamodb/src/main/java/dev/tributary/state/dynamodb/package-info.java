/**
 * Keyed state, timers, checkpoints and the exactly-once commit protocol on DynamoDB. Empty until
 * the state-dynamodb issue lands; the SDK's StateBackend interface is what it implements.
 */
package dev.tributary.state.dynamodb;
