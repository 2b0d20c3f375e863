package dev.tributary.differential;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

/**
 * Tributary's window operator against Flink's on the same input: random keys, out-of-order
 * timestamps within and beyond the bound, random window kinds, sizes and lateness. Results, their
 * timestamps and the late side output must be equal as multisets.
 */
class WindowDifferentialTest {

  @Property(tries = 150, shrinking = ShrinkingMode.BOUNDED)
  void sameResultsAsFlink(@ForAll("cases") WindowCase c) {
    assertSameAsFlink(c);
  }

  @Test
  void lateFiringWithinAllowedLatenessAndLateSideOutput() {
    List<Ev> events =
        List.of(
            new Ev("a", 5, 1),
            new Ev("a", 12, 2),
            new Ev("a", 30, 3), // watermark 29: window [0,10) fired
            new Ev("a", 7, 4), // late, within lateness 25: fires [0,10) again
            new Ev("b", 2, 5), // late for b's window too, within lateness
            new Ev("a", 60, 6), // watermark 59: cleanup of [0,10) at 34
            new Ev("a", 8, 7)); // too late: side output
    for (WindowCase.Function function : WindowCase.Function.values()) {
      assertSameAsFlink(
          new WindowCase(events, 0, WindowCase.Kind.TUMBLING, 10, 0, 0, 25, function, true));
    }
  }

  @Test
  void watermarkExactlyAtWindowEndAndCleanupTime() {
    List<Ev> events =
        List.of(
            new Ev("a", 1000, 1),
            new Ev("a", 1010, 2), // watermark 1009 = max timestamp of [1000,1010): fires
            new Ev("a", 1009, 3), // within lateness: fires again
            new Ev("a", 1030, 4), // watermark 1029 = cleanup time of [1000,1010)
            new Ev("a", 1009, 5), // exactly as late as the lateness allows: side output
            new Ev("a", 1029, 6)); // last millisecond of [1020,1030), not late
    for (WindowCase.Function function : WindowCase.Function.values()) {
      assertSameAsFlink(
          new WindowCase(events, 0, WindowCase.Kind.TUMBLING, 10, 0, 0, 20, function, true));
    }
  }

  @Test
  void sessionsMergeAcrossLateElements() {
    List<Ev> events =
        List.of(
            new Ev("a", 0, 1),
            new Ev("a", 20, 2),
            new Ev("a", 40, 3),
            new Ev("a", 10, 4), // bridges [0,10) and [20,30) once merged with gap 10
            new Ev("a", 100, 5),
            new Ev("a", 31, 6)); // late, merges into a closed session within lateness
    for (WindowCase.Function function : WindowCase.Function.values()) {
      assertSameAsFlink(
          new WindowCase(events, 15, WindowCase.Kind.SESSION, 0, 0, 10, 50, function, true));
    }
  }

  private static void assertSameAsFlink(WindowCase c) {
    Map<String, List<String>> flink = FlinkWindowJobs.run(c);
    Map<String, List<String>> tributary = TributaryWindowJobs.run(c);
    assertThat(tributary.keySet()).as("outputs of %s", c).isEqualTo(flink.keySet());
    for (String output : flink.keySet()) {
      assertThat(tributary.get(output))
          .as("output '%s' of %s", output, c)
          .containsExactlyInAnyOrderElementsOf(flink.get(output));
    }
  }

  /**
   * Random cases. Timestamps, sizes, bounds and lateness are drawn on a grid (1, 5 or 10 ms) so
   * that watermarks often land exactly on window ends and cleanup times, where off-by-one errors
   * live.
   */
  @Provide
  Arbitrary<WindowCase> cases() {
    return Arbitraries.of(1L, 5L, 10L).flatMap(this::cases);
  }

  private Arbitrary<WindowCase> cases(long grid) {
    Arbitrary<List<Ev>> events =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(-12, 8),
                Arbitraries.longs().between(1, 100),
                Arbitraries.integers().between(0, 3))
            .as((k, d, v, lastMilli) -> new long[] {k, d, v, lastMilli == 0 ? 1 : 0})
            .list()
            .ofMinSize(1)
            .ofMaxSize(80)
            .map(
                steps -> {
                  List<Ev> out = new ArrayList<>();
                  long ts = 1_000;
                  for (long[] s : steps) {
                    ts = Math.max(0, ts + s[1] * grid);
                    // sometimes the last millisecond of a grid cell: a window's max timestamp
                    out.add(new Ev("k" + s[0], Math.max(0, ts - s[3]), s[2]));
                  }
                  return out;
                });
    Arbitrary<Long> bound = Arbitraries.longs().between(0, 10).map(b -> b * grid);
    Arbitrary<WindowCase.Kind> kind = Arbitraries.of(WindowCase.Kind.class);
    Arbitrary<Long> size = Arbitraries.longs().between(1, 20).map(s -> s * 5);
    Arbitrary<Long> slideDivisor = Arbitraries.longs().between(1, 4);
    Arbitrary<Long> gap = Arbitraries.longs().between(1, 12).map(g -> g * grid);
    Arbitrary<Long> lateness = Arbitraries.longs().between(0, 16).map(l -> l * grid);
    Arbitrary<WindowCase.Function> function = Arbitraries.of(WindowCase.Function.class);
    Arbitrary<Boolean> lateOutput = Arbitraries.of(true, false);
    return Combinators.combine(events, bound, kind, size, slideDivisor, gap, lateness, function)
        .flatAs(
            (ev, b, k, s, div, g, l, f) ->
                lateOutput.map(
                    lo -> new WindowCase(ev, b, k, s, Math.max(1, s / div), g, l, f, lo)));
  }
}
