package dev.tributary.state.dynamodb.internal;

import java.util.function.BiConsumer;
import java.util.function.Function;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticImmutableTableSchema;

/** The {@code pk} / {@code sk} string key every Tributary item schema starts with. */
final class ItemKeys {
  private ItemKeys() {}

  static <T, B> StaticImmutableTableSchema.Builder<T, B> keys(
      StaticImmutableTableSchema.Builder<T, B> schema,
      Function<T, String> pk,
      BiConsumer<B, String> setPk,
      Function<T, String> sk,
      BiConsumer<B, String> setSk) {
    return schema
        .addAttribute(
            String.class,
            a ->
                a.name("pk")
                    .getter(pk)
                    .setter(setPk)
                    .tags(StaticAttributeTags.primaryPartitionKey()))
        .addAttribute(
            String.class,
            a -> a.name("sk").getter(sk).setter(setSk).tags(StaticAttributeTags.primarySortKey()));
  }
}
