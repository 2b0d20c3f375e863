package dev.tributary.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The heap timer queue against a plain list model under random adds, removes and polls. */
class HeapTimerQueueTest {
  record Op(int kind, long ts, int key) {}

  @Property(tries = 300)
  void behavesLikeASortedSetOrderedByTimestampThenRegistration(@ForAll("ops") List<Op> ops) {
    HeapTimerQueue queue = new HeapTimerQueue();
    Map<Timer, Long> model = new LinkedHashMap<>(); // timer -> registration sequence
    long sequence = 0;
    for (Op op : ops) {
      Timer timer = new Timer(op.ts(), "k" + op.key(), StateNamespace.VOID);
      switch (op.kind()) {
        case 0, 1 -> {
          boolean added = queue.add(timer);
          assertThat(added).isEqualTo(!model.containsKey(timer));
          model.putIfAbsent(timer, sequence++);
        }
        case 2 -> assertThat(queue.remove(timer)).isEqualTo(model.remove(timer) != null);
        default -> {
          Timer expected = earliest(model);
          assertThat(queue.peek()).isEqualTo(expected);
          assertThat(queue.poll()).isEqualTo(expected);
          if (expected != null) {
            model.remove(expected);
          }
        }
      }
      assertThat(queue.size()).isEqualTo(model.size());
    }
    List<Timer> drained = new ArrayList<>();
    for (Timer t; (t = queue.poll()) != null; ) {
      drained.add(t);
    }
    List<Timer> expected = new ArrayList<>(model.keySet());
    expected.sort(Comparator.<Timer>comparingLong(Timer::timestamp).thenComparing(model::get));
    assertThat(drained).isEqualTo(expected);
  }

  private static Timer earliest(Map<Timer, Long> model) {
    return model.keySet().stream()
        .min(Comparator.<Timer>comparingLong(Timer::timestamp).thenComparing(model::get))
        .orElse(null);
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 3),
            Arbitraries.longs().between(0, 20),
            Arbitraries.integers().between(0, 3))
        .as(Op::new)
        .list()
        .ofMaxSize(200);
  }
}
