package dev.tributary.operator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The wire format is pinned by golden files: a change that renames, drops or retypes a field fails
 * here, and must come with a new protocol version.
 */
class ProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static OperatorRequest request() {
    return new OperatorRequest(
        1,
        "payments",
        "transactions",
        "payments-stream/shardId-000000000000",
        2,
        4,
        1_767_225_599_000L,
        1_767_225_600_000L,
        1_767_225_601_234L,
        List.of(
            new SourceRecord(
                "49590338271490256608559692538361571095921575989136588898",
                0,
                1_767_225_600_100L,
                "{\"accountId\":\"a\",\"amount\":1.5}".getBytes(StandardCharsets.UTF_8),
                Map.of("partitionKey", "a"))));
  }

  static OperatorResponse response() {
    return new OperatorResponse(
        1,
        OperatorResponse.Status.COMMITTED,
        "payments-stream/shardId-000000000000",
        2,
        "49590338271490256608559692538361571095921575989136588898:0",
        7,
        1,
        1,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        3.0,
        6.0,
        null,
        0,
        null,
        0);
  }

  private static byte[] golden(String name) throws IOException {
    try (InputStream in = ProtocolTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file %s", name).isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void aRequestIsWrittenExactlyAsTheGoldenFile() throws IOException {
    assertThat(JSON.readTree(Protocol.write(request())))
        .isEqualTo(JSON.readTree(golden("request-v1.json")));
  }

  @Test
  void theGoldenRequestReadsBackToTheSameRecord() throws IOException {
    OperatorRequest read = Protocol.readRequest(golden("request-v1.json"));
    assertThat(read).usingRecursiveComparison().isEqualTo(request());
  }

  @Test
  void aResponseIsWrittenExactlyAsTheGoldenFileAndReadsBack() throws IOException {
    assertThat(JSON.readTree(Protocol.write(response())))
        .isEqualTo(JSON.readTree(golden("response-v1.json")));
    assertThat(Protocol.readResponse(golden("response-v1.json"))).isEqualTo(response());
  }

  @Test
  void anotherVersionIsRefusedWithTheFix() {
    byte[] v2 = "{\"version\":2,\"job\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Protocol.readRequest(v2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protocol version 2")
        .hasMessageContaining("speaks version 1")
        .hasMessageContaining("same build");
    byte[] none = "{\"job\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Protocol.readResponse(none)).hasMessageContaining("version null");
    assertThatThrownBy(() -> Protocol.readRequest("[]".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("must be a JSON object");
  }

  @Test
  void fieldsAddedByANewerBuildAreIgnored() {
    byte[] extra =
        ("{\"version\":1,\"job\":\"j\",\"slot\":0,\"slots\":1,\"records\":[],\"shinyNewField\":3}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(Protocol.readRequest(extra).job()).isEqualTo("j");
  }
}
