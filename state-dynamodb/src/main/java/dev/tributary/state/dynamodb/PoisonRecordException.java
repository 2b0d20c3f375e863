package dev.tributary.state.dynamodb;

/**
 * A user function failed on one keyed record: the caller counts the attempt and, past its limit,
 * runs the batch again with the record as a {@link DeadLetter}. The records before it are committed
 * (the runner cuts the epoch before the failing record); nothing of the failing record is.
 */
public final class PoisonRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Position position;

  /** The record at {@code position} of {@code split} failed with {@code cause}. */
  public PoisonRecordException(String split, Position position, RuntimeException cause) {
    super(
        "record at position " + position + " of split " + split + " failed: " + cause.getMessage(),
        cause);
    this.position = position;
  }

  /** The failed record's position. */
  public Position position() {
    return position;
  }
}
