package dev.tributary.local.dynamodb.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stored items behave as immutable, insertion-ordered maps, small and large. */
class ItemMapTest {
  @Test
  void behavesLikeAnInsertionOrderedMap() {
    for (int size : new int[] {0, 1, 3, 12, 13, 40, 500}) {
      Map<String, Value> original = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) {
        original.put("attr" + (size - i) * 7919 % 1000 + "-" + i, new Value.S("v" + i));
      }
      Map<String, Value> item = ItemMap.copyOf(original);
      assertThat(item).isEqualTo(original).hasSize(size);
      assertThat(item.hashCode()).isEqualTo(original.hashCode());
      assertThat(original).isEqualTo(item);
      assertThat(new ArrayList<>(item.keySet())).isEqualTo(new ArrayList<>(original.keySet()));
      assertThat(new ArrayList<>(item.values())).isEqualTo(new ArrayList<>(original.values()));
      List<String> visited = new ArrayList<>();
      item.forEach((k, v) -> visited.add(k + "=" + v));
      List<String> expected = new ArrayList<>();
      original.forEach((k, v) -> expected.add(k + "=" + v));
      assertThat(visited).isEqualTo(expected);
      for (String key : original.keySet()) {
        assertThat(item.get(key)).isEqualTo(original.get(key));
        assertThat(item.containsKey(key)).isTrue();
      }
      assertThat(item.get("missing")).isNull();
      assertThat(item.get(null)).isNull();
      assertThat(item.containsKey(42)).isFalse();
      assertThat(ItemMap.copyOf(item)).isSameAs(item);
      assertThatThrownBy(() -> item.put("x", new Value.Null()))
          .isInstanceOf(UnsupportedOperationException.class);
      if (size > 0) {
        assertThatThrownBy(() -> item.entrySet().iterator().next().setValue(new Value.Null()))
            .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> item.keySet().iterator().remove())
            .isInstanceOf(UnsupportedOperationException.class);
      }
    }
  }
}
