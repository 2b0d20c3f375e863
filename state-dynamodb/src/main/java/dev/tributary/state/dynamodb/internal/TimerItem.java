package dev.tributary.state.dynamodb.internal;

import software.amazon.awssdk.enhanced.dynamodb.EnhancedType;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticImmutableTableSchema;

/**
 * The timer item of one keyed operator and slot: the times up to which its timers have fired (the
 * slot's watermark and clock) and lower bounds of its stored timers that have not fired. The bounds
 * hold only for the slot layout generation {@code g} ({@link SlotLayoutItem}): timers stored under
 * another slot count do not move them.
 *
 * @param pk {@code F#{uid}}
 * @param sk {@code {slots}#{slot}}
 * @param fe event time fired up to
 * @param fp processing time fired up to
 * @param ne no stored event-time timer is earlier
 * @param np no stored processing-time timer is earlier
 * @param v the version
 * @param g the slot layout generation the bounds were computed in (0: written before generations)
 * @param i a random number drawn when the item is created and kept by every later write: with the
 *     version it names one state of the slot's timer index, also across a table deleted and created
 *     again (0: written before it)
 * @param kf the key groups of the slot that slots of other slot counts fired further than {@code
 *     fe}, as {@link KeyGroupFloors#toList()} (null: none)
 * @param sl true when a slot of another count sealed the item (its version moved so that a commit
 *     that read it before fails, and it is not trusted until its own slot writes it again); null
 *     otherwise
 * @param hw when not null, every event-time timer of the slot still pending at or before it was
 *     registered at or behind the watermark by a record of a batch under way, after every timer up
 *     to it had fired: such timers wait for the watermark to move past it, and a batch run again
 *     from a commit among its records does not fire them before its records while its watermark is
 *     still at most {@code hw}; the commit after a batch's last firing writes its watermark (no
 *     timer up to it is pending). Null: no such claim, as in a commit that pauses a firing
 */
public record TimerItem(
    String pk,
    String sk,
    long fe,
    long fp,
    long ne,
    long np,
    long v,
    long g,
    long i,
    java.util.List<Long> kf,
    Boolean sl,
    Long hw) {
  /** The item's immutable schema. */
  public static final TableSchema<TimerItem> SCHEMA =
      ItemKeys.keys(
              StaticImmutableTableSchema.builder(TimerItem.class, Builder.class)
                  .newItemBuilder(Builder::new, Builder::build),
              TimerItem::pk,
              Builder::pk,
              TimerItem::sk,
              Builder::sk)
          .addAttribute(Long.class, a -> a.name("fe").getter(TimerItem::fe).setter(Builder::fe))
          .addAttribute(Long.class, a -> a.name("fp").getter(TimerItem::fp).setter(Builder::fp))
          .addAttribute(Long.class, a -> a.name("ne").getter(TimerItem::ne).setter(Builder::ne))
          .addAttribute(Long.class, a -> a.name("np").getter(TimerItem::np).setter(Builder::np))
          .addAttribute(Long.class, a -> a.name("v").getter(TimerItem::v).setter(Builder::v))
          .addAttribute(Long.class, a -> a.name("g").getter(TimerItem::g).setter(Builder::g))
          .addAttribute(Long.class, a -> a.name("i").getter(TimerItem::i).setter(Builder::i))
          .addAttribute(
              EnhancedType.listOf(Long.class),
              a -> a.name("kf").getter(TimerItem::kf).setter(Builder::kf))
          .addAttribute(Boolean.class, a -> a.name("sl").getter(TimerItem::sl).setter(Builder::sl))
          .addAttribute(Long.class, a -> a.name("hw").getter(TimerItem::hw).setter(Builder::hw))
          .build();

  /** The schema's builder. */
  public static final class Builder {
    private String pk;
    private String sk;
    private long fe;
    private long fp;
    private long ne;
    private long np;
    private long v;
    private long g;
    private long i;
    private java.util.List<Long> kf;
    private Boolean sl;
    private Long hw;

    void pk(String x) {
      pk = x;
    }

    void sk(String x) {
      sk = x;
    }

    void fe(Long x) {
      fe = x;
    }

    void fp(Long x) {
      fp = x;
    }

    void ne(Long x) {
      ne = x;
    }

    void np(Long x) {
      np = x;
    }

    void v(Long x) {
      v = x;
    }

    void g(Long x) {
      g = x == null ? 0 : x;
    }

    void i(Long x) {
      i = x == null ? 0 : x;
    }

    void kf(java.util.List<Long> x) {
      kf = x;
    }

    void sl(Boolean x) {
      sl = x;
    }

    void hw(Long x) {
      hw = x;
    }

    TimerItem build() {
      return new TimerItem(pk, sk, fe, fp, ne, np, v, g, i, kf, sl, hw);
    }
  }
}
