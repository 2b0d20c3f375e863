package dev.tributary.local.dynamodb;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fault-injection rules of one {@link DynamoDbLocal}; for tests and the chaos suite. Rules are
 * checked in the order added; the first active match fires.
 */
public final class Faults {
  private final List<FaultRule> rules = new CopyOnWriteArrayList<>();

  Faults() {}

  /** Adds a rule and returns it (to read {@link FaultRule#triggered()} later). */
  public FaultRule add(FaultRule rule) {
    rules.add(rule);
    return rule;
  }

  /** Removes every rule. */
  public void clear() {
    rules.clear();
  }

  /** The rules, in order. */
  public List<FaultRule> rules() {
    return List.copyOf(rules);
  }
}
