package dev.tributary.local.kafka;

import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.LoggerFactory;

/**
 * While at least one {@link KafkaLocal} runs, Kafka's calls to exit or halt the JVM (its answer to
 * a fatal broker error) throw instead, after logging, so that an embedded broker never ends the
 * caller's JVM; the defaults return when the last one closes.
 */
final class ExitGuard {
  private static int running;

  private ExitGuard() {}

  static synchronized void acquire() {
    if (running++ == 0) {
      Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
      Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
    }
  }

  static synchronized void release() {
    if (running > 0 && --running == 0) {
      Exit.resetExitProcedure();
      Exit.resetHaltProcedure();
    }
  }

  private static void refuse(String what, int status, String message) {
    String text =
        "the embedded Kafka asked to "
            + what
            + " the JVM with status "
            + status
            + (message == null ? "" : " (" + message + ")")
            + "; refused: close this KafkaLocal and start a new one";
    LoggerFactory.getLogger(KafkaLocal.class).error(text);
    throw new IllegalStateException(text);
  }
}
