package dev.tributary.internal.exec;

/** Describes elements in error messages without flooding them. */
final class Elements {
  private Elements() {}

  static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    String text;
    try {
      text = String.valueOf(value);
    } catch (RuntimeException e) {
      text = value.getClass().getName() + " (toString failed)";
    }
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
