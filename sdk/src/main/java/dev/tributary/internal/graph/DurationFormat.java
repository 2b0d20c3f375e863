package dev.tributary.internal.graph;

/** Formats durations for people: {@code 500ms}, {@code 1s}, {@code 1m30s}, {@code 2h}. */
public final class DurationFormat {
  private DurationFormat() {}

  /** Formats {@code millis}. */
  public static String millis(long millis) {
    if (millis == 0) {
      return "0ms";
    }
    StringBuilder out = new StringBuilder();
    long rest = millis;
    if (rest < 0) {
      out.append('-');
      rest = -rest;
    }
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (rest >= units[i]) {
        out.append(rest / units[i]).append(names[i]);
        rest %= units[i];
      }
    }
    return out.toString();
  }

  /** Formats a duration. */
  public static String of(java.time.Duration duration) {
    return millis(duration.toMillis());
  }
}
