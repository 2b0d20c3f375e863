package dev.tributary.local.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * dynalite (npm, Apache-2.0), the conformance reference for the non-transactional operations, run
 * as a child process from the project-local {@code .tools/node} directory that {@code
 * scripts/install-tools.sh} fills during the build.
 */
public final class Dynalite implements AutoCloseable {
  private final ChildProcess process;
  private final int port;

  private Dynalite(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The project root (where .tools lives). */
  public static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/install-tools.sh"))) {
      dir = dir.getParent();
    }
    return dir == null ? Path.of("").toAbsolutePath() : dir;
  }

  /**
   * Starts dynalite on a free port, or skips the calling test with the reason when node or the
   * package is missing.
   */
  public static Dynalite startOrSkip() throws IOException {
    Path cli = projectRoot().resolve(".tools/node/node_modules/dynalite/cli.js");
    Assumptions.assumeTrue(
        Files.exists(cli),
        "dynalite is not installed at "
            + cli
            + " (npm missing?); run scripts/install-tools.sh to enable the conformance tests");
    Assumptions.assumeTrue(
        which("node"), "node is not on the PATH; the dynalite conformance tests need Node.js 20+");
    int port = ChildProcess.freePort();
    ChildProcess process =
        ChildProcess.start(
            "dynalite",
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
                "0"),
            cli.getParent(),
            Map.of(),
            port,
            Duration.ofSeconds(20));
    return new Dynalite(process, port);
  }

  private static boolean which(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** The endpoint. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The child process. */
  public ChildProcess process() {
    return process;
  }

  /** Stops dynalite by its pid. */
  @Override
  public void close() {
    process.close();
  }
}
