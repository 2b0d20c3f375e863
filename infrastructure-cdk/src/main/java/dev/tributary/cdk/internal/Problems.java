package dev.tributary.cdk.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what is wrong with a construct's props, so that one synth reports every problem at once,
 * each naming the field, the value, the limit and the fix.
 */
public final class Problems {
  private final String what;
  private final List<String> problems = new ArrayList<>();

  /** Problems of {@code what} (e.g. "StreamJob 'Clicks'"). */
  public Problems(String what) {
    this.what = what;
  }

  /** Adds a problem. */
  public void add(String problem) {
    problems.add(problem);
  }

  /** Adds a problem unless {@code min <= value <= max}. */
  public void range(String field, Number value, long min, long max, String unit, String fix) {
    if (value == null) {
      return;
    }
    double v = value.doubleValue();
    if (v < min || v > max || v != Math.rint(v)) {
      add(
          field
              + " is "
              + value
              + (unit.isEmpty() ? "" : " " + unit)
              + "; it must be a whole number from "
              + min
              + " to "
              + max
              + (unit.isEmpty() ? "" : " " + unit)
              + ". "
              + fix);
    }
  }

  /** The problems so far. */
  public List<String> list() {
    return List.copyOf(problems);
  }

  /**
   * Throws if there is any problem.
   *
   * @throws IllegalArgumentException listing every problem
   */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          what + " has invalid props:\n  - " + String.join("\n  - ", problems));
    }
  }
}
