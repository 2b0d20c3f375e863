package dev.tributary.cdk;

import java.util.List;
import software.amazon.awscdk.Stack;

/** {@link Stacks}' helpers for the tests of other packages. */
public final class StacksAccess {
  private StacksAccess() {}

  /** The errors and warnings of {@code stack}, cdk-nag's included. */
  public static List<String> findings(Stack stack) {
    return Stacks.findings(stack);
  }
}
