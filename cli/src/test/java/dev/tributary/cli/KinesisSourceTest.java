package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restoring kinesis-local's persisted streams when a stop cut the file short. */
class KinesisSourceTest {
  @Test
  void aWholeFileIsLeftAsItIs(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kinesis-data.json"), "{\"streams\":{}}");
    Files.writeString(dir.resolve("kinesis-data.json.complete"), "{\"old\":true}");

    assertThat(KinesisSource.restoreIfTorn(dir)).isEmpty();
    assertThat(Files.readString(dir.resolve("kinesis-data.json"))).isEqualTo("{\"streams\":{}}");
  }

  @Test
  void aTornFileIsReplacedByTheCompleteCopyAndItsTimeReported(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("kinesis-data.json"), "{\"streams\":{\"a\":");
    Path copy = Files.writeString(dir.resolve("kinesis-data.json.complete"), "{\"streams\":{}}");
    Instant copied = Instant.parse("2026-11-26T10:00:00Z");
    Files.setLastModifiedTime(copy, FileTime.from(copied));

    assertThat(KinesisSource.restoreIfTorn(dir)).contains(copied);
    assertThat(Files.readString(dir.resolve("kinesis-data.json"))).isEqualTo("{\"streams\":{}}");
  }

  @Test
  void anEmptyFileWithoutACopyIsRefusedWithWhatToDo(@TempDir Path dir) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path kinesis = Files.createDirectories(data.resolve("kinesis"));
    Files.writeString(kinesis.resolve("kinesis-data.json"), "");

    assertThatThrownBy(() -> KinesisSource.restoreIfTorn(kinesis))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was cut short when it stopped")
        .hasMessageContaining("Delete " + data + " to start over");
  }
}
