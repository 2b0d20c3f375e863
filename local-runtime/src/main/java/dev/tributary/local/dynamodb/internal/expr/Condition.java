package dev.tributary.local.dynamodb.internal.expr;

import java.util.List;

/** A condition, filter or key-condition expression. */
public sealed interface Condition
    permits Condition.Compare,
        Condition.Between,
        Condition.In,
        Condition.And,
        Condition.Or,
        Condition.Not,
        Condition.Function {

  /** {@code a op b} with op one of {@code = <> < <= > >=}. */
  record Compare(String op, Operand left, Operand right) implements Condition {}

  /** {@code a BETWEEN lo AND hi}. */
  record Between(Operand value, Operand low, Operand high) implements Condition {}

  /** {@code a IN (b, c, ...)}. */
  record In(Operand value, List<Operand> options) implements Condition {}

  /** {@code a AND b}. */
  record And(Condition left, Condition right) implements Condition {}

  /** {@code a OR b}. */
  record Or(Condition left, Condition right) implements Condition {}

  /** {@code NOT a}. */
  record Not(Condition condition) implements Condition {}

  /**
   * A boolean function: attribute_exists, attribute_not_exists, attribute_type, begins_with,
   * contains.
   */
  record Function(String name, List<Operand> args) implements Condition {}
}
