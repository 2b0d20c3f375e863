package dev.tributary.local.esm.internal.kinesis;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * KCL's KPL de-aggregation turned off ({@code LifecycleConfig.aggregatorUtil}): Lambda delivers a
 * record written by the Kinesis Producer Library as the one Kinesis record it is (the function
 * de-aggregates it), so the mapping hands KCL's records on untouched, bytes and all. KCL then sees
 * sub-sequence number 0 for every record and checkpoints whole Kinesis records, which is what
 * Lambda does too. (KCL's own de-aggregator also drops sub-records whose hash key lies outside the
 * shard; Lambda does not, and neither does this.)
 */
public final class KeepAggregated extends AggregatorUtil {
  @Override
  public List<KinesisClientRecord> deaggregate(
      List<KinesisClientRecord> records, BigInteger startingHashKey, BigInteger endingHashKey) {
    return new ArrayList<>(records); // KCL filters this list in place
  }
}
