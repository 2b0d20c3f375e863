package dev.tributary.differential;

import java.util.List;

/**
 * One randomized windowed job and its input: the same logical job runs on Flink and on Tributary.
 *
 * @param events the input, in arrival order
 * @param bound allowed out-of-orderness in ms
 * @param kind the window kind
 * @param size tumbling/sliding size in ms
 * @param slide sliding slide in ms
 * @param gap session gap in ms
 * @param lateness allowed lateness in ms
 * @param function how windows are evaluated
 * @param lateOutput whether late data goes to a side output
 */
public record WindowCase(
    List<Ev> events,
    long bound,
    Kind kind,
    long size,
    long slide,
    long gap,
    long lateness,
    Function function,
    boolean lateOutput) {

  /** Window kinds. */
  public enum Kind {
    TUMBLING,
    SLIDING,
    SESSION
  }

  /** Window evaluation. */
  public enum Function {
    REDUCE,
    AGGREGATE,
    PROCESS,
    AGGREGATE_PROCESS,
    REDUCE_PROCESS
  }

  @Override
  public String toString() {
    return kind
        + " size="
        + size
        + " slide="
        + slide
        + " gap="
        + gap
        + " bound="
        + bound
        + " lateness="
        + lateness
        + " "
        + function
        + " lateOutput="
        + lateOutput
        + " events="
        + events;
  }
}
