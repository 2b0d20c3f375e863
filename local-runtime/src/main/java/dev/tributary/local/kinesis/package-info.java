/**
 * The local Kinesis endpoint: kinesis-mock (npm {@code kinesis-local}) as a child process on
 * 127.0.0.1, see {@link dev.tributary.local.kinesis.KinesisLocal}.
 */
package dev.tributary.local.kinesis;
