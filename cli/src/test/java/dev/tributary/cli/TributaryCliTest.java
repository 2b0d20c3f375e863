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
    return new CommandLine(new TributaryCli()).setErr(new PrintWriter(err, true));
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
      {"--users 0", "--users is 0; it must be at least 1 user"},
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

  private static TributaryCli.Run run(String... args) {
    CommandLine cli = cli(new StringWriter()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.parseArgs(args);
    return cli.getSubcommands().get("run").getCommand();
  }
}
