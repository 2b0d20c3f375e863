package dev.tributary.local.esm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An on-failure destination that appends each invocation record as one line of JSON to a file (the
 * local stand-in for an SQS queue) and keeps them in memory, so a runner can show them and a test
 * can read them.
 */
public final class KinesisFailureFile implements KinesisOnFailureDestination {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final List<KinesisFailureRecord> records = new ArrayList<>();

  /** Appends to {@code file} (created with its directories when the first record arrives). */
  public KinesisFailureFile(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The file the records are appended to. */
  public Path file() {
    return file;
  }

  /** The JSON line of {@code record}, as written. */
  public static String json(KinesisFailureRecord record) {
    try {
      return JSON.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + record, e);
    }
  }

  @Override
  public synchronized void send(KinesisFailureRecord record) {
    records.add(record);
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Files.writeString(
          file,
          json(record) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot append the on-failure record to "
              + file
              + "; make the directory writable or pass another file",
          e);
    }
  }

  /** The records received so far, oldest first. */
  public synchronized List<KinesisFailureRecord> records() {
    return List.copyOf(records);
  }
}
