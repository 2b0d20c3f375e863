package dev.tributary;

import dev.tributary.graph.SourceKind;
import dev.tributary.graph.SourceSpec;
import dev.tributary.partitioning.KeyGroups;
import dev.tributary.serde.Serde;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a {@link JobProvider} builds its job on: sources by logical name, job settings. Sources are
 * bound by the runtime: on AWS {@code kinesis("clicks")} reads the stream the deployment maps to
 * "clicks"; in the test driver you pipe records into "clicks" yourself.
 */
public final class StreamEnvironment {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");

  final GraphBuilder graph = new GraphBuilder();
  private final Set<String> sourceNames = new HashSet<>();
  private String jobName;
  private int maxKeyGroups = KeyGroups.DEFAULT_MAX_KEY_GROUPS;

  StreamEnvironment(String defaultJobName) {
    this.jobName = defaultJobName;
  }

  /** Names the job (default: the provider's simple class name). */
  public StreamEnvironment jobName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "jobName is '" + name + "'; use 1 to 128 letters, digits, '_', '.' or '-'");
    }
    this.jobName = name;
    return this;
  }

  /**
   * Sets the number of key groups (default 128): the finest unit in which keyed state can move
   * between operator slots. It must never change once the job has state.
   */
  public StreamEnvironment maxKeyGroups(int maxKeyGroups) {
    KeyGroups.checkMaxKeyGroups(maxKeyGroups);
    this.maxKeyGroups = maxKeyGroups;
    return this;
  }

  String jobName() {
    return jobName;
  }

  int maxKeyGroups() {
    return maxKeyGroups;
  }

  /** A Kinesis data stream, read as records of {@code serde}. */
  public <T> DataStream<T> kinesis(String sourceName, Serde<T> serde) {
    return source(
        sourceName, SourceKind.KINESIS, requireSerde(sourceName, serde), null, null, null);
  }

  /** A Kafka topic, whose record values are read with {@code serde}. */
  public <T> DataStream<T> kafka(String sourceName, Serde<T> serde) {
    return source(sourceName, SourceKind.KAFKA, requireSerde(sourceName, serde), null, null, null);
  }

  /** A bounded source of the given elements, in order. */
  public <T> DataStream<T> fromCollection(String sourceName, Collection<T> elements) {
    Objects.requireNonNull(elements, "fromCollection('" + sourceName + "'): elements is null");
    List<T> copy = new ArrayList<>(elements);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i) == null) {
        throw new IllegalArgumentException(
            "fromCollection('"
                + sourceName
                + "'): element "
                + i
                + " is null; streams hold no nulls");
      }
    }
    return source(sourceName, SourceKind.COLLECTION, null, List.copyOf(copy), null, null);
  }

  /** A bounded source of the given elements, in order. */
  @SafeVarargs
  public final <T> DataStream<T> fromElements(String sourceName, T... elements) {
    return fromCollection(sourceName, Arrays.asList(elements));
  }

  /** A bounded source reading a file of JSON objects, one per line, as {@code type}. */
  public <T> DataStream<T> jsonLines(String sourceName, Path file, Class<T> type) {
    return fileSource(sourceName, SourceKind.JSON_LINES, file, type);
  }

  /** A bounded source reading a CSV file with a header line, columns mapped to {@code type}. */
  public <T> DataStream<T> csv(String sourceName, Path file, Class<T> type) {
    return fileSource(sourceName, SourceKind.CSV, file, type);
  }

  private <T> DataStream<T> fileSource(String name, SourceKind kind, Path file, Class<T> type) {
    Objects.requireNonNull(file, kind + " source '" + name + "': file is null");
    Objects.requireNonNull(
        type, kind + " source '" + name + "': type is null; pass the record class");
    return source(name, kind, dev.tributary.serde.Serdes.json(type), null, file, type);
  }

  private <T> DataStream<T> source(
      String name, SourceKind kind, Serde<T> serde, List<?> elements, Path path, Class<?> type) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "source name is '"
              + name
              + "'; use 1 to 128 letters, digits, '_', '.' or '-' (the runtime binds it by name)");
    }
    if (!sourceNames.add(name)) {
      throw new IllegalArgumentException(
          "source name '" + name + "' is used twice; each source needs its own logical name");
    }
    GraphBuilder.Draft draft =
        graph.add(
            new SourceSpec(name, kind, serde, elements, path, type), List.of(), "Source: " + name);
    draft.outputSerde = serde;
    return new DataStream<>(this, draft.id);
  }

  private static <T> Serde<T> requireSerde(String name, Serde<T> serde) {
    if (serde == null) {
      throw new IllegalArgumentException(
          "source '"
              + name
              + "' has no serde; records arrive as bytes, so pass one, e.g. Serdes.json(Click.class)"
              + " or Serdes.string()");
    }
    return serde;
  }
}
