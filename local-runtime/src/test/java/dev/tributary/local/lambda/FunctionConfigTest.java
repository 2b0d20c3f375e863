package dev.tributary.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The function settings' defaults, copies and the rejections that say what to do. */
class FunctionConfigTest {
  @Test
  void defaultsAreUnreservedWithLambdasLongestTimeout() {
    FunctionConfig config = FunctionConfig.defaults();

    assertThat(config.reservedConcurrency()).isEqualTo(FunctionConfig.UNRESERVED).isEqualTo(-1);
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(900));
    assertThat(config.withReservedConcurrency(0).withTimeout(Duration.ofMillis(250)))
        .isEqualTo(new FunctionConfig(0, Duration.ofMillis(250)));
  }

  @Test
  void aReservedConcurrencyBelowMinusOneIsRejected() {
    assertThatThrownBy(() -> FunctionConfig.defaults().withReservedConcurrency(-2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FunctionConfig.reservedConcurrency is -2")
        .hasMessageContaining("smallest allowed value -1")
        .hasMessageContaining("use -1 (FunctionConfig.UNRESERVED) for no limit");
  }

  @Test
  void aTimeoutOutsideLambdasRangeIsRejected() {
    assertThatThrownBy(() -> FunctionConfig.defaults().withTimeout(Duration.ofSeconds(901)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FunctionConfig.timeout is PT15M1S")
        .hasMessageContaining("at most 900 s");
    assertThatThrownBy(() -> FunctionConfig.defaults().withTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FunctionConfig.timeout is PT0S");
    assertThatThrownBy(() -> FunctionConfig.defaults().withTimeout(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FunctionConfig.timeout is null");
  }
}
