package dev.tributary.benchmarks.dynamodb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dynalite (npm) as a child process on 127.0.0.1, in memory, stopped by its pid (and its
 * descendants') on {@link #close()} and by a shutdown hook if the JVM exits first, so that a failed
 * or interrupted benchmark leaves no node process behind.
 */
final class DynaliteProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;
  private final Thread shutdownHook;

  private DynaliteProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.shutdownHook = new Thread(this::stop, "dynalite-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code node cli.js} from the dynalite package directory on a free port and waits until
   * the port accepts connections.
   */
  static DynaliteProcess start(Path packageDir, Duration startTimeout) throws IOException {
    Path cli = packageDir.resolve("cli.js");
    if (!Files.isRegularFile(cli)) {
      throw new IllegalStateException(
          "dynalite is not installed: "
              + cli
              + " does not exist. Run scripts/install-tools.sh (needs npm), or pass --dynalite"
              + " <package dir>.");
    }
    int port = freePort();
    Path log = Files.createTempFile("tributary-dynalite-", ".log");
    Process process =
        new ProcessBuilder(
                List.of(
                    "node",
                    cli.toString(),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    String.valueOf(port),
                    "--createTableMs",
                    "0",
                    "--deleteTableMs",
                    "0",
                    "--updateTableMs",
                    "0"))
            .directory(packageDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    DynaliteProcess dynalite = new DynaliteProcess(process, port, log);
    try {
      dynalite.awaitPort(startTimeout);
      return dynalite;
    } catch (IOException | RuntimeException e) {
      dynalite.close();
      throw e;
    }
  }

  /** The dynalite version in the package's package.json, or "unknown". */
  static String version(Path packageDir) {
    try {
      String json = Files.readString(packageDir.resolve("package.json"), StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
      return m.find() ? m.group(1) : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private void awaitPort(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "dynalite exited with "
                + process.exitValue()
                + " before opening port "
                + port
                + " (is node 20+ on the PATH?); its output ("
                + log
                + "):\n"
                + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for dynalite to start", e);
        }
      }
    }
    throw new IOException(
        "dynalite did not open port " + port + " within " + timeout + "; see " + log);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1 for dynalite", e);
    }
  }

  /** The endpoint URL. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The process id. */
  long pid() {
    return process.pid();
  }

  /** Stops dynalite by its pid: TERM to it and its descendants, KILL after 5 s. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) anyway
    }
  }

  private void stop() {
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
      descendants.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }
}
