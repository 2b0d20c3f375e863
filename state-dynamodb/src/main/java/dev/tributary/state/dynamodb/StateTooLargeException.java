package dev.tributary.state.dynamodb;

/**
 * A key's state cannot be stored: one value alone is larger than a DynamoDB item can hold. The
 * message names the operator, the key, the state, the size and the limit; runtimes route the record
 * that caused it to the dead-letter table instead of retrying it forever.
 */
public class StateTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StateTooLargeException(String message) {
    super(message);
  }
}
