package dev.tributary.local.dynamodb.internal.model;

/**
 * An error as DynamoDB reports it: the {@code __type} (without the service prefix), the message and
 * the HTTP status. Everything a request can fail with is one of these.
 */
public class DynamoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String type;
  private final int status;
  private final java.util.Map<String, Value> item;

  /** Creates an error of {@code type} with HTTP {@code status}. */
  public DynamoException(String type, int status, String message) {
    this(type, status, message, null);
  }

  /** Creates an error that carries an item (ReturnValuesOnConditionCheckFailure). */
  public DynamoException(
      String type, int status, String message, java.util.Map<String, Value> item) {
    super(message, null, false, false);
    this.type = type;
    this.status = status;
    this.item = item;
  }

  /** The item returned with a failed condition, or null. */
  public java.util.Map<String, Value> item() {
    return item;
  }

  /** The error type, e.g. {@code ValidationException}. */
  public String type() {
    return type;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The {@code __type} of the JSON body, with the prefix the SDKs expect. */
  public String wireType() {
    if (type.equals("ThrottlingException")) {
      return "com.amazon.coral.availability#ThrottlingException";
    }
    if (type.equals("UnknownOperationException") || type.equals("SerializationException")) {
      return "com.amazon.coral.service#" + type;
    }
    return (type.equals("ValidationException")
            ? "com.amazon.coral.validate#"
            : "com.amazonaws.dynamodb.v20120810#")
        + type;
  }

  /** A ValidationException (400). */
  public static DynamoException validation(String message) {
    return new DynamoException("ValidationException", 400, message);
  }

  /** A ResourceNotFoundException (400). */
  public static DynamoException notFound(String message) {
    return new DynamoException("ResourceNotFoundException", 400, message);
  }

  /** A ResourceInUseException (400). */
  public static DynamoException inUse(String message) {
    return new DynamoException("ResourceInUseException", 400, message);
  }

  /** A ConditionalCheckFailedException (400), with the current item when asked for. */
  public static DynamoException conditionFailed(java.util.Map<String, Value> item) {
    return new DynamoException(
        "ConditionalCheckFailedException", 400, "The conditional request failed", item);
  }
}
