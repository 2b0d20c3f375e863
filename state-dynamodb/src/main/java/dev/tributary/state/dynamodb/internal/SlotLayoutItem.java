package dev.tributary.state.dynamodb.internal;

import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticImmutableTableSchema;

/**
 * The slot layout of one keyed operator: the slot count its timers were last stored under, and a
 * generation that grows each time the slot count changes. A slot's timer item ({@link TimerItem})
 * records the generation its bounds belong to; when the slot count changed since, timers may have
 * been stored in the slot's key groups under the other count, so the bounds are not trusted and the
 * slot reads its key groups' timers again.
 *
 * @param pk {@code F#{uid}}
 * @param sk {@link Layout#SLOT_LAYOUT}
 * @param s the slot count
 * @param g the generation, from 1
 */
public record SlotLayoutItem(String pk, String sk, long s, long g) {
  /** The item's immutable schema. */
  public static final TableSchema<SlotLayoutItem> SCHEMA =
      ItemKeys.keys(
              StaticImmutableTableSchema.builder(SlotLayoutItem.class, Builder.class)
                  .newItemBuilder(Builder::new, Builder::build),
              SlotLayoutItem::pk,
              Builder::pk,
              SlotLayoutItem::sk,
              Builder::sk)
          .addAttribute(Long.class, a -> a.name("s").getter(SlotLayoutItem::s).setter(Builder::s))
          .addAttribute(Long.class, a -> a.name("g").getter(SlotLayoutItem::g).setter(Builder::g))
          .build();

  /** The schema's builder. */
  public static final class Builder {
    private String pk;
    private String sk;
    private long s;
    private long g;

    void pk(String x) {
      pk = x;
    }

    void sk(String x) {
      sk = x;
    }

    void s(Long x) {
      s = x;
    }

    void g(Long x) {
      g = x;
    }

    SlotLayoutItem build() {
      return new SlotLayoutItem(pk, sk, s, g);
    }
  }
}
