package dev.tributary.spi;

/**
 * A user function threw. Names the operator and carries the user's exception as the cause; runtimes
 * count attempts per record and, past the limit, send the record to the dead-letter table.
 */
public class UserFunctionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String operatorName;
  private final String operatorUid;

  /** Creates the exception. */
  public UserFunctionException(
      String operatorName, String operatorUid, String what, Throwable cause) {
    super(
        "operator '"
            + operatorName
            + "'"
            + (operatorUid == null ? "" : " (uid " + operatorUid + ")")
            + " failed "
            + what
            + ": "
            + cause,
        cause);
    this.operatorName = operatorName;
    this.operatorUid = operatorUid;
  }

  /** The failing operator's display name. */
  public String operatorName() {
    return operatorName;
  }

  /** The failing operator's uid, or null. */
  public String operatorUid() {
    return operatorUid;
  }
}
