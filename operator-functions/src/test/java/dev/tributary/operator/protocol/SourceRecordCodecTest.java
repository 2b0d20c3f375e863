package dev.tributary.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming codec of source records writes what the records' default Jackson binding writes,
 * and reads back what either wrote.
 */
class SourceRecordCodecTest {
  /** The default binding of the records, as the protocol used before the codec. */
  private static final ObjectMapper DEFAULT = JsonMapper.builder().build();

  private static List<SourceRecord> randomRecords(long seed) {
    Random random = new Random(seed);
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] data = new byte[random.nextInt(64)];
      random.nextBytes(data);
      Map<String, String> metadata = new HashMap<>();
      for (int m = random.nextInt(5); m > 0; m--) {
        metadata.put(text(random), text(random));
      }
      long timestamp =
          switch (random.nextInt(3)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> 0;
            default -> random.nextLong();
          };
      records.add(
          new SourceRecord(
              random.nextBoolean()
                  ? Long.toString(random.nextLong() & Long.MAX_VALUE)
                  : "4959033827149025660855969253836157109592157598913658" + random.nextInt(9999),
              random.nextInt(3) == 0 ? random.nextInt(Integer.MAX_VALUE) : 0,
              timestamp,
              data,
              metadata));
    }
    return records;
  }

  /** Text with quotes, backslashes, control characters, non-Latin and astral characters. */
  private static String text(Random random) {
    String alphabet = "ab\"\\\n\t\u0001é€中";
    StringBuilder b = new StringBuilder();
    for (int i = random.nextInt(12); i > 0; i--) {
      if (random.nextInt(10) == 0) {
        b.append("😀");
      } else {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
    }
    return b.toString();
  }

  private static OperatorRequest request(List<SourceRecord> records) {
    return new OperatorRequest(
        Protocol.VERSION, "job", "clicks", "clicks-0", 1, 4, -5, 7, 9, records);
  }

  private static void assertSameRecords(List<SourceRecord> read, List<SourceRecord> written) {
    assertThat(read).hasSameSizeAs(written);
    for (int i = 0; i < read.size(); i++) {
      SourceRecord a = read.get(i);
      SourceRecord b = written.get(i);
      assertThat(a.sequence()).isEqualTo(b.sequence());
      assertThat(a.subSequence()).isEqualTo(b.subSequence());
      assertThat(a.timestamp()).isEqualTo(b.timestamp());
      assertThat(a.data()).isEqualTo(b.data());
      assertThat(a.metadata()).isEqualTo(b.metadata());
    }
  }

  @Test
  void writesTheSameJsonAsTheDefaultBinding() throws Exception {
    for (long seed = 0; seed < 20; seed++) {
      OperatorRequest request = request(randomRecords(seed));
      // byte for byte: field order included, which a comparison of trees would not see
      assertThat(new String(Protocol.write(request), StandardCharsets.UTF_8))
          .as("seed %d", seed)
          .isEqualTo(new String(DEFAULT.writeValueAsBytes(request), StandardCharsets.UTF_8));
    }
  }

  @Test
  void readsBackWhatItAndTheDefaultBindingWrote() throws Exception {
    for (long seed = 0; seed < 20; seed++) {
      List<SourceRecord> records = randomRecords(seed);
      OperatorRequest request = request(records);
      assertSameRecords(Protocol.readRequest(Protocol.write(request)).records(), records);
      assertSameRecords(
          Protocol.readRequest(DEFAULT.writeValueAsBytes(request)).records(), records);
    }
  }

  @Test
  void missingFieldsTakeTheDefaultBindingsDefaultsAndNewFieldsAreIgnored() {
    OperatorRequest read =
        Protocol.readRequest(
            bytes(
                "{'version':1,'job':'j','slot':0,'slots':1,'records':[{'sequence':'12',"
                    + "'newField':{'a':[1,2]},'metadata':{'key':'k','n':5,'gone':null}},"
                    + "{'sequence':'13','data':null,'metadata':null}]}"));
    SourceRecord first = read.records().get(0);
    assertThat(first.subSequence()).isZero();
    assertThat(first.timestamp()).isZero();
    assertThat(first.data()).isEmpty();
    assertThat(first.metadata()).isEqualTo(Map.of("key", "k", "n", "5"));
    assertThat(read.records().get(1).metadata()).isEmpty();
  }

  @Test
  void aMalformedRecordIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> Protocol.readRequest(withRecord("{'subSequence':0}")))
        .isInstanceOf(UncheckedIOException.class)
        .cause()
        .hasMessageContaining("needs its \"sequence\"");
    assertThatThrownBy(() -> Protocol.readRequest(withRecord("{'sequence':'1','timestamp':'x'}")))
        .cause()
        .hasMessageContaining("\"timestamp\" must be a whole number");
    assertThatThrownBy(() -> Protocol.readRequest(withRecord("{'sequence':'1','subSequence':-1}")))
        .cause()
        .hasMessageContaining("subSequence is -1");
    assertThatThrownBy(
            () -> Protocol.readRequest(withRecord("{'sequence':'1','metadata':{'k':{}}}")))
        .cause()
        .hasMessageContaining("metadata \"k\" must be a string");
    assertThatThrownBy(() -> Protocol.readRequest(withRecord("{'sequence':'1','metadata':[]}")))
        .cause()
        .hasMessageContaining("\"metadata\" must be an object");
    assertThatThrownBy(
            () -> Protocol.readRequest(withRecord("{'sequence':{'sequence':'9'},'data':''}")))
        .cause()
        .hasMessageContaining("\"sequence\" must be a single value");
    assertThatThrownBy(() -> Protocol.readRequest(withRecord("[]")))
        .isInstanceOf(UncheckedIOException.class);
  }

  private static byte[] withRecord(String record) {
    return bytes("{'version':1,'job':'j','slot':0,'slots':1,'records':[" + record + "]}");
  }

  private static byte[] bytes(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }
}
