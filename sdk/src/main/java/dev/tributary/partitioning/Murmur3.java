package dev.tributary.partitioning;

/**
 * MurmurHash3 x86 32-bit (Austin Appleby's reference algorithm), the hash every Tributary runtime
 * uses to place a serialized key in a key group. Matches Guava's {@code
 * Hashing.murmur3_32_fixed()}.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  /** The 32-bit hash of {@code data} with seed 0. */
  public static int hash32(byte[] data) {
    return hash32(data, 0, data.length, 0);
  }

  /** The 32-bit hash of {@code length} bytes of {@code data} from {@code offset}. */
  public static int hash32(byte[] data, int offset, int length, int seed) {
    int h1 = seed;
    int blocks = length >>> 2;
    for (int i = 0; i < blocks; i++) {
      int index = offset + (i << 2);
      int k1 =
          (data[index] & 0xff)
              | (data[index + 1] & 0xff) << 8
              | (data[index + 2] & 0xff) << 16
              | (data[index + 3] & 0xff) << 24;
      h1 ^= mixK1(k1);
      h1 = Integer.rotateLeft(h1, 13);
      h1 = h1 * 5 + 0xe6546b64;
    }
    int tail = offset + (blocks << 2);
    int k1 = 0;
    switch (length & 3) {
      case 3:
        k1 ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        k1 ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        k1 ^= data[tail] & 0xff;
        h1 ^= mixK1(k1);
        break;
      default:
        break;
    }
    h1 ^= length;
    return fmix(h1);
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
