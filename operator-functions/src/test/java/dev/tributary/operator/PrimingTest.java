package dev.tributary.operator;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tributary.JobGraph;
import org.junit.jupiter.api.Test;

class PrimingTest {
  @Test
  void primingRunsWithoutExternalServicesAndRegistersOutsideCrac() {
    JobGraph graph = JobGraph.of(new Totals());
    assertThatCode(() -> Priming.prime(graph)).doesNotThrowAnyException();
    assertThatCode(() -> Priming.register(graph)).doesNotThrowAnyException();
  }
}
