package dev.tributary.local.esm.internal.kinesis;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The lane of a record under a parallelization factor: Lambda processes up to that many batches of
 * one shard at once and keeps the records of one partition key in order by hashing the key to a
 * lane. Here the hash is the one Kinesis itself uses for partition keys (MD5 as a 128-bit unsigned
 * integer), taken modulo the factor.
 */
public final class Lanes {
  private Lanes() {}

  /** The lane (0 to {@code lanes - 1}) of {@code partitionKey}. */
  public static int lane(String partitionKey, int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException(
          "lanes is " + lanes + "; the ParallelizationFactor must be 1 to 10");
    }
    if (lanes == 1) {
      return 0;
    }
    try {
      byte[] md5 =
          MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8));
      return new BigInteger(1, md5).mod(BigInteger.valueOf(lanes)).intValue();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
  }
}
