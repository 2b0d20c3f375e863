/**
 * The parts of the Kinesis event source mapping emulator: the event JSON Lambda delivers, the
 * parsing of the function's answer, the lanes of a parallelization factor, KCL's aggregation
 * setting, and the per-shard record processor that batches, delivers and checkpoints.
 */
package dev.tributary.local.esm.internal.kinesis;
