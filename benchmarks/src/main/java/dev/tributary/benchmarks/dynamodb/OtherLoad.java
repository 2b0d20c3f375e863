package dev.tributary.benchmarks.dynamodb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many cores processes other than the benchmark (this JVM and dynalite) kept busy, from Linux's
 * {@code /proc}: a figure that says whether a measurement on a shared machine can be trusted. NaN
 * where {@code /proc} is not there.
 */
final class OtherLoad {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ on every Linux the project runs on

  private final long[] pids;
  private long busyTicks;
  private long ownTicks;
  private long nanos;

  private OtherLoad(long[] pids) {
    this.pids = pids;
  }

  /** Starts watching; {@code pids} are the benchmark's own processes. */
  static OtherLoad start(long... pids) {
    OtherLoad load = new OtherLoad(pids);
    load.reset();
    return load;
  }

  /** Starts a new interval. */
  void reset() {
    busyTicks = machineBusyTicks();
    ownTicks = ownTicks();
    nanos = System.nanoTime();
  }

  /** Cores other processes kept busy since the last {@link #reset()}; NaN if unknown. */
  double cores() {
    long busy = machineBusyTicks();
    long own = ownTicks();
    if (busy < 0 || own < 0 || busyTicks < 0 || ownTicks < 0) {
      return Double.NaN;
    }
    double seconds = (System.nanoTime() - nanos) / 1e9;
    double others = ((busy - busyTicks) - (own - ownTicks)) / TICKS_PER_SECOND / seconds;
    return Math.max(0, others);
  }

  private static long machineBusyTicks() {
    try {
      // cpu user nice system idle iowait irq softirq steal ...
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private long ownTicks() {
    long sum = processTicks(ProcessHandle.current().pid());
    for (long pid : pids) {
      long t = processTicks(pid);
      if (t < 0 || sum < 0) {
        return -1;
      }
      sum += t;
    }
    return sum;
  }

  private static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // the command name may hold spaces; the fields after it start with the state (field 3)
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
