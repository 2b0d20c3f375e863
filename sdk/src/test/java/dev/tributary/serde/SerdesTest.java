package dev.tributary.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SerdesTest {
  record Order(String id, long cents, Instant placedAt, List<String> items) {}

  @Property(tries = 200)
  void fixedWidthSerdesRoundTrip(
      @ForAll long l, @ForAll int i, @ForAll double d, @ForAll boolean b, @ForAll String s) {
    assertThat(Serdes.longs().deserialize(Serdes.longs().serialize(l))).isEqualTo(l);
    assertThat(Serdes.integers().deserialize(Serdes.integers().serialize(i))).isEqualTo(i);
    assertThat(Serdes.doubles().deserialize(Serdes.doubles().serialize(d))).isEqualTo(d);
    assertThat(Serdes.booleans().deserialize(Serdes.booleans().serialize(b))).isEqualTo(b);
    assertThat(Serdes.string().deserialize(Serdes.string().serialize(s))).isEqualTo(s);
  }

  @Test
  void uuidsAndBytesRoundTrip() {
    UUID id = UUID.randomUUID();
    assertThat(Serdes.uuids().deserialize(Serdes.uuids().serialize(id))).isEqualTo(id);
    byte[] raw = {1, 2, 3};
    assertThat(Serdes.bytes().deserialize(Serdes.bytes().serialize(raw))).isSameAs(raw);
  }

  @Test
  void jsonRoundTripsRecordsWithJavaTime() {
    Serde<Order> serde = Serdes.json(Order.class);
    Order order = new Order("o-1", 1250, Instant.parse("2026-01-02T03:04:05Z"), List.of("a", "b"));
    byte[] bytes = serde.serialize(order);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"id\":\"o-1\",\"cents\":1250,\"placedAt\":\"2026-01-02T03:04:05Z\",\"items\":[\"a\",\"b\"]}");
    assertThat(serde.deserialize(bytes)).isEqualTo(order);
    assertThat(serde.describe()).isEqualTo("json(Order)");
  }

  @Test
  void jsonIgnoresUnknownFieldsSoProducersCanAddThem() {
    Order order =
        Serdes.json(Order.class)
            .deserialize(
                "{\"id\":\"o\",\"cents\":1,\"extra\":true}".getBytes(StandardCharsets.UTF_8));
    assertThat(order.id()).isEqualTo("o");
  }

  @Test
  void jsonMapKeysAreSortedSoThatKeyBytesAreDeterministic() {
    Serde<Map<String, Integer>> serde =
        Serdes.json(new com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>>() {});
    Map<String, Integer> a = new java.util.LinkedHashMap<>();
    a.put("b", 2);
    a.put("a", 1);
    assertThat(new String(serde.serialize(a), StandardCharsets.UTF_8))
        .isEqualTo("{\"a\":1,\"b\":2}");
  }

  @Test
  void jsonWithTypeRestoresTheRuntimeClass() {
    Serde<Object> serde = Serdes.jsonWithType();
    Order order = new Order("o", 5, Instant.EPOCH, List.of());
    assertThat(serde.deserialize(serde.serialize(order))).isEqualTo(order);
    assertThat(serde.deserialize(serde.serialize(42L))).isEqualTo(42L);
  }

  @Test
  void jsonAnyWritesAnyValueAndReadsATree() {
    Serde<Object> serde = Serdes.jsonAny();
    Object tree = serde.deserialize(serde.serialize(new Order("o", 5, null, null)));
    assertThat(tree).isInstanceOf(JsonNode.class);
    assertThat(((JsonNode) tree).get("cents").asLong()).isEqualTo(5);
  }

  @Test
  void ofPicksTheNaturalSerde() {
    assertThat(Serdes.of(String.class)).isSameAs(Serdes.string());
    assertThat(Serdes.of(Long.class)).isSameAs(Serdes.longs());
    assertThat(Serdes.of(long.class)).isSameAs(Serdes.longs());
    assertThat(Serdes.of(Integer.class)).isSameAs(Serdes.integers());
    assertThat(Serdes.of(UUID.class)).isSameAs(Serdes.uuids());
    assertThat(Serdes.of(byte[].class)).isSameAs(Serdes.bytes());
    assertThat(Serdes.of(Order.class).describe()).isEqualTo("json(Order)");
  }

  @Test
  void badInputNamesTheSerdeAndShowsThePayload() {
    assertThatThrownBy(
            () -> Serdes.json(Order.class).deserialize("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerdeException.class)
        .hasMessageContaining("json(Order)")
        .hasMessageContaining("'not json'");
    assertThatThrownBy(() -> Serdes.longs().deserialize(new byte[3]))
        .isInstanceOf(SerdeException.class)
        .hasMessageContaining("expects exactly 8 bytes but got 3 bytes");
  }

  @Test
  void theSharedReaderAndWriterReadAndWriteAsTheSerdesDoAndCannotReconfigureThem()
      throws Exception {
    Order order = new Order("o-1", 1250, Instant.parse("2026-01-02T03:04:05Z"), List.of("a"));
    byte[] bytes = Serdes.jsonWriter().writeValueAsBytes(order);
    assertThat(bytes).isEqualTo(Serdes.json(Order.class).serialize(order));
    assertThat(
            Serdes.jsonWriter()
                .writeValueAsString(new java.util.HashMap<>(Map.of("b", 1, "a", 2, "c", 3))))
        .isEqualTo("{\"a\":2,\"b\":1,\"c\":3}");
    Order read =
        Serdes.jsonReader()
            .forType(Order.class)
            .readValue(
                "{\"id\":\"o-1\",\"cents\":1250,\"placedAt\":\"2026-01-02T03:04:05Z\","
                    + "\"items\":[\"a\"],\"extra\":1}");
    assertThat(read).isEqualTo(order);

    // a stricter reader or a timestamp-writing writer derived from them is a new object: the
    // shared ones, and the serdes, keep their configuration
    Serdes.jsonReader().with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    Serdes.jsonWriter().with(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    assertThat(Serdes.jsonWriter().writeValueAsBytes(order)).isEqualTo(bytes);
    assertThat(
            Serdes.json(Order.class)
                .deserialize("{\"id\":\"o\",\"extra\":1}".getBytes(StandardCharsets.UTF_8))
                .id())
        .isEqualTo("o");
    assertThat(
            java.util.Arrays.stream(Serdes.class.getFields())
                .filter(f -> java.lang.reflect.Modifier.isStatic(f.getModifiers())))
        .as("Serdes exposes no static field (a shared mapper could be reconfigured)")
        .isEmpty();
  }

  @Test
  void previewTruncatesLongPayloadsAndHidesControlCharacters() {
    byte[] payload = ("\u0001" + "x".repeat(300)).getBytes(StandardCharsets.UTF_8);
    assertThat(Serdes.preview(payload)).startsWith("'?xxx").endsWith("...' (301 bytes)");
  }
}
