package dev.tributary.local.testing;

import dev.tributary.local.process.LocalProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A child process started by a test and stopped by its pid (its descendants too), also when the
 * test fails or the JVM exits first. Output goes to a temporary log file. A thin test-side face of
 * {@link LocalProcess}, which does the work (and also runs the local stack's own node tools).
 */
public final class ChildProcess implements AutoCloseable {
  private final LocalProcess process;

  private ChildProcess(LocalProcess process) {
    this.process = process;
  }

  /**
   * Starts {@code command} in {@code workingDir} and waits until {@code port} accepts connections.
   */
  public static ChildProcess start(
      String name,
      List<String> command,
      Path workingDir,
      Map<String, String> environment,
      int port,
      Duration startTimeout)
      throws IOException {
    try {
      return new ChildProcess(
          LocalProcess.start(
              name, command, workingDir, environment, () -> accepts(port), startTimeout));
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** A free port on 127.0.0.1. */
  public static int freePort() throws IOException {
    return LocalProcess.freePort();
  }

  /** Stops the process and its descendants by pid: TERM, then KILL after 5 s. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return process.toString();
  }
}
