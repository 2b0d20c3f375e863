package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.DynamoException;

/** Builds the ValidationExceptions of invalid expressions, in DynamoDB's words. */
public final class ExpressionException {
  private ExpressionException() {}

  /** Which parameter an expression came from; named in every message. */
  public enum Kind {
    /** ConditionExpression. */
    CONDITION("ConditionExpression"),
    /** FilterExpression. */
    FILTER("FilterExpression"),
    /** KeyConditionExpression. */
    KEY_CONDITION("KeyConditionExpression"),
    /** UpdateExpression. */
    UPDATE("UpdateExpression"),
    /** ProjectionExpression. */
    PROJECTION("ProjectionExpression");

    final String parameter;

    Kind(String parameter) {
      this.parameter = parameter;
    }

    /** The request parameter. */
    public String parameter() {
      return parameter;
    }
  }

  /** {@code Invalid <Kind>: <detail>}. */
  public static DynamoException invalid(Kind kind, String detail) {
    return DynamoException.validation("Invalid " + kind.parameter + ": " + detail);
  }

  /** A syntax error at the token spanning {@code [start, end)} of {@code source}. */
  static DynamoException syntax(Kind kind, String source, String token, int start, int end) {
    int nearStart = start;
    // "near" shows the token with its neighbour before, as DynamoDB does
    int i = start - 1;
    while (i >= 0 && Character.isWhitespace(source.charAt(i))) {
      i--;
    }
    while (i >= 0 && !Character.isWhitespace(source.charAt(i))) {
      nearStart = i;
      i--;
    }
    int nearEnd = end;
    int j = end;
    while (j < source.length() && Character.isWhitespace(source.charAt(j))) {
      j++;
    }
    while (j < source.length() && !Character.isWhitespace(source.charAt(j))) {
      j++;
      nearEnd = j;
    }
    String near = source.substring(Math.max(0, nearStart), Math.min(source.length(), nearEnd));
    return invalid(kind, "Syntax error; token: \"" + token + "\", near: \"" + near + "\"");
  }
}
