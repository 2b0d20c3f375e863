package dev.tributary.state.dynamodb;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Where a record stands in its split: the source position (a Kinesis sequence number or a Kafka
 * offset, both non-negative integers) and a sub-index, which counts the keyed records the stateless
 * prefix made of one source record (a flatMap fan-out, a KPL-aggregated sub-record), so that a
 * retry can resume inside one source record.
 *
 * @param sequence the source position
 * @param subIndex the index of the keyed record within its source record
 */
public record Position(BigInteger sequence, long subIndex) implements Comparable<Position> {
  /** Before every record. */
  public static final Position BEGINNING = new Position(BigInteger.valueOf(-1), 0);

  /** Validates. */
  public Position {
    Objects.requireNonNull(sequence, "sequence");
    if (subIndex < 0) {
      throw new IllegalArgumentException("subIndex is " + subIndex + "; it must be >= 0");
    }
  }

  /** A position from a decimal sequence number or offset and a sub-index. */
  public static Position of(String sequence, long subIndex) {
    try {
      return new Position(decimal(sequence), subIndex);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "position sequence '"
              + sequence
              + "' is not a decimal number (Kinesis sequence number"
              + " or Kafka offset)",
          e);
    }
  }

  /**
   * {@code new BigInteger(text)}, without its general parsing for the usual case: a Kafka offset or
   * any number of up to 18 characters, which a {@code long} holds. Every record's position is read
   * this way.
   *
   * @throws NumberFormatException if {@code text} is not a decimal integer
   */
  public static BigInteger decimal(String text) {
    return text.length() <= 18 ? BigInteger.valueOf(Long.parseLong(text)) : new BigInteger(text);
  }

  /** A position from a Kafka-style offset. */
  public static Position of(long offset, long subIndex) {
    return new Position(BigInteger.valueOf(offset), subIndex);
  }

  /** The stored form, {@code sequence:subIndex}. */
  public String encode() {
    return sequence + ":" + subIndex;
  }

  /** Parses {@link #encode()}. */
  public static Position decode(String text) {
    int colon = text.lastIndexOf(':');
    return of(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
  }

  /** The later of {@code a} and {@code b} ({@code a} when they are equal). */
  public static Position later(Position a, Position b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public int compareTo(Position other) {
    int c = sequence.compareTo(other.sequence);
    return c != 0 ? c : Long.compare(subIndex, other.subIndex);
  }

  @Override
  public String toString() {
    return encode();
  }
}
