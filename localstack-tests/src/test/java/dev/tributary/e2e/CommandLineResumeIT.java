package dev.tributary.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's command ({@code tributary run}) as a user runs it, in its own process: stopped with
 * Ctrl-C while it produces, then run again with the same {@code --data-dir}, which resumes it and
 * checks the whole workload exactly once. Ctrl-C is a SIGINT to the command's whole process group,
 * as a terminal sends it, so kinesis-local (a child in that group) gets it too.
 */
class CommandLineResumeIT {
  private static final Duration RUN_LIMIT = Duration.ofMinutes(5);

  @Test
  void aRunStoppedWithCtrlCResumesWithTheSameCommandAndCountsEveryClickOnce(@TempDir Path dir)
      throws Exception {
    E2e.assumeKinesisLocal();
    assumeTrue(
        onPath("setsid"),
        "setsid (util-linux) is not installed: this test needs it to send Ctrl-C to a process"
            + " group of its own");
    assumeTrue(
        !sigintIgnored() || onPath("perl"),
        "this test runs with SIGINT ignored (started in the background) and needs perl to give"
            + " the command a terminal's SIGINT disposition");
    Path data = dir.resolve("data");
    List<String> command =
        List.of(
            "run",
            "--events",
            "12000",
            "--data-dir",
            data.toString(),
            "--tools-dir",
            E2e.TOOLS.toString(),
            "--log",
            dir.resolve("functions.log").toString());

    // first run: Ctrl-C once a few thousand clicks are in the stream
    Path firstOut = dir.resolve("first.txt");
    Process first = start(command, firstOut);
    List<ProcessHandle> children = new ArrayList<>();
    try {
      awaitProduced(first, firstOut, 3_000, Duration.ofMinutes(2));
      children.addAll(first.descendants().toList());
      assertThat(children).as("kinesis-local runs as a child").isNotEmpty();
      interruptGroup(first);
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
      String out = Files.readString(firstOut);
      assertThat(first.exitValue()).as(out).isEqualTo(130);
      assertThat(out)
          .contains("Interrupted: stopping the producer and the local stack...")
          .contains("Local stack stopped; nothing was checked. Run the same command again");
      assertThat(children).as("no child left after Ctrl-C").noneMatch(ProcessHandle::isAlive);
    } finally {
      kill(first);
    }

    // the same command again: resumes, produces only the rest, checks everything
    Path secondOut = dir.resolve("second.txt");
    Process second = start(command, secondOut);
    try {
      assertThat(second.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(secondOut);
      assertThat(second.exitValue()).as(out).isZero();
      assertThat(out)
          .containsPattern("Resuming the run kept in .*: the stream holds [0-9,]+ of the 12,000")
          .contains(": OK (exactly once)")
          .contains("Local stack stopped.");
      assertThat(held(out)).as("the first run got some clicks into the stream").isPositive();
    } finally {
      kill(second);
    }

    // another workload in the same directory is refused before anything starts
    Path thirdOut = dir.resolve("third.txt");
    List<String> other = new ArrayList<>(command);
    other.set(2, "13000");
    Process third = start(other, thirdOut);
    try {
      assertThat(third.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(third.exitValue()).isEqualTo(2);
      assertThat(Files.readString(thirdOut))
          .contains("holds a run started with --events 12000 (this run: 13000)");
    } finally {
      kill(third);
    }
  }

  /**
   * Whether this process ignores SIGINT, as everything started in the background by a
   * non-interactive shell does (a CI runner's, say); its children inherit that, and a JVM that
   * starts with SIGINT ignored never runs its shutdown hooks on it.
   */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0; // SIGINT = 2
      }
    }
    return false;
  }

  /** {@code tributary <args>} in a session of its own, output (both streams) to {@code out}. */
  private static Process start(List<String> args, Path out) throws IOException {
    List<String> command = new ArrayList<>();
    if (sigintIgnored()) {
      // give the command the SIGINT disposition a terminal's shell gives it
      command.addAll(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!", "--"));
    }
    command.add("setsid");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.tributary.cli.TributaryCli");
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .start();
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    return path != null
        && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
  }

  /** A terminal's Ctrl-C: SIGINT to every process of the group (setsid made it the leader). */
  private static void interruptGroup(Process leader) throws Exception {
    Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + leader.pid()).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -INT -%s", leader.pid()).isZero();
  }

  /**
   * Waits until a progress line shows at least {@code clicks} produced (the lines come every
   * second, so the count seen may be any number past it: one CI run jumped from 2,501 to 4,001).
   */
  private static void awaitProduced(Process p, Path out, long clicks, Duration limit)
      throws Exception {
    java.util.regex.Pattern produced = java.util.regex.Pattern.compile("produced ([0-9,]+) ");
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      String now = Files.readString(out, StandardCharsets.UTF_8);
      java.util.regex.Matcher m = produced.matcher(now);
      while (m.find()) {
        if (Long.parseLong(m.group(1).replace(",", "")) >= clicks) {
          return;
        }
      }
      assertThat(p.isAlive()).as("the command ended early:%n%s", now).isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError(
        "not " + clicks + " clicks produced within " + limit + ":\n" + Files.readString(out));
  }

  /** How many clicks the resumed run found in the stream. */
  private static long held(String out) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("the stream holds ([0-9,]+) of").matcher(out);
    return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
  }

  /** Stops a command and its children by pid if a check failed before they ended. */
  private static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.add(p.toHandle());
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : tree) {
      h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).join();
    }
  }
}
