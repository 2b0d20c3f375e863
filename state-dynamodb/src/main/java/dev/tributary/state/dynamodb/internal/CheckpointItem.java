package dev.tributary.state.dynamodb.internal;

import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticImmutableTableSchema;

/**
 * The checkpoint of one (split, slot): the last committed position, the epoch that committed it,
 * that commit's id, and how it stands against the split's other slot counts ({@link
 * EarlierSlotCounts}).
 *
 * @param pk {@code C#{job}#{split}}
 * @param sk {@code {slots}#{slot}}
 * @param pos the position, encoded
 * @param epoch the epoch
 * @param commit the commit id (also the commit's ClientRequestToken)
 * @param hg the generation of the split's slot-count item this checkpoint was written under (0:
 *     before there was one)
 * @param pr whether another slot count may still have committed records of this slot after {@code
 *     pos} (the next batch reads the other counts' checkpoints again)
 */
public record CheckpointItem(
    String pk, String sk, String pos, long epoch, String commit, long hg, boolean pr) {
  /** The item's immutable schema. */
  public static final TableSchema<CheckpointItem> SCHEMA =
      ItemKeys.keys(
              StaticImmutableTableSchema.builder(CheckpointItem.class, Builder.class)
                  .newItemBuilder(Builder::new, Builder::build),
              CheckpointItem::pk,
              Builder::pk,
              CheckpointItem::sk,
              Builder::sk)
          .addAttribute(
              String.class, a -> a.name("pos").getter(CheckpointItem::pos).setter(Builder::pos))
          .addAttribute(
              Long.class, a -> a.name("epoch").getter(CheckpointItem::epoch).setter(Builder::epoch))
          .addAttribute(
              String.class,
              a -> a.name("commit").getter(CheckpointItem::commit).setter(Builder::commit))
          .addAttribute(
              Long.class, a -> a.name("hg").getter(CheckpointItem::hg).setter(Builder::hg))
          .addAttribute(
              Boolean.class, a -> a.name("pr").getter(CheckpointItem::pr).setter(Builder::pr))
          .build();

  /** The schema's builder. */
  public static final class Builder {
    private String pk;
    private String sk;
    private String pos;
    private long epoch;
    private String commit;
    private long hg;
    private boolean pr;

    void pk(String v) {
      pk = v;
    }

    void sk(String v) {
      sk = v;
    }

    void pos(String v) {
      pos = v;
    }

    void epoch(Long v) {
      epoch = v == null ? 0 : v;
    }

    void commit(String v) {
      commit = v;
    }

    void hg(Long v) {
      hg = v == null ? 0 : v;
    }

    void pr(Boolean v) {
      pr = v != null && v;
    }

    CheckpointItem build() {
      return new CheckpointItem(pk, sk, pos, epoch, commit, hg, pr);
    }
  }
}
