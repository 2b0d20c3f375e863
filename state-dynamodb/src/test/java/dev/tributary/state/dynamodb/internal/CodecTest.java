package dev.tributary.state.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.Timer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class CodecTest {
  @Property
  void sortableTimestampsSortLikeTheNumbers(@ForAll long a, @ForAll long b) {
    assertThat(Integer.signum(Codec.sortable(a).compareTo(Codec.sortable(b))))
        .isEqualTo(Integer.signum(Long.compare(a, b)));
    assertThat(Codec.sortable(a)).hasSize(20);
  }

  @Property
  void valuesListsAndMapsRoundTrip(@ForAll List<String> values, @ForAll Map<Long, String> map) {
    Serde<String> strings = Serdes.string();
    assertThat(Codec.readList(Codec.list(values, strings), strings)).isEqualTo(values);
    Map<Object, Object> back =
        Codec.readMap(Codec.map(map, Serdes.longs(), strings), Serdes.longs(), strings);
    assertThat(back).isEqualTo(new LinkedHashMap<>(map));
    for (String v : values) {
      assertThat(Codec.readValue(ByteBuffer.wrap(Codec.value(v, strings)), strings)).isEqualTo(v);
    }
  }

  @Test
  void nullValuesRoundTrip() {
    Map<Long, String> map = new LinkedHashMap<>();
    map.put(1L, null);
    assertThat(
            Codec.readMap(
                Codec.map(map, Serdes.longs(), Serdes.string()), Serdes.longs(), Serdes.string()))
        .isEqualTo(new LinkedHashMap<>(map));
    List<String> withNull = new ArrayList<>();
    withNull.add(null);
    withNull.add("x");
    assertThat(Codec.readList(Codec.list(withNull, Serdes.string()), Serdes.string()))
        .isEqualTo(withNull);
  }

  @Test
  void timersOfBothDomainsWithAndWithoutNamespacesRoundTrip() {
    @SuppressWarnings("unchecked")
    Serde<Object> ns = (Serde<Object>) (Serde<?>) Serdes.longs();
    Set<Timer> event = Set.of(new Timer(5, "k", StateNamespace.VOID), new Timer(-7, "k", 42L));
    Set<Timer> processing = Set.of(new Timer(Long.MAX_VALUE, "k", StateNamespace.VOID));
    Set<Timer> e2 = new HashSet<>();
    Set<Timer> p2 = new HashSet<>();
    Codec.readTimers(Codec.timers(event, processing, ns), "k", ns, e2, p2);
    assertThat(e2).isEqualTo(event);
    assertThat(p2).isEqualTo(processing);
  }

  @Test
  void theEarliestTimersAreReadWithoutDecodingNamespaces() {
    @SuppressWarnings("unchecked")
    Serde<Object> ns = (Serde<Object>) (Serde<?>) Serdes.string();
    Set<Timer> event =
        Set.of(
            new Timer(5, "k", "a namespace of some length"),
            new Timer(-7, "k", "w"),
            new Timer(3, "k", StateNamespace.VOID));
    Set<Timer> processing =
        Set.of(new Timer(40, "k", "p"), new Timer(41, "k", StateNamespace.VOID));
    assertThat(Codec.earliestTimers(Codec.timers(event, processing, ns))).containsExactly(-7L, 40L);
    assertThat(Codec.earliestTimers(Codec.timers(event, Set.of(), ns)))
        .containsExactly(-7L, Long.MAX_VALUE);
  }

  @Test
  void base64IsUrlSafeWithoutPadding() {
    byte[] bytes = {(byte) 0xfb, (byte) 0xff, 0x01};
    assertThat(Codec.b64(bytes)).doesNotContain("+", "/", "=", "#");
    assertThat(Codec.unb64(Codec.b64(bytes))).isEqualTo(bytes);
  }
}
