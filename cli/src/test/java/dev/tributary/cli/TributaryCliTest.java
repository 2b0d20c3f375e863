package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's option parsing (nothing here starts a stack). */
class TributaryCliTest {
  private static CommandLine cli(StringWriter err) {
    return TributaryCli.commandLine().setErr(new PrintWriter(err, true));
  }

  @Test
  void kafkaPollersTakeANumberOrARange() {
    CommandLine cli = cli(new StringWriter());
    cli.parseArgs("run", "--kafka-pollers", "2");
    TributaryCli.Run fixed = cli.getSubcommands().get("run").getCommand();
    assertThat(fixed.pollers()).containsExactly(2, 2);

    cli = cli(new StringWriter());
    cli.parseArgs("run", "--kafka-pollers", "1-4");
    TributaryCli.Run range = cli.getSubcommands().get("run").getCommand();
    assertThat(range.pollers()).containsExactly(1, 4);
  }

  @Test
  void aMalformedPollerCountIsAUsageErrorNamingTheOption() {
    StringWriter err = new StringWriter();
    int exit = cli(err).execute("run", "--kafka-pollers", "two");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("--kafka-pollers is 'two'")
        .contains("a range to scale in (e.g. 1-4)");
  }

  /** Each bad value is refused before anything starts: exit 2, naming the option and the limit. */
  @Test
  void valuesOutsideTheirLimitsAreUsageErrorsNamingTheOption() {
    String[][] cases = {
      {"--shards 0", "--shards is 0; it must be 1 to 50 shards (kinesis-local)"},
      {"--shards 51", "--shards is 51; it must be 1 to 50 shards (kinesis-local)"},
      {"--source kafka --shards 65", "--shards is 65; it must be 1 to 64 partitions"},
      {"--slots 0", "--slots is 0; it must be 1 to 128"},
      {"--batch-size 100000", "--batch-size is 100000; it must be 1 to 10000"},
      {"--parallelization-factor 11", "--parallelization-factor is 11; it must be 1 to 10"},
      {
        "--source kafka --parallelization-factor 2",
        "--parallelization-factor is 2; it must be 1 with --source kafka"
      },
      {"--events 0", "--events is 0; it must be at least 1 click"},
      {"--users 0", "--users is 0; it must be 1 to 1,000,000 users"},
      {"--users 2000000000", "--users is 2000000000; it must be 1 to 1,000,000 users"},
      {"--zipf -1", "--zipf is -1.0; it must be 0 (uniform) or above"},
      {"--fan-out foo", "--fan-out is foo; it must be one of lambda, in-process, auto"},
      {"--source kafka --kafka-pollers 0", "--kafka-pollers is 0; it must be 1 to 200 pollers"},
      {"--source kafka --kafka-pollers 201", "--kafka-pollers is 201; it must be 1 to 200"},
      {"--source kafka --kafka-pollers 3-1", "--kafka-pollers is 3-1; it must be"},
      {"--kafka-pollers 2", "--kafka-pollers is 2; it must be left out with --source kinesis"},
      {
        "--kafka-scaling-interval PT2S",
        "--kafka-scaling-interval is PT2S; it must be left out with --source kinesis"
      },
      {"--timeout PT0S", "--timeout is PT0S; it must be positive"},
      {"--timeout 0s", "--timeout is PT0S; it must be positive"},
      {"--timeout 5x", "'5x' is not a duration; write it as a number and a unit (500ms, 90s, 5m"},
      {"--idle-timeout PT0S", "--idle-timeout is PT0S; it must be positive"},
    };
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      String[] args = ("run " + c[0]).split(" ");
      int exit = cli(err).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
      assertThat(exit).as(c[0]).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(err.toString()).as(c[0]).contains(c[1]);
    }
  }

  /**
   * The first run in a data directory records its workload; a second one with the same options
   * resumes it, and one with other options is refused, naming them.
   */
  @Test
  void aKeptRunIsResumedWithTheSameWorkloadOptionsOnly(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    assertThat(run("run", "--data-dir", data.toString(), "--events", "500").keepOrResume())
        .as("a new directory: nothing to resume")
        .isFalse();
    assertThat(Files.readString(data.resolve(TributaryCli.Run.KEPT_RUN)))
        .contains("--events=500")
        .contains("--source=kinesis");
    assertThat(
            run("run", "--data-dir", data.toString(), "--events", "500", "--batch-size", "100")
                .keepOrResume())
        .as("the same workload (the batch size may change)")
        .isTrue();

    TributaryCli.Run other = run("run", "--data-dir", data.toString(), "--events", "600");
    assertThatThrownBy(other::keepOrResume)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("holds a run started with --events 500 (this run: 600)")
        .hasMessageContaining("give the same options to resume it, or use another --data-dir");
  }

  @Test
  void aDataDirThatIsAFileIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThatThrownBy(run("run", "--data-dir", file.toString())::keepOrResume)
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--data-dir " + file + " is a file; give a directory");
  }

  @Test
  void aDirectoryWithDataButNoRecordedRunIsResumed(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("dynamodb"));
    assertThat(run("run", "--data-dir", dir.toString()).keepOrResume()).isTrue();
    assertThat(dir.resolve(TributaryCli.Run.KEPT_RUN)).exists();
  }

  /** A bad option prints its message and where the options are, not 60 lines of usage. */
  @Test
  void aBadOptionPrintsItsMessageAndWhereToLookNotTheWholeUsage() {
    StringWriter err = new StringWriter();
    int exit = cli(err).execute("run", "--events", "abc");
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("Invalid value for option '--events': 'abc' is not a long")
        .contains("Run with --help for every option and its limits")
        .doesNotContain("--kafka-scaling-interval");
  }

  @Test
  void durationsTakeAUnitOrIso8601() {
    assertThat(TributaryCli.duration("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(TributaryCli.duration("90s")).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(TributaryCli.duration("5m")).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(TributaryCli.duration("2h")).isEqualTo(java.time.Duration.ofHours(2));
    assertThat(TributaryCli.duration("PT15M")).isEqualTo(java.time.Duration.ofMinutes(15));
  }

  @Test
  void versionNamesTheBuildAndTheJava() {
    StringWriter out = new StringWriter();
    CommandLine cli = TributaryCli.commandLine().setOut(new PrintWriter(out, true));
    assertThat(cli.execute("run", "--version")).isZero();
    assertThat(out.toString()).containsPattern("Tributary \\d+\\.\\d+").contains("Java ");
  }

  /**
   * Without kinesis-local (no Node.js, or not installed), the default source is refused before
   * anything starts, pointing at --source kafka (found in review: a stack trace after the build).
   */
  @Test
  void kinesisWithoutKinesisLocalIsAUsageErrorPointingAtKafka(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    int exit = cli(err).execute("run", "--tools-dir", dir.resolve("none").toString());
    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("--source is kinesis (the default); it must be a source this machine can run")
        .contains("or use --source kafka, which needs no Node.js");
  }

  /** Paths that cannot be written are usage errors too (found in review: stack traces). */
  @Test
  void unwritablePathsAreUsageErrors(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    String[][] cases = {
      {"--log " + dir, "--log is " + dir + "; it must be a file, not a directory"},
      {"--log " + file.resolve("x.log"), "--log is " + file + "; it must be somewhere this user"},
      {"--data-dir " + file.resolve("d"), "--data-dir is " + file.resolve("d") + "; it must be"},
    };
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      String[] args = ("run --source kafka " + c[0]).split(" ");
      assertThat(cli(err).execute(args)).as(c[0]).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(err.toString()).as(c[0]).contains(c[1]);
    }
  }

  /** Relative paths given on the command line are the caller's, the defaults the repository's. */
  @Test
  void relativePathsGivenAreResolvedAgainstTheCallersDirectory() {
    TributaryCli.Run given = run("run", "--data-dir", "kept", "--log", "my.log");
    given.resolvePaths("/home/me/work");
    assertThat(given.dataDir).isEqualTo(Path.of("/home/me/work/kept"));
    assertThat(given.log).isEqualTo(Path.of("/home/me/work/my.log"));
    assertThat(given.toolsDir).isEqualTo(Path.of(".tools"));

    TributaryCli.Run absolute = run("run", "--data-dir", "/data/kept");
    absolute.resolvePaths("/home/me/work");
    assertThat(absolute.dataDir).isEqualTo(Path.of("/data/kept"));
    assertThat(absolute.log).isEqualTo(Path.of("target/tributary-local.log"));
  }

  /** A kept run's directory is locked, so that two runs cannot write the same tables. */
  @Test
  void aDataDirIsLockedWhileARunUsesIt(@TempDir Path dir) {
    Path data = dir.resolve("data");
    run("run", "--data-dir", data.toString()).keepOrResume();
    assertThat(data.resolve(".lock")).exists();
    // this process holds the lock: a second look from it goes on
    assertThat(run("run", "--data-dir", data.toString()).keepOrResume()).isTrue();
  }

  private static TributaryCli.Run run(String... args) {
    CommandLine cli = cli(new StringWriter()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.parseArgs(args);
    return cli.getSubcommands().get("run").getCommand();
  }
}
