package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
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
}
