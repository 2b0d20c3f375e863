package dev.tributary.local.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A child process of the local stack (a Node.js tool such as kinesis-local or dynalite), started in
 * a given working directory with its output in a log file, and stopped by its pid together with its
 * descendants: TERM, then KILL after a grace period, waiting until every one of them is gone.
 *
 * <p>A shutdown hook stops the process if the JVM exits (normally, by Ctrl-C or by SIGTERM) before
 * {@link #close()} was called, so an interrupted test run or a failed start leaves nothing behind.
 * Only a SIGKILL of the JVM itself can orphan the process.
 */
public final class LocalProcess implements AutoCloseable {
  /** How long {@link #close()} waits after TERM before it sends KILL. */
  public static final Duration GRACE = Duration.ofSeconds(5);

  private static final long POLL_MILLIS = 50;

  private final String name;
  private final Process process;
  private final Path log;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Duration ownerGrace = Duration.ZERO;

  private LocalProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.shutdownHook =
        new Thread(
            () -> {
              awaitClosedByOwner();
              stop(Duration.ofSeconds(2));
            },
            name + "-stop");
  }

  /**
   * At JVM exit, lets the owner close the process first: the shutdown hook waits up to {@code
   * grace} for {@link #close()} before it stops the process. For an owner whose own shutdown hook
   * still needs the process while it stops (e.g. to let it write its data out); hooks run
   * concurrently, in no set order.
   */
  public void awaitOwnerOnExit(Duration grace) {
    this.ownerGrace = Objects.requireNonNull(grace, "grace");
  }

  private void awaitClosedByOwner() {
    long deadline = System.nanoTime() + ownerGrace.toNanos();
    while (!closed.get() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Starts {@code command} in {@code workingDir} with {@code environment} added to this JVM's
   * environment (a {@code null} value removes a variable), and waits until {@code ready} answers
   * true (polled every 50 ms).
   *
   * @throws IllegalArgumentException if the working directory does not exist
   * @throws IllegalStateException if the process cannot be started, exits before it is ready, or is
   *     not ready within {@code startTimeout}; the message holds the process output. The process is
   *     stopped before the exception is thrown.
   */
  public static LocalProcess start(
      String name,
      List<String> command,
      Path workingDir,
      Map<String, String> environment,
      BooleanSupplier ready,
      Duration startTimeout) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ready, "ready");
    if (!Files.isDirectory(workingDir)) {
      throw new IllegalArgumentException(
          "the working directory of "
              + name
              + " does not exist: "
              + workingDir
              + "; pass an existing directory");
    }
    Path log;
    Process process;
    try {
      log = Files.createTempFile("tributary-" + name + "-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workingDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      environment.forEach(
          (key, value) -> {
            if (value == null) {
              builder.environment().remove(key);
            } else {
              builder.environment().put(key, value);
            }
          });
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start " + name + " (" + String.join(" ", command) + ") in " + workingDir, e);
    }
    LocalProcess child = new LocalProcess(name, process, log);
    try {
      Runtime.getRuntime().addShutdownHook(child.shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      child.stop(Duration.ZERO);
      try {
        Files.deleteIfExists(log); // it never ran: nothing to read in it
      } catch (IOException ignored) {
        // a temporary file left behind
      }
      throw new IllegalStateException("the JVM is shutting down; " + name + " was not started");
    }
    child.awaitReady(ready, startTimeout);
    return child;
  }

  private void awaitReady(BooleanSupplier ready, Duration startTimeout) {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    try {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              name
                  + " (pid "
                  + pid()
                  + ") exited with code "
                  + process.exitValue()
                  + " before it was ready; its output ("
                  + log
                  + "):\n"
                  + output());
        }
        if (ready.getAsBoolean()) {
          return;
        }
        if (System.nanoTime() >= deadline) {
          throw new IllegalStateException(
              name
                  + " (pid "
                  + pid()
                  + ") was not ready within "
                  + startTimeout
                  + "; raise the start timeout if the machine is slow. Its output ("
                  + log
                  + "):\n"
                  + output());
        }
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name + " to start", e);
    } catch (RuntimeException e) {
      close();
      throw e;
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

  /** The file with the process's standard output and error. */
  public Path log() {
    return log;
  }

  /** The process output so far (its last 16 KB), for error messages. */
  public String output() {
    try {
      byte[] bytes = Files.readAllBytes(log);
      int from = Math.max(0, bytes.length - 16 * 1024);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Stops the process and its descendants by pid (TERM, then KILL after {@link #GRACE}) and waits
   * until they are gone. Idempotent. If the calling thread is interrupted, the process is still
   * stopped (at once with KILL) and the interrupt flag is kept.
   */
  @Override
  public void close() {
    close(GRACE);
  }

  /**
   * Like {@link #close()} with another grace period between TERM and KILL: a short one for a tool
   * that keeps nothing worth a graceful stop, or whose graceful stop waits for idle keep-alive
   * connections (kinesis-mock's HTTP server waits up to 30 s for them).
   */
  public void close(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (closed.compareAndSet(false, true)) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) anyway
      }
    }
    stop(grace);
  }

  private void stop(Duration grace) {
    ProcessHandle handle = process.toHandle();
    List<ProcessHandle> tree = new ArrayList<>(handle.descendants().toList());
    tree.add(0, handle);
    boolean interrupted = Thread.interrupted();
    if (!interrupted) {
      tree.forEach(ProcessHandle::destroy);
      interrupted = !awaitExit(tree, grace);
    }
    if (tree.stream().anyMatch(ProcessHandle::isAlive)) {
      tree.forEach(ProcessHandle::destroyForcibly);
      awaitExitUninterruptibly(tree, Duration.ofSeconds(10));
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (tree.stream().anyMatch(ProcessHandle::isAlive)) {
      throw new IllegalStateException(
          name
              + " (pid "
              + pid()
              + ") is still running after KILL; stop it by hand: kill -9 "
              + pid());
    }
  }

  /** Waits until all have exited or {@code timeout} passed; false if interrupted. */
  private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle p : processes) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      try {
        p.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        return false;
      } catch (ExecutionException | TimeoutException e) {
        return true;
      }
    }
    return true;
  }

  private static void awaitExitUninterruptibly(List<ProcessHandle> processes, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    while (System.nanoTime() < deadline && processes.stream().anyMatch(ProcessHandle::isAlive)) {
      if (!awaitExit(processes, Duration.ofNanos(deadline - System.nanoTime()))) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A free TCP port on 127.0.0.1 (free when asked; another process may take it before use). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
    }
  }

  /** The executable {@code command} on the PATH, if there is one. */
  public static Optional<Path> onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return Optional.of(Path.of(dir, command));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return name + "(pid " + pid() + ")";
  }
}
