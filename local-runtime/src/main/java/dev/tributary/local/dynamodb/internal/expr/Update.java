package dev.tributary.local.dynamodb.internal.expr;

import java.util.List;

/**
 * A parsed update expression.
 *
 * @param sets SET actions
 * @param removes REMOVE paths
 * @param adds ADD actions
 * @param deletes DELETE actions
 */
public record Update(
    List<Set> sets, List<Path> removes, List<AddOrDelete> adds, List<AddOrDelete> deletes) {

  /** {@code SET path = operand}. */
  public record Set(Path path, Operand value) {}

  /** {@code ADD path :value} or {@code DELETE path :value}. */
  public record AddOrDelete(Path path, Operand.Literal value) {}
}
