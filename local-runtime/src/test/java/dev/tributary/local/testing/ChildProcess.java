package dev.tributary.local.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process started by a test and stopped by its pid (its descendants too), also when the
 * test fails. Output goes to a log file next to the test's working directory.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final String name;

  private ChildProcess(String name, Process process) {
    this.name = name;
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
    Path log = Files.createTempFile("tributary-" + name + "-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workingDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    ChildProcess child = new ChildProcess(name, builder.start());
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!child.process.isAlive()) {
        throw new IOException(
            name
                + " exited with "
                + child.process.exitValue()
                + "; see "
                + log
                + ":\n"
                + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return child;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    child.close();
    throw new IOException(
        name + " did not open port " + port + " within " + startTimeout + "; see " + log);
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
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the process and its descendants by pid: TERM, then KILL after 5 s. */
  @Override
  public void close() {
    ProcessHandle handle = process.toHandle();
    List<ProcessHandle> descendants = handle.descendants().toList();
    handle.destroy();
    descendants.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        handle.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      handle.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + "(pid " + pid() + ")";
  }
}
