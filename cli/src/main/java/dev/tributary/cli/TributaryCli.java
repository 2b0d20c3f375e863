package dev.tributary.cli;

import dev.tributary.local.esm.MappingSettings;
import dev.tributary.state.dynamodb.Checkpoints;
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
    versionProvider = TributaryCli.Version.class,
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
    System.exit(commandLine().execute(args));
  }

  /** The command line as {@link #main} runs it. */
  static CommandLine commandLine() {
    return new CommandLine(new TributaryCli())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .registerConverter(Duration.class, TributaryCli::duration)
        .setParameterExceptionHandler(TributaryCli::badOption);
  }

  /**
   * A bad option: its message and where to find the others, not the whole usage, which would scroll
   * the message away (exit code 2).
   */
  static int badOption(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println(e.getMessage());
    cmd.getErr()
        .println(
            "Run with --help for every option and its limits ("
                + ("run".equals(cmd.getCommandName()) ? "./scripts/run-local.sh --help" : "--help")
                + ").");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * A duration as ISO-8601 ({@code PT5M}) or a number and a unit: {@code 500ms}, {@code 90s},
   * {@code 5m}, {@code 1h}.
   */
  static Duration duration(String value) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(value.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(value.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'"
              + value
              + "' is not a duration; write it as a number and a unit (500ms, 90s, 5m, 1h) or in"
              + " ISO-8601 (PT5M)");
    }
  }

  /** The version of the build, from the properties Maven writes next to the classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties p = new java.util.Properties();
      try (var in = TributaryCli.class.getResourceAsStream("/tributary-version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "Tributary " + p.getProperty("version", "(version unknown: not built by Maven)"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }

  /** Runs the example job end to end on the local stack. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      versionProvider = TributaryCli.Version.class,
      description = {
        "Runs example 1 (click-window-sums) end to end on the local stack and checks the",
        "committed outputs against the in-memory reference run. Exit code 0 when they match."
      })
  public static final class Run implements Callable<Integer> {
    @Option(
        names = "--source",
        description = "kinesis (kinesis-local) or kafka (embedded broker); default kinesis")
    LocalStack.Source source = LocalStack.Source.KINESIS;

    @Option(
        names = "--events",
        description =
            "clicks to produce; default 100,000 on Kafka, 20,000 on Kinesis (kinesis-local slows"
                + " down as a stream fills)")
    Long events;

    @Option(
        names = "--users",
        description = "distinct users (keys), 1 to 1,000,000; default ${DEFAULT-VALUE}")
    int users = 1_000;

    @Option(
        names = "--zipf",
        description = "Zipf exponent of user skew, 0 = uniform; default ${DEFAULT-VALUE}")
    double zipf = 0;

    @Option(names = "--seed", description = "the workload's random seed; default ${DEFAULT-VALUE}")
    long seed = 42;

    @Option(
        names = "--shards",
        description =
            "shards (Kinesis, 1 to 50) or partitions (Kafka, 1 to 64); default ${DEFAULT-VALUE}")
    int shards = 4;

    @Option(names = "--slots", description = "operator slots, 1 to 128; default ${DEFAULT-VALUE}")
    int slots = 4;

    @Option(
        names = "--batch-size",
        description = "mapping batch size, 1 to 10,000; default ${DEFAULT-VALUE}")
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

    @Option(
        names = "--timeout",
        description = "give up after this long (e.g. 15m, 90s or PT15M); default ${DEFAULT-VALUE}")
    Duration timeout = Duration.ofMinutes(15);

    @Option(
        names = "--data-dir",
        description =
            "keep the tables, the stream (Kinesis) or the topic's log (Kafka) here; a second run"
                + " with the same directory and workload resumes the first: it produces only what"
                + " the stream does not hold yet and checks everything; default: a temporary"
                + " directory")
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
      resolvePaths(System.getenv("TRIBUTARY_CALLER_DIR"));
      int[] pollers = validate();
      if (onLocalStack()) {
        // the functions run in LocalStack's containers: their logs are LocalStack's
        return callOnLocalStack(commandStart);
      }
      functionLogsTo(log);
      CONSOLE.println("Function logs (JSON, as CloudWatch Logs would hold them): " + log);
      ClickWorkload workload =
          new ClickWorkload(events(), users, zipf, seed, 1_767_225_600_000L); // 2026-01-01
      boolean resuming = dataDir != null && keepOrResume();
      if (source == LocalStack.Source.KINESIS && events() > KINESIS_LOCAL_COMFORT) {
        CONSOLE.printf(
            Locale.ROOT,
            "Warning: kinesis-local's writes slow down as a stream fills (to a few hundred records/s"
                + " past about 50,000), so %,d clicks can take longer than --timeout %s; --source"
                + " kafka takes a million in seconds%n",
            events(),
            timeout);
      }
      CONSOLE.printf(
          Locale.ROOT,
          "Starting the local stack: DynamoDB, %s (%d %s), Lambda endpoint, event source"
              + " mapping%s...%n",
          source == LocalStack.Source.KINESIS ? "Kinesis (kinesis-local)" : "Kafka (KRaft broker)",
          shards,
          (source == LocalStack.Source.KINESIS ? "shard" : "partition") + (shards == 1 ? "" : "s"),
          source == LocalStack.Source.KINESIS
              ? ""
              : pollers[0] == pollers[1]
                  ? String.format(
                      Locale.ROOT, " (%d poller%s)", pollers[0], pollers[0] == 1 ? "" : "s")
                  : String.format(
                      Locale.ROOT,
                      " (%d to %d pollers, scaling every %s)",
                      pollers[0],
                      pollers[1],
                      kafkaScalingInterval));
      // Ctrl-C: the hook asks the main thread to stop and waits while it closes the stack in
      // order (whatever it is doing: starting the stack, reading the stream back, running)
      java.util.concurrent.atomic.AtomicBoolean stopRequested =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.CountDownLatch mainDone = new java.util.concurrent.CountDownLatch(1);
      AtomicReference<JobRun> current = new AtomicReference<>();
      Thread stopOnSignal =
          new Thread(
              () -> {
                stopRequested.set(true);
                CONSOLE.println("Interrupted: stopping the producer and the local stack...");
                JobRun run = current.get();
                if (run != null) {
                  run.stop();
                }
                try {
                  mainDone.await(2, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "tributary-stop");
      Runtime.getRuntime().addShutdownHook(stopOnSignal);
      LocalStack stack = null;
      boolean checked = false;
      try {
        try {
          stack =
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
        } catch (RuntimeException e) {
          if (stopRequested.get()) { // Ctrl-C while it started: what started is stopped already
            CONSOLE.println("Interrupted while the local stack started; nothing is left running.");
            return 130;
          }
          throw e;
        }
        if (stopRequested.get()) {
          return 130;
        }
        CONSOLE.printf(
            Locale.ROOT,
            "Local stack up in %d ms. Running %s: %s%n",
            stack.startupTime().toMillis(),
            stack.settings().graph().jobName(),
            workload.describe());
        stack.stream().warnings().forEach(w -> CONSOLE.println("Warning: " + w));
        JobRun run =
            JobRun.of(stack, workload)
                .timeout(timeout)
                .commandStart(commandStart)
                .progress(CONSOLE::println);
        current.set(run);
        if (resuming) {
          StreamSource.Stored stored = stack.stream().stored();
          List<String> lost =
              KeptStream.committedPastTheEnd(
                  new Checkpoints(
                          stack.dynamo(),
                          stack.settings().tables(),
                          stack.settings().graph().jobName())
                      .furthest(),
                  stored.last());
          if (!lost.isEmpty()) {
            CONSOLE.println(
                "Cannot resume the run kept in "
                    + dataDir
                    + ": the job committed records that the stream no longer holds ("
                    + String.join("; ", lost)
                    + "). The stream's emulator stopped without writing them to its file (it was"
                    + " killed); producing their clicks again would count them twice. Start over"
                    + " with another --data-dir, or delete "
                    + dataDir
                    + ".");
            return 1;
          }
          List<Workload.Event> rest = Workload.notIn(workload.events(), stored.events());
          CONSOLE.printf(
              Locale.ROOT,
              "Resuming the run kept in %s: the stream holds %,d of the %,d clicks already;"
                  + " producing the other %,d, then checking every output%n",
              dataDir,
              workload.size() - rest.size(),
              workload.size(),
              rest.size());
          run.events(rest.iterator());
        }
        if (stopRequested.get()) {
          return 130;
        }
        JobRun.Result result = run.run();
        if (result.interrupted()) {
          return 130;
        }
        print(result, stack);
        checked = true;
        return result.ok() ? 0 : 1;
      } finally {
        try {
          if (stack != null) {
            stack.close();
            CONSOLE.println(
                checked || !stopRequested.get()
                    ? "Local stack stopped."
                    : "Local stack stopped; nothing was checked."
                        + (dataDir != null
                            ? " Run the same command again to resume from " + dataDir + "."
                            : ""));
          }
        } finally {
          mainDone.countDown();
          try {
            Runtime.getRuntime().removeShutdownHook(stopOnSignal);
          } catch (IllegalStateException shuttingDown) {
            // the hook is running already
          }
        }
      }
    }

    /**
     * Checks the options against their limits before anything starts, naming the option, the value,
     * the limit and the fix (a usage error, exit code 2); answers the Kafka pollers as minimum and
     * maximum.
     */
    int[] validate() {
      int[] pollers = pollers();
      boolean kafka = source == LocalStack.Source.KAFKA;
      check(events == null || events >= 1, "--events", events, "at least 1 click");
      check(users >= 1 && users <= MAX_USERS, "--users", users, "1 to 1,000,000 users");
      check(zipf >= 0, "--zipf", zipf, "0 (uniform) or above");
      int maxShards = kafka ? 64 : 50; // kinesis-local's default SHARD_LIMIT is 50
      check(
          shards >= 1 && shards <= maxShards,
          "--shards",
          shards,
          "1 to "
              + maxShards
              + (kafka ? " partitions of a local topic" : " shards (kinesis-local)"));
      check(slots >= 1 && slots <= 128, "--slots", slots, "1 to 128 (the job's key groups)");
      check(batchSize >= 1 && batchSize <= 10_000, "--batch-size", batchSize, "1 to 10000");
      check(
          parallelizationFactor >= 1 && parallelizationFactor <= 10,
          "--parallelization-factor",
          parallelizationFactor,
          "1 to 10");
      check(
          !kafka || parallelizationFactor == 1,
          "--parallelization-factor",
          parallelizationFactor,
          "1 with --source kafka (Kafka event source mappings have no parallelization factor;"
              + " use more partitions or --kafka-pollers)");
      check(
          pollers[0] >= 1 && pollers[0] <= 200 && pollers[1] >= pollers[0] && pollers[1] <= 2000,
          "--kafka-pollers",
          kafkaPollers,
          "1 to 200 pollers, or a range MIN-MAX with MIN 1 to 200 and MAX from MIN to 2000");
      String kafkaOnly =
          "left out with --source kinesis (it sets the Kafka event source mapping); add --source"
              + " kafka";
      check(kafka || "1".equals(kafkaPollers), "--kafka-pollers", kafkaPollers, kafkaOnly);
      check(
          kafka || Duration.ofMinutes(1).equals(kafkaScalingInterval),
          "--kafka-scaling-interval",
          kafkaScalingInterval,
          kafkaOnly);
      check(
          kafkaScalingInterval.compareTo(Duration.ZERO) > 0,
          "--kafka-scaling-interval",
          kafkaScalingInterval,
          "positive, e.g. PT1M");
      check(
          fanOut.matches("(?i)lambda|in-process|auto"),
          "--fan-out",
          fanOut,
          "one of lambda, in-process, auto");
      check(idleTimeout.compareTo(Duration.ZERO) > 0, "--idle-timeout", idleTimeout, "positive");
      check(timeout.compareTo(Duration.ZERO) > 0, "--timeout", timeout, "positive, e.g. 15m");
      if (!kafka && !onLocalStack()) {
        java.util.Optional<String> noKinesis =
            dev.tributary.local.kinesis.KinesisLocal.unavailableReason(toolsDir);
        check(
            noKinesis.isEmpty(),
            "--source",
            "kinesis (the default)",
            "a source this machine can run: "
                + noKinesis.orElse("")
                + ". Install Node.js 20 or newer and run ./scripts/install-tools.sh, or use"
                + " --source kafka, which needs no Node.js");
      }
      if (log.toFile().isDirectory()) {
        check(false, "--log", log, "a file, not a directory, e.g. " + log.resolve("run.log"));
      }
      if (!onLocalStack()) {
        checkWritable("--log", log.toAbsolutePath().getParent());
      }
      if (dataDir != null) {
        refuseDataDirFile();
        checkWritable("--data-dir", dataDir);
      }
      return pollers;
    }

    /**
     * Whether the job goes to the LocalStack at {@code AWS_ENDPOINT_URL} (not {@code --embedded}).
     */
    private boolean onLocalStack() {
      return !embedded && System.getenv("AWS_ENDPOINT_URL") != null;
    }

    /** A usage error if {@code --data-dir} names a file. */
    private void refuseDataDirFile() {
      if (java.nio.file.Files.exists(dataDir) && !java.nio.file.Files.isDirectory(dataDir)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--data-dir " + dataDir + " is a file; give a directory (it is created if missing)");
      }
    }

    /** Clicks kinesis-local takes in a few minutes; more get a warning. */
    static final long KINESIS_LOCAL_COMFORT = 100_000;

    /** The most users a workload can have (their names are held in memory). */
    static final int MAX_USERS = 1_000_000;

    /** Fails unless {@code dir} is, or can be made, a directory this process may write in. */
    private void checkWritable(String option, Path dir) {
      String problem = null;
      try {
        java.nio.file.Files.createDirectories(dir);
        if (!java.nio.file.Files.isWritable(dir)) {
          problem = "not writable by this user";
        }
      } catch (java.io.IOException | SecurityException e) {
        problem = "cannot be created (" + e + ")";
      }
      check(
          problem == null,
          option,
          dir,
          "somewhere this user can write; " + dir + " " + problem + ". Give another path");
    }

    /**
     * Relative paths given on the command line are the caller's: {@code scripts/run-local.sh} runs
     * from the repository's root and passes the directory it was called from as {@code
     * TRIBUTARY_CALLER_DIR}. The defaults stay relative to the repository.
     */
    void resolvePaths(String caller) {
      if (caller == null || caller.isBlank() || spec.commandLine().getParseResult() == null) {
        return;
      }
      Path base = Path.of(caller);
      CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
      if (dataDir != null && parsed.hasMatchedOption("--data-dir")) {
        dataDir = base.resolve(dataDir);
      }
      if (parsed.hasMatchedOption("--log")) {
        log = base.resolve(log);
      }
      if (parsed.hasMatchedOption("--tools-dir")) {
        toolsDir = base.resolve(toolsDir);
      }
      if (parsed.hasMatchedOption("--jar")) {
        jar = base.resolve(jar);
      }
    }

    private void check(boolean ok, String option, Object value, String limit) {
      if (!ok) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), option + " is " + value + "; it must be " + limit);
      }
    }

    /** The file in {@code --data-dir} that holds the options of the run kept there. */
    static final String KEPT_RUN = "tributary-run.properties";

    /**
     * Whether this run resumes one kept in {@code --data-dir}: the directory holds a run's data.
     * The first run there records its workload options; a later one must give the same (else a
     * usage error says which differ).
     */
    boolean keepOrResume() {
      refuseDataDirFile();
      lock(dataDir);
      Path file = dataDir.resolve(KEPT_RUN);
      Map<String, String> options = keptOptions();
      try {
        if (java.nio.file.Files.exists(file)) {
          java.util.Properties kept = new java.util.Properties();
          try (var in = java.nio.file.Files.newBufferedReader(file)) {
            kept.load(in);
          }
          List<String> differ = new java.util.ArrayList<>();
          options.forEach(
              (option, value) -> {
                String before = kept.getProperty(option);
                if (before != null && !before.equals(value)) {
                  differ.add(option + " " + before + " (this run: " + value + ")");
                }
              });
          if (!differ.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(
                spec.commandLine(),
                "--data-dir "
                    + dataDir
                    + " holds a run started with "
                    + String.join(", ", differ)
                    + "; give the same options to resume it, or use another --data-dir");
          }
          return true;
        }
        boolean holdsData =
            java.util.stream.Stream.of("dynamodb", "kinesis", "kafka")
                .anyMatch(d -> java.nio.file.Files.isDirectory(dataDir.resolve(d)));
        java.nio.file.Files.createDirectories(dataDir);
        java.util.Properties kept = new java.util.Properties();
        kept.putAll(options);
        try (var out = java.nio.file.Files.newBufferedWriter(file)) {
          kept.store(out, "the workload of the run kept here; resume it with the same options");
        }
        return holdsData;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot keep the run's options in " + file, e);
      }
    }

    /** The data directory's lock, held while this process runs. */
    private static java.nio.channels.FileLock dataDirLock;

    /**
     * Takes {@code dir}'s lock file ({@code .lock}): two runs on one data directory would write the
     * same tables and stream files. Another process holding it is a usage error.
     */
    private void lock(Path dir) {
      Path file = dir.resolve(".lock");
      try {
        java.nio.file.Files.createDirectories(dir);
        java.nio.channels.FileChannel channel =
            java.nio.channels.FileChannel.open(
                file,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldHere) {
          channel.close(); // this process holds it already
          return;
        }
        if (lock == null) {
          channel.close();
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              "--data-dir "
                  + dir
                  + " is in use by another run (it holds "
                  + file
                  + "); wait for it to end, or use another --data-dir");
        }
        dataDirLock = lock; // kept reachable, so the channel stays open: released when we exit
      } catch (java.io.IOException e) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--data-dir " + dir + " cannot be locked (" + e + ")");
      }
    }

    /** The options a run kept in {@code --data-dir} must be resumed with. */
    private Map<String, String> keptOptions() {
      Map<String, String> kept = new java.util.LinkedHashMap<>();
      kept.put("--source", source.name().toLowerCase(Locale.ROOT));
      kept.put("--events", Long.toString(events()));
      kept.put("--users", Integer.toString(users));
      kept.put("--zipf", Double.toString(zipf));
      kept.put("--seed", Long.toString(seed));
      kept.put("--shards", Integer.toString(shards));
      kept.put("--slots", Integer.toString(slots));
      kept.put("--parallelization-factor", Integer.toString(parallelizationFactor));
      return kept;
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
      boolean finished = !r.timedOut() && !r.stalled();
      CONSOLE.printf(
          Locale.ROOT,
          finished
              ? "Produced %,d record%s in %.1f s; all outputs committed after %.1f s: %,.0f"
                  + " records/s end to end%n"
              : "Produced %,d record%s in %.1f s; stopped waiting for outputs after %.1f s%n",
          r.produced(),
          r.produced() == 1 ? "" : "s",
          r.produceTime().toMillis() / 1000.0,
          r.processTime().toMillis() / 1000.0,
          r.recordsPerSecond());
      CONSOLE.printf(
          Locale.ROOT,
          "%s; %,d epochs committed (%s redone"
              + " after a conflict, %s sent again with the timer item merged); %s coordinator and"
              + " %s operator invocations; %,d dead letters; %s late records dropped%n",
          r.firstEpoch() == null
              ? "No epoch committed by this run"
              : "First committed epoch "
                  + r.firstEpoch().toMillis() / 1000.0
                  + " s after the command started",
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
