package dev.tributary.local.dynamodb.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Digests are equal exactly when the parsed documents are equal. */
class JsonDigestTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode digest(String json, String... ignored) throws Exception {
    return JsonDigest.of(MAPPER.readTree(json), Set.of(ignored));
  }

  @Test
  void equalDocumentsHaveEqualDigestsAndOthersDoNot() throws Exception {
    List<String> documents =
        List.of(
            "{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}]}",
            "{\"b\":[1,2,{\"c\":\"x\"}],\"a\":1}", // same, fields reordered
            "{\"a\":1,\"b\":[2,1,{\"c\":\"x\"}]}",
            "{\"a\":1.0,\"b\":[1,2,{\"c\":\"x\"}]}",
            "{\"a\":\"1\",\"b\":[1,2,{\"c\":\"x\"}]}",
            "{\"a\":1,\"b\":[1,2,{\"c\":\"y\"}]}",
            "{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}],\"d\":null}",
            "{\"a\":1,\"b\":[1,2,{\"c\":\"x\",\"d\":true}]}",
            "{\"a\":1,\"b\":[1,2,{\"c\":\"x\",\"d\":false}]}",
            "{\"a\":1,\"b\":[[1,2],{\"c\":\"x\"}]}",
            "{\"ab\":1,\"b\":[1,2,{\"c\":\"x\"}]}",
            "{\"a\":12345678901234567890,\"b\":[1,2,{\"c\":\"x\"}]}");
    for (String x : documents) {
      for (String y : documents) {
        assertThat(digest(x).equals(digest(y)))
            .as("%s vs %s", x, y)
            .isEqualTo(MAPPER.readTree(x).equals(MAPPER.readTree(y)));
      }
    }
  }

  @Test
  void ignoredFieldsCountOnlyAtTheTop() throws Exception {
    assertThat(digest("{\"a\":1,\"R\":\"TOTAL\"}", "R")).isEqualTo(digest("{\"a\":1}", "R"));
    assertThat(digest("{\"a\":{\"R\":1}}", "R")).isNotEqualTo(digest("{\"a\":{}}", "R"));
  }
}
