package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.model.Value;

/** An operand of a condition or of an update's SET action. */
public sealed interface Operand
    permits Operand.PathRef,
        Operand.Literal,
        Operand.Size,
        Operand.IfNotExists,
        Operand.ListAppend,
        Operand.Arithmetic {

  /** An attribute of the item. */
  record PathRef(Path path) implements Operand {}

  /** A value from ExpressionAttributeValues. */
  record Literal(String placeholder, Value value) implements Operand {}

  /** {@code size(path)}. */
  record Size(Path path) implements Operand {}

  /** {@code if_not_exists(path, operand)} (update only). */
  record IfNotExists(Path path, Operand fallback) implements Operand {}

  /** {@code list_append(a, b)} (update only). */
  record ListAppend(Operand first, Operand second) implements Operand {}

  /** {@code a + b} or {@code a - b} (update only). */
  record Arithmetic(boolean plus, Operand left, Operand right) implements Operand {}
}
