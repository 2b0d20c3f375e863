package dev.tributary.cli;

import dev.tributary.local.esm.MappingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code tributary} command. {@code tributary run} runs example 1 (click-window-sums) end to
 * end on the local stack: it starts DynamoDB, Kinesis (or Kafka), the local Lambda endpoint with
 * the coordinator and operator functions and the event source mapping emulator, produces the
 * clicks, shows progress, checks the committed window totals against the in-memory reference run,
 * prints a summary and stops everything it started, also on Ctrl-C and on failure.
 */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    description = "Tributary's command line.",
    subcommands = {TributaryCli.Run.class})
public final class TributaryCli implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /** The terminal: progress and the summary go here; the functions' logs go to a log file. */
  static final java.io.PrintStream CONSOLE = System.out;

  /**
   * Sends standard output (where the functions write their JSON logs and metric records, as in
   * Lambda) to {@code file}, keeping {@link #CONSOLE} for the user.
   */
  static void functionLogsTo(Path file) {
    try {
      java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
      System.setOut(
          new java.io.PrintStream(
              new java.io.FileOutputStream(file.toFile()),
              true,
              java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot write the functions' log " + file, e);
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(
        new CommandLine(new TributaryCli())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args));
  }

  /** Runs the example job end to end on the local stack. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Runs example 1 (click-window-sums) end to end on the local stack and checks the",
        "committed outputs against the in-memory reference run. Exit code 0 when they match."
      })
  public static final class Run implements Callable<Integer> {
    @Option(
        names = "--source",
        description =
            "kinesis (kinesis-local) or kafka (embedded broker); default ${DEFAULT-VALUE}")
    LocalStack.Source source = LocalStack.Source.KINESIS;

    @Option(
        names = "--events",
        description =
            "clicks to produce; default 100,000 on Kafka, 20,000 on Kinesis (kinesis-local slows"
                + " down as a stream fills)")
    Long events;

    @Option(names = "--users", description = "distinct users (keys); default ${DEFAULT-VALUE}")
    int users = 1_000;

    @Option(names = "--zipf", description = "Zipf exponent of user skew, 0 = uniform")
    double zipf = 0;

    @Option(names = "--seed", description = "the workload's random seed")
    long seed = 42;

    @Option(names = "--shards", description = "shards / partitions; default ${DEFAULT-VALUE}")
    int shards = 4;

    @Option(names = "--slots", description = "operator slots; default ${DEFAULT-VALUE}")
    int slots = 4;

    @Option(names = "--batch-size", description = "mapping batch size; default ${DEFAULT-VALUE}")
    int batchSize = 500;

    @Option(
        names = "--parallelization-factor",
        description = "concurrent batches per shard (Kinesis), 1-10; default ${DEFAULT-VALUE}")
    int parallelizationFactor = 1;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--kafka-pollers",
        description =
            "pollers of the Kafka mapping: N, or MIN-MAX to scale with the offset lag"
                + " (provisioned mode); default ${DEFAULT-VALUE}")
    String kafkaPollers = "1";

    @Option(
        names = "--kafka-scaling-interval",
        description =
            "how often a scaling Kafka mapping evaluates the lag (AWS: a minute); default"
                + " ${DEFAULT-VALUE}")
    Duration kafkaScalingInterval = Duration.ofMinutes(1);

    @Option(
        names = "--fan-out",
        description = "lambda, in-process or auto (TRIBUTARY_FAN_OUT); default ${DEFAULT-VALUE}")
    String fanOut = "lambda";

    @Option(
        names = "--idle-timeout",
        description =
            "a split without records this long leaves the watermark (TRIBUTARY_IDLE_TIMEOUT);"
                + " default ${DEFAULT-VALUE}")
    Duration idleTimeout = Duration.ofSeconds(5);

    @Option(names = "--timeout", description = "give up after (ISO-8601); default ${DEFAULT-VALUE}")
    Duration timeout = Duration.ofMinutes(15);

    @Option(
        names = "--data-dir",
        description = "keep the tables (and Kafka's log) here; default: a temporary directory")
    Path dataDir;

    @Option(
        names = "--tools-dir",
        description = "where scripts/install-tools.sh put kinesis-local; default ${DEFAULT-VALUE}")
    Path toolsDir = Path.of(".tools");

    @Option(
        names = "--embedded",
        description =
            "use the embedded local stack even when AWS_ENDPOINT_URL points at a LocalStack")
    boolean embedded;

    @Option(
        names = "--jar",
        description = "LocalStack mode: the job's shaded Lambda jar; default ${DEFAULT-VALUE}")
    Path jar = Path.of("examples-lambda/target/tributary-examples-lambda.jar");

    @Option(
        names = "--log",
        description = "the functions' JSON logs and metrics go here; default ${DEFAULT-VALUE}")
    Path log = Path.of("target/tributary-local.log");

    @Override
    public Integer call() {
      Instant commandStart = Instant.now();
      int[] pollers = pollers();
      functionLogsTo(log);
      CONSOLE.println("Function logs (JSON, as CloudWatch Logs would hold them): " + log);
      if (!embedded && System.getenv("AWS_ENDPOINT_URL") != null) {
        return callOnLocalStack(commandStart);
      }
      ClickWorkload workload =
          new ClickWorkload(events(), users, zipf, seed, 1_767_225_600_000L); // 2026-01-01
      CONSOLE.printf(
          Locale.ROOT,
          "Starting the local stack: DynamoDB, %s (%d %s), Lambda endpoint, event source"
              + " mapping...%n",
          source == LocalStack.Source.KINESIS ? "Kinesis (kinesis-local)" : "Kafka (KRaft broker)",
          shards,
          source == LocalStack.Source.KINESIS ? "shards" : "partitions");
      AtomicReference<LocalStack> running = new AtomicReference<>();
      Thread stopOnSignal =
          new Thread(
              () -> {
                LocalStack stack = running.getAndSet(null);
                if (stack != null) {
                  CONSOLE.println("Interrupted: stopping the local stack...");
                  stack.close();
                }
              },
              "tributary-stop");
      Runtime.getRuntime().addShutdownHook(stopOnSignal);
      try {
        LocalStack stack =
            LocalStack.builder()
                .source(source)
                .job(workload.job().getClass())
                .toolsDir(toolsDir)
                .dataDir(dataDir)
                .shards(shards)
                .kafkaPollers(pollers[0], pollers[1], kafkaScalingInterval)
                .slots(slots)
                .fanOut(fanOut)
                .idleTimeout(idleTimeout)
                .mapping(mapping())
                .start();
        running.set(stack);
        CONSOLE.printf(
            Locale.ROOT,
            "Local stack up in %d ms. Running %s: %s%n",
            stack.startupTime().toMillis(),
            stack.settings().graph().jobName(),
            workload.describe());
        JobRun.Result result =
            JobRun.of(stack, workload)
                .timeout(timeout)
                .commandStart(commandStart)
                .progress(CONSOLE::println)
                .run();
        print(result, stack);
        return result.ok() ? 0 : 1;
      } finally {
        LocalStack stack = running.getAndSet(null);
        if (stack != null) {
          stack.close();
          CONSOLE.println("Local stack stopped.");
        }
        try {
          Runtime.getRuntime().removeShutdownHook(stopOnSignal);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running already
        }
      }
    }

    /** {@code --kafka-pollers} as minimum and maximum. */
    int[] pollers() {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d{1,4})(?:-(\\d{1,4}))?").matcher(kafkaPollers);
      if (!m.matches()) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--kafka-pollers is '"
                + kafkaPollers
                + "'; give a number of pollers (e.g. 2) or a range to scale in (e.g. 1-4)");
      }
      int min = Integer.parseInt(m.group(1));
      return new int[] {min, m.group(2) == null ? min : Integer.parseInt(m.group(2))};
    }

    private long events() {
      return events != null ? events : source == LocalStack.Source.KAFKA ? 100_000 : 20_000;
    }

    private MappingSettings mapping() {
      return MappingSettings.defaults(LocalStack.COORDINATOR)
          .withBatchSize(batchSize)
          .withRetries(-1, false)
          .withParallelizationFactor(parallelizationFactor);
    }

    /** Deploys the job to the LocalStack at AWS_ENDPOINT_URL and runs the workload there. */
    private Integer callOnLocalStack(Instant commandStart) {
      java.util.Optional<String> unavailable = LocalStackDeployment.unavailableReason();
      if (unavailable.isPresent()) {
        System.err.println(
            "LocalStack mode: " + unavailable.get() + " (or pass --embedded for the local stack)");
        return 2;
      }
      if (source != LocalStack.Source.KINESIS) {
        System.err.println(
            "LocalStack mode runs Kinesis sources only (Kafka event source mappings need"
                + " LocalStack's paid MSK); use --source kinesis, or --embedded for Kafka");
        return 2;
      }
      ClickWorkload workload =
          new ClickWorkload(events(), users, zipf, seed, 1_767_225_600_000L); // 2026-01-01
      CONSOLE.println(
          "Deploying to LocalStack at "
              + System.getenv("AWS_ENDPOINT_URL")
              + ": stream, tables, functions from "
              + jar
              + ", event source mapping...");
      try (LocalStackDeployment stack =
          LocalStackDeployment.deploy(
              LocalStackDeployment.endpoint().orElseThrow(),
              workload.job().getClass(),
              jar,
              "tributary-clicks",
              shards,
              slots,
              "tributary",
              mapping(),
              Duration.ofSeconds(1))) {
        JobRun.Result result =
            JobRun.of(stack, workload)
                .timeout(timeout)
                .commandStart(commandStart)
                .progress(CONSOLE::println)
                .run();
        print(result, stack);
        return result.ok() ? 0 : 1;
      }
    }

    private static String count(long n) {
      return n < 0 ? "(unknown)" : String.format(Locale.ROOT, "%,d", n);
    }

    private static void print(JobRun.Result r, JobStack stack) {
      CONSOLE.println();
      CONSOLE.printf(
          Locale.ROOT,
          "Produced %,d records in %.1f s; all committed outputs after %.1f s: %,.0f records/s"
              + " end to end%n",
          r.produced(),
          r.produceTime().toMillis() / 1000.0,
          r.processTime().toMillis() / 1000.0,
          r.recordsPerSecond());
      CONSOLE.printf(
          Locale.ROOT,
          "First committed epoch %s after the command started; %,d epochs committed (%s redone"
              + " after a conflict, %s sent again with the timer item merged); %s coordinator and %s operator invocations; %,d dead letters;"
              + " %s late records dropped%n",
          r.firstEpoch() == null ? "never" : r.firstEpoch().toMillis() / 1000.0 + " s",
          r.epochs(),
          count(stack.conflicts()),
          count(stack.timerItemMerges()),
          count(stack.invocations(LocalStack.COORDINATOR)),
          count(stack.invocations(LocalStack.OPERATOR)),
          r.deadLetters(),
          count(r.lateRecordsDropped()));
      for (Map.Entry<String, JobRun.SinkCheck> e : r.sinks().entrySet()) {
        JobRun.SinkCheck c = e.getValue();
        CONSOLE.printf(
            Locale.ROOT,
            "Sink %s: %,d outputs committed, %,d expected from the in-memory reference run: %s%n",
            e.getKey(),
            c.committed(),
            c.expected(),
            c.ok() ? "OK (exactly once)" : "MISMATCH");
        List<String> examples = c.examples();
        for (String example : examples) {
          CONSOLE.println("  " + example);
        }
      }
      r.folded()
          .forEach(
              (sink, n) ->
                  CONSOLE.printf(
                      Locale.ROOT,
                      "Sink %s: %,d outputs committed, records the job set aside, each added back to"
                          + " the output it missed for the check%n",
                      sink,
                      n));
      if (r.timedOut()) {
        CONSOLE.println("FAILED: timed out before every output was committed");
      } else if (r.stalled()) {
        CONSOLE.println(
            "FAILED: every record was delivered, but outputs are still missing and nothing more"
                + " was committed");
      } else {
        CONSOLE.println(r.ok() ? "OK" : "FAILED: the outputs differ from the reference run");
      }
    }
  }
}
