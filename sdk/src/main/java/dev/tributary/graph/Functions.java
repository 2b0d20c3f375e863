package dev.tributary.graph;

final class Functions {
  private Functions() {}

  /** The user function's class name, or "lambda" for lambdas and method references. */
  static String describe(Object function) {
    Class<?> type = function.getClass();
    if (type.isSynthetic() || type.getName().contains("$$Lambda")) {
      return "lambda";
    }
    String name = type.getSimpleName();
    return name.isEmpty() ? type.getName() : name;
  }
}
