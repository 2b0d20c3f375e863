package dev.tributary.local.dynamodb.internal.model;

import java.math.BigDecimal;

/** DynamoDB numbers: at most 38 significant digits, magnitudes from 1E-130 to under 1E+126. */
public final class Numbers {
  private Numbers() {}

  /**
   * Parses and normalizes a number.
   *
   * @throws DynamoException a ValidationException with DynamoDB's message when it cannot be stored
   */
  public static BigDecimal parse(String text) {
    if (text == null || text.isEmpty()) {
      throw DynamoException.validation("The parameter cannot be converted to a numeric value");
    }
    BigDecimal number;
    try {
      if (!wellFormed(text)) {
        throw new NumberFormatException(text);
      }
      number = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw DynamoException.validation(
          "The parameter cannot be converted to a numeric value: " + text);
    }
    return check(number);
  }

  /**
   * Whether {@code text} matches {@code \s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*} (ASCII digits,
   * Java's {@code \s}), checked by hand: a regular expression compiled for every number cost
   * several per cent of a write's time.
   */
  static boolean wellFormed(String text) {
    int end = text.length();
    int i = 0;
    while (i < end && isSpace(text.charAt(i))) {
      i++;
    }
    while (end > i && isSpace(text.charAt(end - 1))) {
      end--;
    }
    if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int start = i;
    i = digits(text, i, end);
    int integer = i - start;
    int fraction = 0;
    if (i < end && text.charAt(i) == '.') {
      int from = ++i;
      i = digits(text, i, end);
      fraction = i - from;
    }
    if (integer == 0 && fraction == 0) {
      return false;
    }
    if (i < end && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      i++;
      if (i < end && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
        i++;
      }
      int from = i;
      i = digits(text, i, end);
      if (i == from) {
        return false;
      }
    }
    return i == end;
  }

  private static int digits(String text, int i, int end) {
    while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** Java's {@code \s}: space, tab, newline, vertical tab, form feed, carriage return. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** Normalizes and checks the range and precision of a computed number. */
  public static BigDecimal check(BigDecimal number) {
    BigDecimal n = number.stripTrailingZeros();
    if (n.signum() == 0) {
      return BigDecimal.ZERO;
    }
    // exponent of the most significant digit: value = d.ddd x 10^e
    int e = n.precision() - n.scale() - 1;
    if (e > 125) {
      throw DynamoException.validation(
          "Number overflow. Attempting to store a number with magnitude larger than supported"
              + " range");
    }
    if (e < -130) {
      throw DynamoException.validation(
          "Number underflow. Attempting to store a number with magnitude smaller than supported"
              + " range");
    }
    if (n.precision() > 38) {
      throw DynamoException.validation(
          "Attempting to store more than 38 significant digits in a Number");
    }
    return n;
  }

  /**
   * The stored size of a number in bytes, by the rule DynamoDB follows (as dynalite measured it): 1
   * byte of exponent plus one per two significant digits, plus 1 for negatives and for an odd digit
   * alignment.
   */
  public static int size(BigDecimal n) {
    if (n.signum() == 0) {
      return 1;
    }
    int digits = n.precision();
    int e = n.precision() - n.scale() - 1;
    return 1
        + (digits + 1) / 2
        + ((digits % 2 != 0 || Math.floorMod(e, 2) != 0) ? 0 : 1)
        + (n.signum() < 0 ? 1 : 0);
  }
}
