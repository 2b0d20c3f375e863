package dev.tributary.execution;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tributary.JobGraph;
import dev.tributary.JobProvider;
import dev.tributary.OutputTag;
import dev.tributary.graph.GraphNode;
import dev.tributary.graph.SinkSpec;
import dev.tributary.graph.SourceKind;
import dev.tributary.graph.SourceSpec;
import dev.tributary.internal.exec.JobExecutor;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.Clock;
import dev.tributary.spi.InMemoryStateBackend;
import dev.tributary.spi.OutputCollector;
import dev.tributary.spi.StateBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Runs a job to completion in memory over bounded input (batch mode): the job's collection and file
 * sources read themselves; Kinesis and Kafka sources are bound to an {@link Iterator} of elements.
 * Sources are read in turns, one batch each; after each batch the watermarks advance and due
 * processing-time timers fire; at the end the final watermark fires every event-time window and
 * timer. The same input piped record by record through the streaming path gives the same results.
 *
 * <pre>{@code
 * RunResult result = InMemoryRunner.forJob(new ClickWindowSums())
 *     .bind("clicks", clicks.iterator())
 *     .run();
 * }</pre>
 */
public final class InMemoryRunner {
  private final JobProvider job;
  private final Map<String, Iterator<?>> bindings = new LinkedHashMap<>();
  private final Map<String, SinkConsumer> consumers = new LinkedHashMap<>();
  private int batchSize = 100;
  private Clock clock = Clock.system();
  private StateBackend backend;

  private InMemoryRunner(JobProvider job) {
    this.job = Objects.requireNonNull(job, "job");
  }

  /** A runner for {@code job}. */
  public static InMemoryRunner forJob(JobProvider job) {
    return new InMemoryRunner(job);
  }

  /** Binds the source {@code sourceName} to the elements of {@code elements}. */
  public InMemoryRunner bind(String sourceName, Iterator<?> elements) {
    bindings.put(sourceName, Objects.requireNonNull(elements, "elements"));
    return this;
  }

  /** Binds the source {@code sourceName} to {@code elements}. */
  public InMemoryRunner bind(String sourceName, Iterable<?> elements) {
    return bind(sourceName, elements.iterator());
  }

  /** Hands the records of sink {@code sinkName} to {@code consumer} instead of collecting them. */
  public InMemoryRunner onSink(String sinkName, SinkConsumer consumer) {
    consumers.put(sinkName, Objects.requireNonNull(consumer, "consumer"));
    return this;
  }

  /**
   * Records per batch (default 100, like a Kinesis event source mapping); the watermark advances
   * after each batch.
   */
  public InMemoryRunner batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize is " + batchSize + "; it must be at least 1");
    }
    this.batchSize = batchSize;
    return this;
  }

  /** The processing-time clock (default: the system clock). */
  public InMemoryRunner clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The state backend (default: a fresh {@link InMemoryStateBackend}). */
  public InMemoryRunner stateBackend(StateBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    return this;
  }

  /** Runs the job to the end of its input. */
  public RunResult run() {
    JobGraph graph = JobGraph.of(job);
    Map<String, Iterator<?>> inputs = new LinkedHashMap<>();
    for (GraphNode node : graph.sources()) {
      SourceSpec source = (SourceSpec) node.spec();
      Iterator<?> bound = bindings.get(source.sourceName());
      if (bound == null) {
        bound = readSelf(source);
      }
      inputs.put(source.sourceName(), bound);
    }
    for (String name : bindings.keySet()) {
      graph.source(name); // fails on a binding for a source the job does not have
    }
    Map<String, Long> sinkCounts = new LinkedHashMap<>();
    Map<String, List<Object>> sinkOutputs = new LinkedHashMap<>();
    for (GraphNode node : graph.sinks()) {
      String name = ((SinkSpec) node.spec()).sinkName();
      sinkCounts.put(name, 0L);
      if (!consumers.containsKey(name)) {
        sinkOutputs.put(name, new ArrayList<>());
      }
    }
    for (String name : consumers.keySet()) {
      if (!sinkCounts.containsKey(name)) {
        throw new IllegalArgumentException(
            "job '"
                + graph.jobName()
                + "' has no sink named '"
                + name
                + "'; its sinks are "
                + sinkCounts.keySet());
      }
    }
    Map<String, Long> sideCounts = new LinkedHashMap<>();
    long[] late = new long[1];
    OutputCollector collector =
        new OutputCollector() {
          @Override
          public void emit(String sinkName, Object value, long timestamp) {
            sinkCounts.merge(sinkName, 1L, Long::sum);
            SinkConsumer consumer = consumers.get(sinkName);
            if (consumer != null) {
              consumer.accept(value, timestamp);
            } else {
              sinkOutputs.get(sinkName).add(value);
            }
          }

          @Override
          public void sideOutput(OutputTag<?> tag, Object value, long timestamp) {
            sideCounts.merge(tag.id(), 1L, Long::sum);
          }

          @Override
          public void lateRecordDropped(String operatorUid, Object value, long timestamp) {
            late[0]++;
          }
        };
    StateBackend stateBackend = backend != null ? backend : new InMemoryStateBackend();
    long recordsIn = 0;
    long start = System.nanoTime();
    try (JobExecutor executor = new JobExecutor(graph, stateBackend, clock, collector)) {
      List<JobExecutor.SourceInput> handles = new ArrayList<>();
      List<Iterator<?>> iterators = new ArrayList<>();
      for (Map.Entry<String, Iterator<?>> e : inputs.entrySet()) {
        handles.add(executor.sourceInput(e.getKey()));
        iterators.add(e.getValue());
      }
      boolean more = true;
      while (more) {
        more = false;
        for (int s = 0; s < iterators.size(); s++) {
          Iterator<?> it = iterators.get(s);
          JobExecutor.SourceInput input = handles.get(s);
          int n = 0;
          while (n < batchSize && it.hasNext()) {
            input.push(it.next(), Long.MIN_VALUE);
            n++;
          }
          recordsIn += n;
          more |= it.hasNext();
        }
        executor.endBatch();
        executor.advanceProcessingTime();
      }
      executor.endOfInput();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    return new RunResult(
        graph.jobName(), recordsIn, sinkCounts, sinkOutputs, sideCounts, late[0], elapsed);
  }

  private static Iterator<?> readSelf(SourceSpec source) {
    if (source.sourceKind() == SourceKind.COLLECTION) {
      return source.elements().iterator();
    }
    if (source.sourceKind() == SourceKind.JSON_LINES) {
      return jsonLines(source);
    }
    if (source.sourceKind() == SourceKind.CSV) {
      return csv(source);
    }
    throw new IllegalArgumentException(
        "source '"
            + source.sourceName()
            + "' is a "
            + source.sourceKind().name().toLowerCase()
            + " source; bind it to input for an in-memory run: .bind(\""
            + source.sourceName()
            + "\", elements)");
  }

  private static Iterator<?> jsonLines(SourceSpec source) {
    BufferedReader reader;
    try {
      reader = Files.newBufferedReader(source.path(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "source '" + source.sourceName() + "': cannot open " + source.path(), e);
    }
    ObjectReader json = Serdes.jsonReader().forType(source.type());
    return new Iterator<>() {
      private long line;
      private String next = advance();

      private String advance() {
        try {
          String l;
          do {
            l = reader.readLine();
            line++;
          } while (l != null && l.isBlank());
          if (l == null) {
            reader.close();
          }
          return l;
        } catch (IOException e) {
          throw new UncheckedIOException("source '" + source.sourceName() + "': read failed", e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Object next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        String current = next;
        long lineNumber = line;
        next = advance();
        try {
          return json.readValue(current);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException(
              "source '"
                  + source.sourceName()
                  + "': line "
                  + lineNumber
                  + " of "
                  + source.path()
                  + " is not a JSON "
                  + source.type().getSimpleName()
                  + ": "
                  + e.getOriginalMessage(),
              e);
        }
      }
    };
  }

  private static Iterator<?> csv(SourceSpec source) {
    CsvMapper mapper = new CsvMapper();
    mapper.findAndRegisterModules();
    CsvSchema schema = CsvSchema.emptySchema().withHeader();
    try {
      MappingIterator<?> it =
          mapper.readerFor(source.type()).with(schema).readValues(source.path().toFile());
      return it;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "source '" + source.sourceName() + "': cannot read CSV " + source.path(), e);
    }
  }
}
