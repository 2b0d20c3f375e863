package dev.tributary.serde;

/**
 * A value could not be serialized or deserialized. The message names the serde and, for input
 * records, a prefix of the offending payload; runtimes route such records to the dead-letter table.
 */
public class SerdeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what failed and why. */
  public SerdeException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception with a message that says what failed and why. */
  public SerdeException(String message) {
    super(message);
  }
}
