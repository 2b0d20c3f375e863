package dev.tributary.state.dynamodb.internal;

import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticImmutableTableSchema;

/**
 * The checkpoint of one (split, slot): the last committed position, the epoch that committed it,
 * and that commit's id.
 *
 * @param pk {@code C#{job}#{split}}
 * @param sk {@code {slots}#{slot}}
 * @param pos the position, encoded
 * @param epoch the epoch
 * @param commit the commit id (also the commit's ClientRequestToken)
 */
public record CheckpointItem(String pk, String sk, String pos, long epoch, String commit) {
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
          .build();

  /** The schema's builder. */
  public static final class Builder {
    private String pk;
    private String sk;
    private String pos;
    private long epoch;
    private String commit;

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

    CheckpointItem build() {
      return new CheckpointItem(pk, sk, pos, epoch, commit);
    }
  }
}
